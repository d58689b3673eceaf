"""Benchmarks that run against the real stack (see docs/benchmarks.md)."""
