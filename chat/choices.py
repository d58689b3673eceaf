"""The chat app's choice lists: the workflow's ten steps, session states, message roles."""

from __future__ import annotations

from django.db import models

# The AI Movie Platform's guided workflow, in order (issue 15).
STEPS: tuple[str, ...] = (
    "concept-development",
    "genre-selection",
    "setting-selection",
    "character-development",
    "plot-outline",
    "episode-breakdown",
    "visual-style",
    "sound-design",
    "storyboard",
    "production",
)
FIRST_STEP = STEPS[0]
LAST_STEP = STEPS[-1]


def step_index(step: str) -> int:
    return STEPS.index(step)


def percentage_for(completed: int) -> int:
    """The workflow's percentage once `completed` steps are done (0-100)."""
    return round(100 * completed / len(STEPS))


class SessionStatus(models.TextChoices):
    """active ⇄ paused; active → completed (production started). Completed is final."""

    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"


class MessageRole(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"
