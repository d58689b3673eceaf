"""The console's log lines: JSON in production, readable in development; never a secret."""

from __future__ import annotations

import json
import logging

from ops.logs import formatter
from ops.redaction import REDACTED, redact


def _record(message: str, *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("jobs.engine", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_production_lines_are_json_with_the_request_id():
    line = formatter(json=True).format(
        _record("Job %s failed", "job_1", correlation_id="abc123", job_id="job_1")
    )
    data = json.loads(line)
    assert data["event"] == "Job job_1 failed"
    assert data["level"] == "warning"
    assert data["logger"] == "jobs.engine"
    assert data["request_id"] == "abc123"
    assert data["job_id"] == "job_1"
    assert data["timestamp"].endswith("Z")


def test_development_lines_are_readable_text():
    line = formatter(json=False).format(_record("Job failed", correlation_id="abc123"))
    assert "Job failed" in line and "jobs.engine" in line and "abc123" in line
    assert not line.lstrip().startswith("{")


def test_secrets_are_masked_in_console_lines():
    line = formatter(json=True).format(
        _record("login password=%s", "Hunter2!", authorization="Bearer abc.def.ghi")
    )
    assert "Hunter2!" not in line and "abc.def.ghi" not in line
    assert REDACTED in line


def test_redact_masks_sensitive_keys_at_any_depth_and_keeps_the_rest():
    value = {
        "user": "ann",
        "nested": [{"refreshToken": "r1", "apiKey": "k1", "count": 3}],
        "headers": {"Authorization": "Bearer xyz", "Accept": "json"},
        "dsn": "redis://:s3cret@redis:6379/0",
    }
    cleaned = redact(value)
    assert cleaned["user"] == "ann"
    assert cleaned["nested"][0] == {"refreshToken": REDACTED, "apiKey": REDACTED, "count": 3}
    assert cleaned["headers"] == {"Authorization": REDACTED, "Accept": "json"}
    assert "s3cret" not in cleaned["dsn"]
