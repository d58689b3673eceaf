"""What every text writer takes and gives: parameters, context, the result, the errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from media_pipeline.backends.base import Reporter
from media_pipeline.request import InputInvalid

# The generation parameters a caller may set, in the shape of StoryCore's model documents
# (GET /ai/models). Requests use the camelCase keys; snake_case is accepted too.
PARAMETER_SPECS: dict[str, dict[str, Any]] = {
    "temperature": {
        "type": "number",
        "min": 0,
        "max": 2,
        "default": 0.7,
        "description": "Controls randomness of output",
    },
    "maxTokens": {
        "type": "integer",
        "min": 1,
        "max": 4096,
        "default": 1000,
        "description": "Maximum number of tokens to generate",
    },
    "topP": {
        "type": "number",
        "min": 0,
        "max": 1,
        "default": 1.0,
        "description": "Nucleus sampling: only the most likely choices making up this share",
    },
    "topK": {
        "type": "integer",
        "min": 1,
        "max": 1000,
        "default": None,
        "description": "Only the K most likely choices at each step (none: no limit)",
    },
}
_SNAKE = {"maxTokens": "max_tokens", "topP": "top_p", "topK": "top_k"}

# context.length, free-form in requests, read as one of these forms.
LENGTHS = ("sentence", "paragraph", "summary", "outline", "poem", "short_story", "story")
_LENGTH_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("poem", "verse", "haiku", "sonnet", "lyric", "song", "stanza"), "poem"),
    (("outline", "beat sheet", "treatment"), "outline"),
    (("summary", "synopsis", "logline", "blurb", "summari"), "summary"),
    (("sentence", "tagline", "one line", "one-line"), "sentence"),
    (("paragraph", "description", "describe"), "paragraph"),
    (("long", "chapter", "novel", "full story", "novella"), "story"),
    (("short", "story", "tale", "fable", "flash", "medium"), "short_story"),
)


class TextRequestInvalid(InputInvalid):
    """Parameters or context a writer refuses; `issues` name each field and why."""


class TextGenerationError(RuntimeError):
    """A writer could not produce text (server error, bad answer, timeout).

    `code` is the platform error code for the job's error; `retryable` says whether trying
    again later may help (timeouts, 429 and 5xx answers, refused connections).
    """

    code = "GENERATION_FAILED"

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class TextGenerationTimeout(TextGenerationError):
    """The text server did not answer, or did not finish, within LLM_TIMEOUT_SECONDS."""


@dataclass(frozen=True)
class GenerationParameters:
    """Checked generation parameters (see PARAMETER_SPECS)."""

    temperature: float = 0.7
    max_tokens: int = 1000
    top_p: float = 1.0
    top_k: int | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> GenerationParameters:
        """Read StoryCore's `parameters` object (camelCase or snake_case keys)."""
        raw = raw or {}
        issues: list[dict[str, str]] = []
        values: dict[str, Any] = {}
        for key, spec in PARAMETER_SPECS.items():
            value = raw.get(key, raw.get(_SNAKE.get(key, key)))
            if value is None:
                values[key] = spec["default"]
                continue
            integer = spec["type"] == "integer"
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok and integer and not float(value).is_integer():
                ok = False
            if ok and not math.isfinite(float(value)):
                ok = False
            if not ok or not spec["min"] <= value <= spec["max"]:
                kind = "An integer" if integer else "A number"
                issues.append(
                    {
                        "field": f"parameters.{key}",
                        "message": f"{kind} from {spec['min']} to {spec['max']}.",
                    }
                )
                continue
            values[key] = int(value) if integer else float(value)
        if issues:
            raise TextRequestInvalid(issues)
        return cls(
            temperature=values["temperature"],
            max_tokens=values["maxTokens"],
            top_p=values["topP"],
            top_k=values["topK"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "maxTokens": self.max_tokens,
            "topP": self.top_p,
            "topK": self.top_k,
        }


def canonical_length(length: str | None, prompt: str = "") -> str:
    """One of LENGTHS for a free-form `context.length`, else guessed from the prompt."""
    # Only the prompt's opening says what to write ("Write a poem about…"); later words
    # are the subject ("…a robot who waited a long time").
    for text in (length or "", " ".join(prompt.split()[:6])):
        words = text.lower().replace("_", " ")
        if words.replace(" ", "_") in LENGTHS:
            return words.replace(" ", "_")
        for hints, name in _LENGTH_WORDS:
            if any(hint in words for hint in hints):
                return name
    return "paragraph"


@dataclass(frozen=True)
class TextResult:
    """Generated text, the tokens used (prompt and answer), who wrote it, why it stopped.

    `finish_reason` is "stop" (the text is complete) or "length" (cut at maxTokens).
    """

    text: str
    tokens_used: int
    model: str
    finish_reason: str
    completion_tokens: int = 0


class TextWriter(Protocol):
    """Writes text for a prompt; reports progress and honours cancellation through `reporter`."""

    name: str  # the model id reported in results

    def generate(
        self,
        prompt: str,
        *,
        parameters: GenerationParameters,
        context: dict[str, Any],
        seed: int,
        reporter: Reporter,
    ) -> TextResult: ...
