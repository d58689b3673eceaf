"""A writer backed by any OpenAI-compatible chat completions server (vLLM, llama.cpp, Ollama…).

It streams (`stream: true`) and reads the server-sent events as they arrive, so progress is
reported while tokens come in and a cancelled job stops between two chunks, closing the
connection (the server then stops generating). One deadline, LLM_TIMEOUT_SECONDS, covers the
whole exchange, and the same value bounds each wait for the next bytes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from media_pipeline.backends.base import Reporter
from storytext import english
from storytext.core import (
    GenerationParameters,
    TextGenerationError,
    TextGenerationTimeout,
    TextResult,
    canonical_length,
)
from storytext.vocabulary import canonical_genre

logger = logging.getLogger(__name__)

LENGTH_INSTRUCTIONS = {
    "sentence": "a single sentence",
    "paragraph": "one paragraph",
    "summary": "a short summary of two or three sentences",
    "outline": "a numbered outline of the story's beats, with a title",
    "poem": "a short poem of a few stanzas",
    "short_story": "a short story of several paragraphs with a beginning, a turn and an ending",
    "story": "a complete story of many paragraphs",
}
PROGRESS_INTERVAL_SECONDS = 0.25  # progress may be a database write; don't send one per token


def chat_completions_url(base_url: str) -> str:
    """The chat completions URL for a base URL given with or without its /v1 (or the full URL)."""
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    last = urlsplit(base).path.rsplit("/", 1)[-1]
    if not (last.startswith("v") and last[1:].isdigit()):
        base += "/v1"
    return base + "/chat/completions"


class OpenAICompatibleWriter:
    """Text from an OpenAI-compatible server's /chat/completions, streamed by default."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 60.0,
        stream: bool = True,
        session: requests.Session | None = None,
    ) -> None:
        self.url = chat_completions_url(base_url)
        self.name = model
        self.api_key = api_key
        self.timeout = timeout
        self.stream = stream
        self.session = session or requests.Session()

    def generate(
        self,
        prompt: str,
        *,
        parameters: GenerationParameters,
        context: dict[str, Any],
        seed: int,
        reporter: Reporter,
    ) -> TextResult:
        genre = canonical_genre(context.get("genre"), prompt)
        length = canonical_length(context.get("length"), prompt)
        genre_words = context.get("genre") or genre
        system = (
            f"You are a skilled creative writer. Write {LENGTH_INSTRUCTIONS[length]} in the "
            f"{genre_words} genre. Reply with the text only, without a preface."
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        return self.chat(messages, parameters=parameters, seed=seed, reporter=reporter)

    def chat(
        self,
        messages: list[dict[str, str]],
        *,
        parameters: GenerationParameters,
        seed: int | None,
        reporter: Reporter,
        json_object: bool = False,
        json_schema: dict[str, Any] | None = None,
    ) -> TextResult:
        """One chat completion; `json_object` asks the server for a JSON object answer,
        `json_schema` ({"name", "schema"}) for one that fits a JSON schema (structured output)."""
        body: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "temperature": parameters.temperature,
            "max_tokens": parameters.max_tokens,
            "top_p": parameters.top_p,
            "stream": self.stream,
        }
        # top_k is not part of OpenAI's API (its server refuses unknown fields); it is left
        # to the server's default.
        if seed is not None:
            body["seed"] = seed
        if json_schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": json_schema}
        elif json_object:
            body["response_format"] = {"type": "json_object"}
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        deadline = time.monotonic() + self.timeout
        reporter.check_cancelled()
        try:
            response = self.session.post(
                self.url,
                json=body,
                headers=headers,
                stream=self.stream,
                timeout=(min(self.timeout, 10.0), self.timeout),
            )
        except requests.Timeout as exc:
            raise TextGenerationTimeout(
                f"The text server at {self.url} did not answer within {self.timeout:g} s.",
                retryable=True,
            ) from exc
        except requests.RequestException as exc:
            raise TextGenerationError(
                f"Could not reach the text server at {self.url}: {exc.__class__.__name__}.",
                retryable=True,
            ) from exc
        with response:
            if response.status_code >= 400:
                raise _http_error(response, self.url)
            prompt_tokens = sum(english.count_tokens(m.get("content", "")) for m in messages)
            if self.stream:
                return self._read_stream(response, parameters, prompt_tokens, deadline, reporter)
            return self._read_whole(response, prompt_tokens)

    def _read_whole(self, response: requests.Response, prompt_tokens: int) -> TextResult:
        try:
            payload = response.json()
            choice = payload["choices"][0]
            text = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise TextGenerationError(
                f"The text server at {self.url} gave an answer that is not a chat completion."
            ) from exc
        return _result(
            text,
            usage=payload.get("usage") or {},
            prompt_tokens=prompt_tokens,
            model=str(payload.get("model") or self.name),
            finish_reason=choice.get("finish_reason"),
        )

    def _read_stream(
        self,
        response: requests.Response,
        parameters: GenerationParameters,
        prompt_tokens: int,
        deadline: float,
        reporter: Reporter,
    ) -> TextResult:
        parts: list[str] = []
        chunks = 0
        finish_reason = ""
        model = self.name
        usage: dict[str, Any] = {}
        last_report = 0.0
        for data in _sse_data(response, deadline, self.timeout):
            reporter.check_cancelled()
            if data == "[DONE]":
                break
            try:
                event = json.loads(data)
            except ValueError as exc:
                raise TextGenerationError(
                    f"The text server at {self.url} sent an event that is not JSON."
                ) from exc
            if not isinstance(event, dict):
                continue
            if event.get("error"):
                raise TextGenerationError(
                    f"The text server at {self.url} failed mid-answer: "
                    f"{_error_message(event['error'])}",
                    retryable=True,
                )
            model = str(event.get("model") or model)
            usage = event.get("usage") or usage
            for choice in event.get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    parts.append(piece)
                    chunks += 1
                finish_reason = choice.get("finish_reason") or finish_reason
            now = time.monotonic()
            if now - last_report >= PROGRESS_INTERVAL_SECONDS:
                last_report = now
                # A chunk is about one token on every server we know.
                fraction = min(0.99, chunks / max(1, parameters.max_tokens))
                reporter.progress(fraction, f"{chunks} tokens received")
        reporter.progress(1.0, "Text received")
        return _result(
            "".join(parts),
            usage=usage,
            prompt_tokens=prompt_tokens,
            model=model,
            finish_reason=finish_reason,
        )


