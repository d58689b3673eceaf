"""The assistant's words, from storytext's text backends (the same ones as POST /ai/text).

Offline (no LLM_BASE_URL) the rule writer writes a short paragraph about the step and the
decisions, and the choices are the workflow's own (chat.workflow). With LLM_BASE_URL set, the
OpenAI-compatible model is asked for a JSON object `{"content", "choices"}` that fits a JSON
schema; its choices are validated (2 to 4, each with a title and description) and replace the
workflow's, keeping each offered choice's structured `metadata.value`. A failed or invalid
answer falls back to the offline writer, and the message's metadata says which backend wrote it.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings

import storytext
from chat.workflow import MAX_CHOICES, MIN_CHOICES
from media_pipeline.backends.base import NullReporter
from storytext.core import GenerationParameters, TextGenerationError
from storytext.openai_compatible import OpenAICompatibleWriter

logger = logging.getLogger(__name__)

STEP_GUIDES: dict[str, str] = {
    "concept-development": "Shape the story's core concept",
    "genre-selection": "Pick the genre that fits the concept",
    "setting-selection": "Choose where and when the story takes place",
    "character-development": "Decide who the story follows",
    "plot-outline": "Outline how the story unfolds",
    "episode-breakdown": "Decide how many episodes tell it",
    "visual-style": "Choose the look of the film",
    "sound-design": "Choose the sound and music",
    "storyboard": "Choose how the first scene is shot",
    "production": "Turn the decisions into a scene and render it",
}

CHOICES_SCHEMA: dict[str, Any] = {
    "name": "chat_answer",
    "schema": {
        "type": "object",
        "required": ["content", "choices"],
        "additionalProperties": False,
        "properties": {
            "content": {"type": "string"},
            "choices": {
                "type": "array",
                "minItems": MIN_CHOICES,
                "maxItems": MAX_CHOICES,
                "items": {
                    "type": "object",
                    "required": ["title", "description"],
                    "additionalProperties": False,
                    "properties": {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Answer:
    """The assistant's answer: its words, the choices offered, who wrote it, how long it took."""

    content: str
    choices: list[dict[str, Any]]
    backend: str
    processing_ms: int


def _summary(context: dict[str, Any]) -> str:
    parts = []
    for key in ("concept", "genre", "setting", "plot", "style", "sound"):
        value = (context.get(key) or {}).get("value")
        if value:
            parts.append(f"{key}: {value}")
    characters = (context.get("characters") or {}).get("value") or []
    if characters:
        parts.append("characters: " + ", ".join(c.get("name", "") for c in characters))
    return "; ".join(parts)


def _prompt(step: str, context: dict[str, Any], user_text: str) -> str:
    summary = _summary(context)
    text = f"{STEP_GUIDES[step]}."
    if summary:
        text += f" So far: {summary}."
    if user_text:
        text += f" The team says: {user_text}"
    return text


def _seed(session_id: str, position: int) -> int:
    return zlib.crc32(f"{session_id}:{position}".encode())


def _offline(
    step: str, context: dict[str, Any], user_text: str, choices: list[dict[str, Any]], seed: int
) -> tuple[str, str]:
    # The rule writer writes stories, not advice: it is given the pitch as the decisions
    # have shaped it, and its paragraph shows the team how the story could read.
    pitch = str((context.get("concept") or {}).get("value") or "") or user_text or "A new film"
    setting = (context.get("setting") or {}).get("value")
    prompt = f"A story about {pitch}" + (f", set in {setting}" if setting else "")
    result = storytext.generate_text(
        prompt,
        parameters={"maxTokens": 120},
        context={"genre": (context.get("genre") or {}).get("value"), "length": "paragraph"},
        seed=seed,
        reporter=NullReporter(),
        model="offline",
    )
    titles = "; ".join(c["title"] for c in choices)
    content = (
        f"{STEP_GUIDES[step]}. How it could read so far: {result.text.strip()} Options: {titles}."
    )
    return content, result.model


def _validated(raw: str, offered: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The model's JSON answer checked; its choices take the offered ones' ids and values."""
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("content"), str):
        raise ValueError("no content")
    items = data.get("choices")
    if not isinstance(items, list) or not MIN_CHOICES <= len(items) <= MAX_CHOICES:
        raise ValueError("choices must be a list of 2 to 4")
    if offered and len(items) > len(offered):
        # Each choice carries an offered one's structured decision; extra ones have none.
        items = items[: len(offered)]
    choices = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError("a choice is not an object")
        title, description = item.get("title"), item.get("description")
        if not (isinstance(title, str) and title.strip() and isinstance(description, str)):
            raise ValueError("a choice lacks a title or description")
        base = offered[index] if index < len(offered) else None
        metadata = dict(base["metadata"]) if base else {"value": title.strip()[:200]}
        choices.append(
            {
                "id": f"choice-{index + 1}",
                "title": title.strip()[:200],
                "description": description.strip()[:1000],
                "metadata": metadata,
            }
        )
    return data["content"].strip(), choices


def _remote(
    step: str, context: dict[str, Any], user_text: str, offered: list[dict[str, Any]], seed: int
) -> tuple[str, list[dict[str, Any]], str]:
    writer = OpenAICompatibleWriter(
        base_url=str(settings.LLM_BASE_URL),
        model=settings.LLM_MODEL,
        api_key=settings.LLM_API_KEY,
        timeout=float(settings.LLM_TIMEOUT_SECONDS),
        stream=False,
    )
    system = (
        "You guide a film team through a workflow, one step at a time. Answer in JSON with "
        "`content` (two or three sentences for the current step) and `choices` (2 to 4, each "
        "with `title` and `description`), building on the decisions so far. Suggested choices: "
        + json.dumps([{"title": c["title"], "description": c["description"]} for c in offered])
    )
    result = writer.chat(
        [
            {"role": "system", "content": system},
            {"role": "user", "content": _prompt(step, context, user_text)},
        ],
        parameters=GenerationParameters(max_tokens=600),
        seed=seed,
        reporter=NullReporter(),
        json_schema=CHOICES_SCHEMA,
    )
    content, choices = _validated(result.text, offered)
    return content, choices, result.model


def answer(
    *,
    step: str,
    context: dict[str, Any],
    user_text: str,
    offered: list[dict[str, Any]],
    session_id: str,
    position: int,
) -> Answer:
    """The assistant's answer for `step`: words and 2 to 4 choices (`offered` by default)."""
    started = time.perf_counter()
    seed = _seed(session_id, position)
    choices, backend = offered, ""
    content = ""
    if settings.LLM_BASE_URL:
        try:
            content, choices, model = _remote(step, context, user_text, offered, seed)
            backend = f"llm:{model}"
        except (TextGenerationError, ValueError) as error:  # json errors are ValueErrors
            logger.warning("The model's chat answer was unusable (%s); writing offline", error)
            choices = offered
    if not content:
        content, model = _offline(step, context, user_text, offered, seed)
        backend = model
    elapsed = round((time.perf_counter() - started) * 1000)
    return Answer(content=content, choices=choices, backend=backend, processing_ms=elapsed)
