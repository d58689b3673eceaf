"""What a screen returns: per-category scores, reasons, and the decision drawn from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

ScreeningStatus = Literal["approved", "flagged", "rejected"]

# The categories a screen scores. Three are StoryForge's report reasons as they are
# (harassment, spam, copyright_violation); the document's `inappropriate_content` is split
# into the kinds a screen can tell apart. `misinformation` and `other` are left to people:
# whether a claim is true cannot be read off the words.
CATEGORIES: tuple[str, ...] = (
    "harassment",
    "hate_speech",
    "violence",
    "sexual_content",
    "sexual_minors",
    "self_harm",
    "spam",
    "copyright_violation",
)

# The report reason (StoryForge `POST /report` `reason`) a category files under.
REPORT_REASON: dict[str, str] = {
    "harassment": "harassment",
    "hate_speech": "inappropriate_content",
    "violence": "inappropriate_content",
    "sexual_content": "inappropriate_content",
    "sexual_minors": "inappropriate_content",
    "self_harm": "inappropriate_content",
    "spam": "spam",
    "copyright_violation": "copyright_violation",
}


class Reason(TypedDict):
    """Why a category scored: the category, a sentence for people, the matched words."""

    category: str
    message: str
    excerpt: NotRequired[str]


@dataclass(frozen=True)
class Evidence:
    """A backend's raw output for one text: a score per category and the reasons."""

    categories: dict[str, float]
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class ScreeningResult:
    """The outcome of screening: `rejected` content ends `moderation_failed`.

    status: `approved` (score below the review threshold), `flagged` (at or above the review
    threshold: published, and worth a moderator's look), `rejected` (at or above the
    threshold, or any sign of sexual content involving minors). score: the highest category
    score, 0-1 (the film job API's `moderation_score`). categories: every category's score.
    reasons: the evidence for the categories that reached the review threshold.
    """

    status: ScreeningStatus
    score: float
    categories: dict[str, float]
    reasons: list[Reason]
    backend: str = "rules"

    @property
    def flagged(self) -> bool:
        """Whether anything was found that needs attention (flagged or rejected)."""
        return self.status != "approved"

    @property
    def rejected(self) -> bool:
        """Whether the content must not be used: the job ends `moderation_failed`."""
        return self.status == "rejected"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, for a job's result or a moderation log."""
        return {
            "status": self.status,
            "score": self.score,
            "categories": dict(self.categories),
            "reasons": [dict(r) for r in self.reasons],
            "backend": self.backend,
        }


def decide(
    evidence: Evidence, *, threshold: float, review_threshold: float, backend: str
) -> ScreeningResult:
    """Draw the decision from a backend's evidence and the configured thresholds."""
    categories = {c: round(float(evidence.categories.get(c, 0.0)), 3) for c in CATEGORIES}
    score = max(categories.values())
    if score >= threshold or categories["sexual_minors"] >= review_threshold:
        status: ScreeningStatus = "rejected"
    elif score >= review_threshold:
        status = "flagged"
    else:
        status = "approved"
    seen: set[tuple[str, str, str]] = set()
    reasons: list[Reason] = []
    for reason in evidence.reasons:
        key = (reason["category"], reason["message"], reason.get("excerpt", ""))
        if categories.get(reason["category"], 0.0) >= review_threshold and key not in seen:
            seen.add(key)
            reasons.append(reason)
    return ScreeningResult(
        status=status, score=score, categories=categories, reasons=reasons, backend=backend
    )


def worst(evidence: list[Evidence]) -> Evidence:
    """Several fields screened as one: each category's highest score, all the reasons."""
    categories = dict.fromkeys(CATEGORIES, 0.0)
    reasons: list[Reason] = []
    for item in evidence:
        for category, value in item.categories.items():
            if category in categories:
                categories[category] = max(categories[category], value)
        reasons.extend(item.reasons)
    return Evidence(categories=categories, reasons=reasons)
