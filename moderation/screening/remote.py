"""Screening through an OpenAI-compatible moderation endpoint (`POST {base}/moderations`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import requests

from config.api.errors import ApiError, ErrorCode
from moderation.screening.result import CATEGORIES, Evidence, Reason
from moderation.screening.rules import RuleBackend


class ScreeningUnavailable(ApiError):
    """The configured moderation service could not give an answer; nothing was approved."""

    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = "Content screening is unavailable; try again shortly"


# The endpoint's category names (OpenAI's, with / or _ or -) onto ours, with a factor.
# Its `violence` and `violence/graphic` cover depictions of violence, which fiction is full of;
# ours is real-world harm, so they count half: they can send a text to review, not reject it.
_CATEGORY_MAP: dict[str, tuple[str, float]] = {
    "harassment": ("harassment", 1.0),
    "harassment_threatening": ("harassment", 1.0),
    "hate": ("hate_speech", 1.0),
    "hate_threatening": ("hate_speech", 1.0),
    "self_harm": ("self_harm", 1.0),
    "self_harm_intent": ("self_harm", 1.0),
    "self_harm_instructions": ("self_harm", 1.0),
    "sexual": ("sexual_content", 1.0),
    "sexual_minors": ("sexual_minors", 1.0),
    "violence": ("violence", 0.5),
    "violence_graphic": ("violence", 0.5),
    "illicit_violent": ("violence", 1.0),
}
_BODY_EXCERPT = 200


class OpenAIModerationBackend:
    """Scores from an OpenAI-compatible `/moderations` endpoint, merged with the rules.

    The endpoint does not judge spam or copying, and a second opinion costs microseconds, so
    each category's score is the higher of the endpoint's and the rule screen's.
    """

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 10.0,
        rules: RuleBackend | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/moderations"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.rules = rules or RuleBackend()

    def evaluate(self, texts: Sequence[str], *, context: str = "") -> list[Evidence]:
        if not texts:
            return []
        remote = [_evidence(result) for result in self._post(list(texts))]
        local = self.rules.evaluate(texts, context=context)
        return [_merge(r, ours) for r, ours in zip(remote, local, strict=True)]

    def _post(self, texts: list[str]) -> list[dict[str, Any]]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            response = requests.post(
                self.url,
                json={"model": self.model, "input": texts},
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise ScreeningUnavailable(
                f"The moderation endpoint {self.url} did not answer within {self.timeout:g} s"
            ) from None
        except requests.RequestException as exc:
            raise ScreeningUnavailable(
                f"The moderation endpoint {self.url} could not be reached: {type(exc).__name__}"
            ) from None
        if response.status_code != 200:
            raise ScreeningUnavailable(
                f"The moderation endpoint {self.url} answered {response.status_code}: "
                f"{response.text[:_BODY_EXCERPT]}"
            )
        try:
            results = response.json()["results"]
        except (ValueError, KeyError, TypeError):
            raise ScreeningUnavailable(
                f"The moderation endpoint {self.url} answered without a `results` list"
            ) from None
        if not isinstance(results, list) or len(results) != len(texts):
            count = len(results) if isinstance(results, list) else "no"
            raise ScreeningUnavailable(
                f"The moderation endpoint {self.url} answered {count} results for "
                f"{len(texts)} inputs"
            )
        return results


def _key(name: str) -> str:
    return name.lower().replace("/", "_").replace("-", "_")


def _evidence(result: dict[str, Any]) -> Evidence:
    """One result of the endpoint in our categories."""
    if not isinstance(result, dict):
        raise ScreeningUnavailable(
            "The moderation endpoint answered a result that is not an object"
        )
    raw_scores = result.get("category_scores") or {}
    raw_flags = result.get("categories") or {}
    scores = dict.fromkeys(CATEGORIES, 0.0)
    reasons: list[Reason] = []
    for name in {*raw_scores, *raw_flags}:
        mapped = _CATEGORY_MAP.get(_key(name))
        if mapped is None:
            continue
        category, factor = mapped
        value = raw_scores.get(name)
        try:
            score = float(value) if value is not None else (1.0 if raw_flags.get(name) else 0.0)
        except (TypeError, ValueError):
            raise ScreeningUnavailable(
                f"The moderation endpoint answered a score that is not a number for {name!r}"
            ) from None
        score = min(1.0, max(0.0, score)) * factor
        if score > scores[category]:
            scores[category] = score
        if raw_flags.get(name):
            reasons.append(Reason(category=category, message=f"Moderation model: {name}"))
    return Evidence(categories=scores, reasons=reasons)


def _merge(remote: Evidence, local: Evidence) -> Evidence:
    categories = {
        c: max(remote.categories.get(c, 0.0), local.categories.get(c, 0.0)) for c in CATEGORIES
    }
    return Evidence(categories=categories, reasons=[*remote.reasons, *local.reasons])