def _result(
    text: str, *, usage: dict[str, Any], prompt_tokens: int, model: str, finish_reason: Any
) -> TextResult:
    """The answer as a TextResult: the server's token counts where it gave them, else ours."""
    completion = english.count_tokens(text)
    return TextResult(
        text=text,
        tokens_used=int(usage.get("total_tokens") or prompt_tokens + completion),
        model=model,
        finish_reason=str(finish_reason or "stop"),
        completion_tokens=int(usage.get("completion_tokens") or completion),
    )


def _raw_chunks(response: requests.Response, timeout: float) -> Iterator[bytes]:
    """Bytes as they arrive, whether the stream is chunked or ends when the server closes."""
    raw = response.raw
    while True:
        try:
            chunk = raw.read1(65536, decode_content=True)
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            raise TextGenerationTimeout(
                f"The text server stopped sending for {timeout:g} s.", retryable=True
            ) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TextGenerationError(
                "The connection to the text server broke mid-answer.", retryable=True
            ) from exc
        if not chunk:
            return
        yield chunk


def _sse_data(response: requests.Response, deadline: float, timeout: float) -> Iterator[str]:
    """The `data:` payloads of a server-sent event stream, one per event, as they arrive."""
    buffer = b""
    data_lines: list[str] = []
    for chunk in _raw_chunks(response, timeout):
        if time.monotonic() > deadline:
            raise TextGenerationTimeout(
                f"The text server did not finish its answer within {timeout:g} s.",
                retryable=True,
            )
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw_line in lines:
            line = raw_line.decode("utf-8", errors="replace").rstrip("\r")
            if not line:
                if data_lines:
                    yield "\n".join(data_lines)
                    data_lines = []
            elif line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            # Comments (":") and other fields (event:, id:, retry:) carry nothing we use.
    tail = buffer.decode("utf-8", errors="replace").strip()
    if tail.startswith("data:"):
        data_lines.append(tail[5:].strip())
    if data_lines:
        yield "\n".join(data_lines)


def _error_message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or error)[:300]
    return str(error)[:300]


def _http_error(response: requests.Response, url: str) -> TextGenerationError:
    status = response.status_code
    try:
        detail = _error_message(response.json().get("error") or response.json())
    except (ValueError, AttributeError):
        detail = response.text[:300].strip()
    message = f"The text server at {url} answered {status} {response.reason}"
    if detail:
        message += f": {detail}"
    retryable = status == 429 or status >= 500
    logger.warning("text server error", extra={"status": status, "url": url})
    return TextGenerationError(message, status=status, retryable=retryable)
