"""Catalog test fixtures: a screener with predictable verdicts, an empty view buffer."""

from __future__ import annotations

import pytest

from catalog import services
from moderation.screening import Reason, ScreeningResult
from tests.catalog.helpers import _empty_view_buffer  # noqa: F401 (an autouse fixture)


def fake_screen_text(text: str, *, context: str = "") -> ScreeningResult:
    """Rejects texts with "REJECTME", flags texts with "FLAGME", approves the rest."""
    fake_screen_text.calls.append((text, context))  # type: ignore[attr-defined]
    if "REJECTME" in text:
        threat = Reason(category="violence", message="threat")
        return ScreeningResult("rejected", 0.99, {"violence": 0.99}, [threat], backend="fake")
    if "FLAGME" in text:
        spam = Reason(category="spam", message="looks like spam")
        return ScreeningResult("flagged", 0.6, {"spam": 0.6}, [spam], backend="fake")
    return ScreeningResult("approved", 0.0, {}, [], backend="fake")


@pytest.fixture(autouse=True)
def screening(monkeypatch):
    """The catalog's screener with predictable verdicts (in moderation's own result type), so
    these tests do not depend on the real screener's model or rules."""
    monkeypatch.setattr(services, "_screener", [])  # the real one is back after the test
    fake_screen_text.calls = []  # type: ignore[attr-defined]
    services.set_screener(fake_screen_text)
    return fake_screen_text
