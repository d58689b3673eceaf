"""What every endpoint that creates a job shares: the `Idempotency-Key` header and the 202."""

from __future__ import annotations

from typing import Any

from rest_framework import status

from config.api.errors import ValidationFailed
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from jobs import services
from jobs.api.serializers import JobSerializer
from jobs.models import Job, JobStatus
from jobs.selectors import job_context

IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key(request: AuthenticatedRequest) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255:
        raise ValidationFailed.for_field(IDEMPOTENCY_HEADER, "Must be 1 to 255 characters.")
    return key


def submit_job(request: AuthenticatedRequest, **submit: Any) -> tuple[Job, bool]:
    """`jobs.services.job_submit` with the request's Idempotency-Key and body."""
    return services.job_submit(
        owner=request.user,
        idempotency_key=idempotency_key(request),
        request_body=request.data,
        **submit,
    )


def accepted(
    job: Job,
    created: bool,
    *,
    message: str,
    data: dict[str, Any] | None = None,
    status_code: int = status.HTTP_202_ACCEPTED,
) -> ApiResponse:
    """202 with the job (or `data`); a replayed Idempotency-Key says so in a header.

    A job that screening stopped is answered the same way (the client reads its status and
    moderation fields), with a message that says so instead of the caller's.
    """
    body = data if data is not None else JobSerializer(job, context=job_context([job])).data
    if job.status == JobStatus.MODERATION_FAILED:
        message = "The request did not pass content screening; nothing was queued"
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return ApiResponse(body, status=status_code, message=message, headers=headers)
