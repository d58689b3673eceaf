"""Keep secrets out of logs: sensitive keys and token-like strings are masked before storage."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose values are never logged, whatever their case or separators.
_SENSITIVE_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|cookie|session[_-]?id|signature|credential|otp|csrf",
    re.IGNORECASE,
)
# Values that look like credentials wherever they appear in a message.
_PATTERNS = (
    # `Bearer <token>` and `Basic <credentials>`
    (re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1 " + REDACTED),
    # JSON Web Tokens (header.payload.signature, the header always starts `eyJ`)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # `password=...`, `"token": "..."`, `secret: ...` inside free text
    (
        re.compile(
            r"(?P<key>[\"']?[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key)[\w-]*[\"']?"
            r"\s*[:=]\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&}]+)",
            re.IGNORECASE,
        ),
        r"\g<key>" + REDACTED,
    ),
    # URLs with credentials: scheme://user:password@host
    (
        re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"),
        r"\g<scheme>" + REDACTED + "@",
    ),
)


def is_sensitive_key(key: str) -> bool:
    return bool(_SENSITIVE_KEY.search(key))


def redact_text(text: str) -> str:
    """The text with every credential-looking part masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, _depth: int = 0) -> Any:
    """A copy of a JSON-like value with sensitive keys' values and token-like strings masked."""
    if _depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {
            str(key): REDACTED if is_sensitive_key(str(key)) else redact(item, _depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, _depth + 1) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))
