"""Story analysis for StoryForge scenes: the Scene Bible, script expansion, continuity checks.

The scenes app calls one interface, `StoryAnalyzer`, got from `analyzer()`:

- `initial_bible(script=, title=, idea=, genre_hint=)` -> the bible of segment 1;
- `expand(text=, bible=, total_duration=)` -> the continuation as shots (script_expansion);
- `validate(text=, shots=, bible=, segment_number=)` -> continuity issues
  (continuity_validation: any issue with severity "error" fails the job with
  CONTINUITY_VIOLATION; warnings are kept on the job and the segment);
- `update_bible(bible=, text=, shots=, segment_number=)` -> a NEW bible dict with what the
  segment adds (the caller keeps the old one as the previous version).

A bible is exactly the JSON of GET /scenes/:id/bible without sceneId, version and updatedAt
(see bible.py). Two backends: `RuleAnalyzer` (offline, deterministic, the default) and
`LlmAnalyzer` (an OpenAI-compatible model, when LLM_BASE_URL is set), whose answers are
checked against the same structures and replaced by the rule analysis when they do not fit.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from media_pipeline.backends.base import Reporter
from media_pipeline.request import Shot
from scenes.analysis.bible import (
    BIBLE_KEYS,
    ISSUE_TYPES,
    SEVERITIES,
    Bible,
    BibleInvalid,
    Issue,
    empty_bible,
    normalise_bible,
    normalise_issues,
)
from scenes.analysis.llm import LlmAnalyzer
from scenes.analysis.rules import RuleAnalyzer

__all__ = [
    "BIBLE_KEYS",
    "ISSUE_TYPES",
    "SEVERITIES",
    "Bible",
    "BibleInvalid",
    "Issue",
    "LlmAnalyzer",
    "RuleAnalyzer",
    "StoryAnalyzer",
    "analyzer",
    "empty_bible",
    "errors",
    "normalise_bible",
    "normalise_issues",
    "warnings",
]


class StoryAnalyzer(Protocol):
    """What the scenes app's job stages call; both backends implement it."""

    name: str

    def initial_bible(
        self,
        *,
        script: str,
        title: str = "",
        idea: str = "",
        genre_hint: str = "",
        reporter: Reporter | None = None,
    ) -> Bible: ...

    def expand(
        self,
        *,
        text: str,
        bible: Bible,
        total_duration: float | None = None,
        seed: int = 0,
        reporter: Reporter | None = None,
    ) -> list[Shot]: ...

    def validate(
        self,
        *,
        text: str,
        shots: list[Shot],
        bible: Bible,
        segment_number: int,
        reporter: Reporter | None = None,
    ) -> list[Issue]: ...

    def update_bible(
        self,
        *,
        bible: Bible,
        text: str,
        shots: list[Shot],
        segment_number: int,
        reporter: Reporter | None = None,
    ) -> Bible: ...


def analyzer() -> StoryAnalyzer:
    """The analyser by settings: the language model's when LLM_BASE_URL is set, else the rules."""
    if settings.LLM_BASE_URL:
        return LlmAnalyzer.from_settings()
    return RuleAnalyzer()


def errors(issues: list[Issue]) -> list[Issue]:
    """The issues that fail a job (CONTINUITY_VIOLATION)."""
    return [issue for issue in issues if issue.get("severity") == "error"]


def warnings(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.get("severity") != "error"]
