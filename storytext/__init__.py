"""Text generation for POST /ai/text and the script breakdowns: one interface, two writers.

`RuleWriter` is the offline default: a deterministic template writer (see rules.py).
`OpenAICompatibleWriter` talks to any OpenAI-compatible server; it is used when LLM_BASE_URL
is set. `writer()` picks one by settings, `generate_text()` is what a job stage calls, and
`describe_writers()` lists both for the model registry (GET /ai/models).

Tokens are counted one way everywhere a count is ours to make (see english.count_tokens):
each word and each punctuation mark is one token. A server's own `usage` is used when given.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from media_pipeline.backends.base import Reporter
from storytext.core import (
    PARAMETER_SPECS,
    GenerationParameters,
    TextGenerationError,
    TextGenerationTimeout,
    TextRequestInvalid,
    TextResult,
    TextWriter,
    canonical_length,
)
from storytext.english import count_tokens
from storytext.openai_compatible import OpenAICompatibleWriter
from storytext.rules import RULE_WRITER_ID, RuleWriter
from storytext.vocabulary import canonical_genre

__all__ = [
    "PARAMETER_SPECS",
    "RULE_WRITER_ID",
    "GenerationParameters",
    "OpenAICompatibleWriter",
    "RuleWriter",
    "TextGenerationError",
    "TextGenerationTimeout",
    "TextRequestInvalid",
    "TextResult",
    "TextWriter",
    "canonical_genre",
    "canonical_length",
    "count_tokens",
    "describe_writers",
    "generate_text",
    "writer",
]

MAX_PROMPT_CHARS = 8000
RULE_ALIASES = {RULE_WRITER_ID, "rules", "rule", "offline", "local"}
LLM_WRITER_ID = "llm"  # the registry's id for "whatever model LLM_BASE_URL serves"


def writer(model: str | None = None) -> TextWriter:
    """The writer for a request's `model`: the rule writer when asked for or when no server is set.

    With LLM_BASE_URL set, any other model name (or none: LLM_MODEL) goes to that server,
    which decides whether it knows it. Without it, every request is written by the rule
    writer, and the result's `model` says so.
    """
    if model in RULE_ALIASES or not settings.LLM_BASE_URL:
        return RuleWriter()
    name = model if model and model != LLM_WRITER_ID else settings.LLM_MODEL
    return OpenAICompatibleWriter(
        base_url=settings.LLM_BASE_URL,
        model=name,
        api_key=settings.LLM_API_KEY,
        timeout=float(settings.LLM_TIMEOUT_SECONDS),
    )


def generate_text(
    prompt: str,
    *,
    parameters: dict[str, Any] | None,
    context: dict[str, Any] | None,
    seed: int,
    reporter: Reporter,
    model: str | None = None,
) -> TextResult:
    """Text for StoryCore's POST /ai/text: `parameters` and `context` as the request has them.

    Raises TextRequestInvalid for a bad prompt or parameters, TextGenerationError when the
    writer fails, and lets the reporter's Cancelled through.
    """
    prompt = (prompt or "").strip()
    if not prompt:
        raise TextRequestInvalid([{"field": "prompt", "message": "The prompt may not be empty."}])
    if len(prompt) > MAX_PROMPT_CHARS:
        raise TextRequestInvalid(
            [{"field": "prompt", "message": f"At most {MAX_PROMPT_CHARS} characters."}]
        )
    checked = GenerationParameters.parse(parameters)
    return writer(model).generate(
        prompt, parameters=checked, context=dict(context or {}), seed=seed, reporter=reporter
    )


def describe_writers() -> list[dict[str, Any]]:
    """Both writers in the shape of StoryCore's model documents, each saying if it is available."""
    parameters = {key: dict(spec) for key, spec in PARAMETER_SPECS.items()}
    remote = bool(settings.LLM_BASE_URL)
    return [
        {
            "id": RULE_WRITER_ID,
            "name": "Rule-based story writer",
            "type": "text",
            "description": (
                "Offline template writer: stories, paragraphs, outlines, poems and summaries "
                "about the prompt's subject, deterministic for a seed. Not a language model."
            ),
            "version": "1.0",
            "parameters": parameters,
            "capabilities": ["text_generation", "story_writing", "script_breakdown"],
            "performance": {"speed": "fast", "accuracy": "low", "cost": "low"},
            "status": "active",
            "available": True,
        },
        {
            "id": LLM_WRITER_ID,
            "name": settings.LLM_MODEL if remote else "OpenAI-compatible language model",
            "type": "text",
            "description": (
                "A language model on an OpenAI-compatible server (LLM_BASE_URL), streamed."
            ),
            "version": settings.LLM_MODEL,
            "parameters": parameters,
            "capabilities": [
                "text_generation",
                "summarization",
                "translation",
                "script_breakdown",
            ],
            "performance": {"speed": "medium", "accuracy": "high", "cost": "medium"},
            "status": "active" if remote else "inactive",
            "available": remote,
        },
    ]
