"""`manage.py serve`: HTTP and WebSockets on one port, with the embedded worker."""

from __future__ import annotations

import os

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from config.worker import start_embedded_worker


class Command(BaseCommand):
    help = "Serve the platform (HTTP + WebSocket) and, without Redis, run the worker in-process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the embedded worker."
        )

    def handle(self, *args, host: str, port: int, no_worker: bool, **options) -> None:
        if settings.EMBEDDED_WORKER and not no_worker:
            start_embedded_worker()
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{host}:{port}/"))
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            lifespan="off",
            # Job events are small JSON messages: compressing each one for every subscriber
            # cost more server CPU than it saved bytes (docs/benchmarks.md, issue 3).
            ws_per_message_deflate=False,
            # The sans-I/O websockets protocol: about 10 % less CPU per message sent than the
            # legacy one, measured on a 1,000-subscriber fan-out (docs/benchmarks.md, issue 3).
            ws="websockets-sansio",
            log_level=settings.LOG_LEVEL.lower(),
            proxy_headers=False,
        )
