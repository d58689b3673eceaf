"""Catalog test fixtures: a stand-in screening module, an empty view buffer."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from dataclasses import dataclass, field

import pytest

from tests.catalog.helpers import _empty_view_buffer  # noqa: F401 (an autouse fixture)


@dataclass
class FakeResult:
    status: str
    score: float = 0.0
    categories: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.status != "approved"


def fake_screen_text(text: str, *, context: str = "") -> FakeResult:
    """Rejects texts with "REJECTME", flags texts with "FLAGME", approves the rest."""
    fake_screen_text.calls.append((text, context))  # type: ignore[attr-defined]
    if "REJECTME" in text:
        return FakeResult("rejected", 0.99, ["violence"], ["threat"])
    if "FLAGME" in text:
        return FakeResult("flagged", 0.6, ["spam"], ["looks like spam"])
    return FakeResult("approved")


@pytest.fixture(autouse=True)
def screening(monkeypatch):
    """`moderation.screening` as the moderation app defines it, with predictable verdicts, so
    these tests do not depend on the real screener's model or rules."""
    module = types.ModuleType("moderation.screening")
    module.__spec__ = importlib.machinery.ModuleSpec("moderation.screening", None)
    fake_screen_text.calls = []  # type: ignore[attr-defined]
    module.screen_text = fake_screen_text  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "moderation.screening", module)
    return fake_screen_text
