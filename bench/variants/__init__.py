"""Experiments for bench/jobs_events.py: candidate fixes, tried without editing the source.

Each module patches or overrides one thing at import and is served with
`--asgi-app bench.variants.<module>:application` (and, for settings, `--server-env
DJANGO_SETTINGS_MODULE=bench.variants.<module>`); docs/benchmarks.md has the numbers. They
patch jobs.consumers at import, so they follow its current shape: a change there may need
one here.

They were written for the per-consumer design (commit 6c02253). Since live events go through
the per-process hub (jobs.fanout), `job_event_dispatch` and `encode_once` patch methods that no
longer carry them, and `channel_layer_settings` uses the stock channels_redis class with a 15 s
read timeout, which can hang an event loop's shutdown (config/channel_layers.py says why).
"""
