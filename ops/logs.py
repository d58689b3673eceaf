"""Logging wiring: the log store's handler and structlog's processors (settings.LOGGING).

Loaded by `logging.dictConfig` before the apps are ready, so it imports no model at import
time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import MutableMapping
from typing import Any

from ops.redaction import redact, redact_text


class DatabaseLogHandler(logging.Handler):
    """Keeps WARNING and worse in the log store that GET /logs reads.

    The request id comes from django-guid's filter (`correlation_id`): in web processes and,
    through its Celery integration, in the tasks and jobs a request caused.
    """

    # Never stored: the SQL log would store itself, and the store's own failures loop.
    skipped = ("django.db.backends", "ops")
    _inside = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        from django.apps import apps

        name = record.name
        if (
            not apps.ready
            or getattr(self._inside, "active", False)  # a record logged while storing one
            or any(name == prefix or name.startswith(prefix + ".") for prefix in self.skipped)
        ):
            return
        self._inside.active = True
        try:
            from ops import services

            details: dict[str, Any] = {"logger": name}
            request_id = str(getattr(record, "correlation_id", "") or "")
            if request_id in ("", "-", "None"):
                request_id = ""
            else:
                details["requestId"] = request_id
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                details["error"] = f"{type(error).__name__}: {error}"
            services.log_entry_create(
                level=services.level_for_number(record.levelno),
                service=services.service_for_logger(name),
                message=record.getMessage(),
                request_id=request_id,
                details=details,
            )
        except Exception:  # logging never breaks the caller
            self.handleError(record)
        finally:
            self._inside.active = False


def add_request_id(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: `request_id` from django-guid's record attribute."""
    record = event.get("_record")
    request_id = event.pop("correlation_id", None) or getattr(record, "correlation_id", None)
    if request_id and request_id != "-":
        event["request_id"] = request_id
    return event


def redact_event(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: no password, token or secret leaves the process in a log line."""
    cleaned: dict[str, Any] = {}
    for key, value in event.items():
        if key.startswith("_"):
            cleaned[key] = value
        elif key == "event" and isinstance(value, str):
            cleaned[key] = redact_text(value)
        else:
            cleaned[key] = redact({key: value})[key]
    return cleaned


def formatter(*, json: bool) -> logging.Formatter:
    """dictConfig's formatter factory: JSON lines (production) or readable lines."""
    import structlog

    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ExtraAdder(),
            add_request_id,
            structlog.processors.format_exc_info,
            redact_event,
        ],
    )
