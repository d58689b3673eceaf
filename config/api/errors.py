"""The platform's error codes and the domain exception that carries one.

Services raise `ApiError` (or a subclass) with a code from `ErrorCode`; the one exception
handler in `config.api.exceptions` turns it into the documented error envelope.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    EMAIL_EXISTS = "EMAIL_EXISTS"
    USERNAME_EXISTS = "USERNAME_EXISTS"
    CONFLICT = "CONFLICT"
    BIBLE_VERSION_MISMATCH = "BIBLE_VERSION_MISMATCH"
    SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"
    COST_LIMIT = "COST_LIMIT"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    CONTINUITY_VIOLATION = "CONTINUITY_VIOLATION"
    # A request this installation cannot serve: the model it needs is not configured here.
    MODEL_NOT_CONFIGURED = "MODEL_NOT_CONFIGURED"
    JOB_NOT_CANCELLABLE = "JOB_NOT_CANCELLABLE"
    JOB_NOT_RETRYABLE = "JOB_NOT_RETRYABLE"
    RATE_LIMITED = "RATE_LIMITED"
    GENERATION_FAILED = "GENERATION_FAILED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


STATUS_FOR_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: status.HTTP_400_BAD_REQUEST,
    ErrorCode.INVALID_CREDENTIALS: status.HTTP_401_UNAUTHORIZED,
    ErrorCode.UNAUTHORIZED: status.HTTP_401_UNAUTHORIZED,
    ErrorCode.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorCode.METHOD_NOT_ALLOWED: status.HTTP_405_METHOD_NOT_ALLOWED,
    ErrorCode.EMAIL_EXISTS: status.HTTP_409_CONFLICT,
    ErrorCode.USERNAME_EXISTS: status.HTTP_409_CONFLICT,
    ErrorCode.CONFLICT: status.HTTP_409_CONFLICT,
    ErrorCode.BIBLE_VERSION_MISMATCH: status.HTTP_409_CONFLICT,
    ErrorCode.SUBSCRIPTION_LIMIT: status.HTTP_402_PAYMENT_REQUIRED,
    ErrorCode.COST_LIMIT: status.HTTP_402_PAYMENT_REQUIRED,
    ErrorCode.FILE_TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.UNSUPPORTED_FORMAT: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.NOT_ACCEPTABLE: status.HTTP_406_NOT_ACCEPTABLE,
    ErrorCode.CONTINUITY_VIOLATION: status.HTTP_422_UNPROCESSABLE_ENTITY,
    ErrorCode.MODEL_NOT_CONFIGURED: status.HTTP_422_UNPROCESSABLE_ENTITY,
    ErrorCode.JOB_NOT_CANCELLABLE: status.HTTP_409_CONFLICT,
    ErrorCode.JOB_NOT_RETRYABLE: status.HTTP_409_CONFLICT,
    ErrorCode.RATE_LIMITED: status.HTTP_429_TOO_MANY_REQUESTS,
    ErrorCode.GENERATION_FAILED: status.HTTP_500_INTERNAL_SERVER_ERROR,
    ErrorCode.INTERNAL_ERROR: status.HTTP_500_INTERNAL_SERVER_ERROR,
    ErrorCode.SERVICE_UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
}

# The code an error of a bare HTTP status carries (a DRF or Django exception that names no
# code of its own): the status's generic code.
CODE_FOR_STATUS: dict[int, ErrorCode] = {
    status.HTTP_400_BAD_REQUEST: ErrorCode.VALIDATION_ERROR,
    status.HTTP_401_UNAUTHORIZED: ErrorCode.UNAUTHORIZED,
    status.HTTP_403_FORBIDDEN: ErrorCode.FORBIDDEN,
    status.HTTP_404_NOT_FOUND: ErrorCode.NOT_FOUND,
    status.HTTP_405_METHOD_NOT_ALLOWED: ErrorCode.METHOD_NOT_ALLOWED,
    status.HTTP_406_NOT_ACCEPTABLE: ErrorCode.NOT_ACCEPTABLE,
    status.HTTP_409_CONFLICT: ErrorCode.CONFLICT,
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: ErrorCode.FILE_TOO_LARGE,
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ErrorCode.UNSUPPORTED_FORMAT,
    status.HTTP_429_TOO_MANY_REQUESTS: ErrorCode.RATE_LIMITED,
    status.HTTP_503_SERVICE_UNAVAILABLE: ErrorCode.SERVICE_UNAVAILABLE,
}


def code_for_status(status_code: int) -> ErrorCode:
    """The generic code of an HTTP error status (a 4xx the table lacks is a bad request)."""
    if status_code in CODE_FOR_STATUS:
        return CODE_FOR_STATUS[status_code]
    return ErrorCode.VALIDATION_ERROR if status_code < 500 else ErrorCode.INTERNAL_ERROR


class ApiError(APIException):
    """A domain error with a platform error code, a message and optional details."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR
    default_message = "Unexpected server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: ErrorCode | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code or self.code
        self.message = message or self.default_message
        self.details = details
        self.headers = headers or {}
        self.status_code = STATUS_FOR_CODE[self.code]
        super().__init__(detail=self.message, code=str(self.code))


class ValidationFailed(ApiError):
    code = ErrorCode.VALIDATION_ERROR
    default_message = "Invalid input data"

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, details=[{"field": field, "message": message}])


class InvalidCredentials(ApiError):
    code = ErrorCode.INVALID_CREDENTIALS
    default_message = "Invalid email or password"


class Unauthorized(ApiError):
    code = ErrorCode.UNAUTHORIZED
    default_message = "Authentication required"


class Forbidden(ApiError):
    code = ErrorCode.FORBIDDEN
    default_message = "You do not have permission to perform this action"


class NotFound(ApiError):
    code = ErrorCode.NOT_FOUND
    default_message = "Resource not found"


class Conflict(ApiError):
    code = ErrorCode.CONFLICT
    default_message = "The request conflicts with the current state of the resource"


class SubscriptionLimit(ApiError):
    code = ErrorCode.SUBSCRIPTION_LIMIT
    default_message = "Your plan's limit has been reached"


class ModelNotConfigured(ApiError):
    code = ErrorCode.MODEL_NOT_CONFIGURED
    default_message = "The model this request needs is not configured on this platform"


class RateLimited(ApiError):
    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests"


class ServiceUnavailable(ApiError):
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = "Service unavailable"
