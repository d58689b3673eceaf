"""Experiments for bench/jobs_events.py: candidate fixes, tried without editing the source.

Each module patches or overrides one thing at import and is served with
`--asgi-app bench.variants.<module>:application` (and, for settings, `--server-env
DJANGO_SETTINGS_MODULE=bench.variants.<module>`); docs/benchmarks.md has the numbers. They
patch jobs.consumers at import, so they follow its current shape: a change there may need
one here.
"""
