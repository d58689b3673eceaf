"""The request id (X-Request-Id) travels from a request into the tasks it sends.

django-guid keeps the id of the request being served; here a task message carries it in a
header, and the worker sets it while the task runs, so every log line of the task (the
console's JSON lines, the log store) and every line of the job's own log has it. (django-guid's
own Celery integration gives an eagerly run task a new id and then clears the request's.)
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django_guid import clear_guid, get_guid, set_guid

HEADER = "X-Request-Id"
_set_by_task: ContextVar[bool] = ContextVar("ops_guid_set_by_task", default=False)


def _before_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = get_guid()
    if request_id and headers is not None and HEADER not in headers:
        headers[HEADER] = request_id


def _prerun(task: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    if request is None or request.is_eager:
        return  # an eager task runs in its caller's context and keeps its id
    request_id = request.get(HEADER)
    if request_id:
        set_guid(request_id)
        _set_by_task.set(True)


def _postrun(**_: Any) -> None:
    if _set_by_task.get():
        clear_guid()
        _set_by_task.set(False)


def _stamp_job_log(sender: Any, instance: Any, **_: Any) -> None:
    """A job's log line records the request that caused it (GET /jobs/:id/logs shows it)."""
    request_id = get_guid()
    if not request_id or instance.pk is not None:
        return
    details = dict(instance.details or {})
    details.setdefault("requestId", request_id)
    instance.details = details


def connect() -> None:
    from celery import signals
    from django.db.models.signals import pre_save

    from jobs.models import JobLog

    signals.before_task_publish.connect(_before_publish, weak=False, dispatch_uid="ops.guid_pub")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="ops.guid_prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="ops.guid_postrun")
    pre_save.connect(_stamp_job_log, sender=JobLog, weak=False, dispatch_uid="ops.joblog_guid")
