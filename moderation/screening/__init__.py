"""Automatic content screening (moderation issue 6): one entry point for every app.

Ideas, topic suggestions, prompts, scripts, continuations and chat messages all go through
`screen_text` (one field) or `screen_texts` (several fields of one submission, judged by the
worst) before a job is queued or the content goes public. The backend is chosen in settings:
`MODERATION_BACKEND=rules` (default: curated term lists and context rules, offline) or
`openai` (an OpenAI-compatible `/moderations` endpoint at `MODERATION_BASE_URL`).

    result = screen_text(idea.prompt, context="idea")
    if result.rejected:            # job → moderation_failed, costs nothing
        ...
    job.moderation_status, job.moderation_score = result.status, result.score
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from moderation.screening.remote import OpenAIModerationBackend, ScreeningUnavailable
from moderation.screening.result import (
    CATEGORIES,
    REPORT_REASON,
    Evidence,
    Reason,
    ScreeningResult,
    ScreeningStatus,
    decide,
    worst,
)
from moderation.screening.rules import RuleBackend

__all__ = [
    "CATEGORIES",
    "REPORT_REASON",
    "OpenAIModerationBackend",
    "Reason",
    "RuleBackend",
    "ScreeningBackend",
    "ScreeningResult",
    "ScreeningStatus",
    "ScreeningUnavailable",
    "get_backend",
    "screen_text",
    "screen_texts",
]


class ScreeningBackend(Protocol):
    """What a screen implements: evidence (scores and reasons) for each of several texts."""

    name: str

    def evaluate(self, texts: Sequence[str], *, context: str = "") -> list[Evidence]: ...


def screen_text(text: str, *, context: str = "") -> ScreeningResult:
    """Screen one text; `context` names what it is (idea, topic, prompt, script, chat...)."""
    return screen_texts([text], context=context)


def screen_texts(texts: Iterable[str], *, context: str = "") -> ScreeningResult:
    """Screen several fields of one submission; the result is the worst of them."""
    fields = [text for text in texts if text and text.strip()]
    backend = get_backend()
    evidence = backend.evaluate(fields, context=context) if fields else []
    return decide(
        worst(evidence),
        threshold=settings.MODERATION_THRESHOLD,
        review_threshold=settings.MODERATION_REVIEW_THRESHOLD,
        backend=backend.name,
    )


def get_backend() -> ScreeningBackend:
    """The configured backend, built once per configuration."""
    return _backend(
        settings.MODERATION_BACKEND,
        settings.MODERATION_BASE_URL,
        settings.MODERATION_MODEL,
        settings.MODERATION_API_KEY,
        settings.MODERATION_TIMEOUT_SECONDS,
    )


@lru_cache(maxsize=4)
def _backend(
    name: str, base_url: str | None, model: str, api_key: str, timeout: float
) -> ScreeningBackend:
    if name == "rules":
        return _rules()
    if name == "openai":
        if not base_url:
            raise ImproperlyConfigured(
                "MODERATION_BACKEND=openai needs MODERATION_BASE_URL (an OpenAI-compatible API "
                "base such as https://api.openai.com/v1; the screen posts to {base}/moderations)."
            )
        return OpenAIModerationBackend(
            base_url=base_url, model=model, api_key=api_key, timeout=timeout, rules=_rules()
        )
    raise ImproperlyConfigured(
        f"Environment variable MODERATION_BACKEND={name!r} is invalid: expected rules or openai."
    )


@lru_cache(maxsize=1)
def _rules() -> RuleBackend:
    return RuleBackend()
