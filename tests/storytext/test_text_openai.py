"""The OpenAI-compatible writer against a real HTTP server on a local port (no mocks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from media_pipeline.backends.base import Cancelled, NullReporter
from storytext import (
    GenerationParameters,
    OpenAICompatibleWriter,
    RuleWriter,
    TextGenerationError,
    TextGenerationTimeout,
    generate_text,
    writer,
)
from storytext.openai_compatible import chat_completions_url

WORDS = ["Once", " upon", " a", " time", ",", " a", " robot", " felt", " joy", "."]


class FakeLLM:
    """A chat completions server in a thread; `mode` picks how it answers the next requests."""

    def __init__(self) -> None:
        self.mode = "json"
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.answer = "".join(WORDS)
        self.chunk_delay = 0.0
        self.chunks = WORDS
        self.usage: dict[str, int] | None = {"prompt_tokens": 12, "completion_tokens": 10,
                                             "total_tokens": 22}  # fmt: skip
        self.client_gone = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.paths.append(self.path)
                fake.headers.append(dict(self.headers))
                getattr(fake, f"answer_{fake.mode}")(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer_json(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        payload: dict[str, Any] = {
            "id": "cmpl-1",
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.answer},
                    "finish_reason": "stop",
                }
            ],
        }
        if self.usage:
            payload["usage"] = self.usage
        data = json.dumps(payload).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _events(self, body: dict[str, Any]) -> Iterator[bytes]:
        for i, piece in enumerate(self.chunks):
            event = {
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": piece},
                        "finish_reason": "length" if i == len(self.chunks) - 1 else None,
                    }
                ],
            }
            yield f"data: {json.dumps(event)}\n\n".encode()
        if self.usage:
            yield f"data: {json.dumps({'choices': [], 'usage': self.usage})}\n\n".encode()
        yield b"data: [DONE]\n\n"

    def answer_sse(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            handler.wfile.write(b"5\r\n: hi\n\r\n")  # an SSE comment line, ignored
            for event in self._events(body):
                time.sleep(self.chunk_delay)
                handler.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.client_gone.set()

    def answer_sse_close(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """SSE whose end is the connection closing (no length, no chunked encoding)."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for event in self._events(body):
            handler.wfile.write(event)
            handler.wfile.flush()
        handler.close_connection = True

    def answer_error500(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        data = json.dumps({"error": {"message": "model overloaded", "type": "server"}}).encode()
        handler.send_response(500)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def answer_slow(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        time.sleep(1.5)
        self.answer_json(handler, body)

    def answer_content(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Answers with `self.answer` as a whole (for the shot list tests)."""
        self.answer_json(handler, body)


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


class RecordingReporter:
    """Keeps progress; raises Cancelled at the n-th check when `cancel_after` is set."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.fractions: list[float] = []
        self.checks = 0
        self.cancel_after = cancel_after
        self.logs: list[tuple[str, str]] = []

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.fractions.append(fraction)

    def check_cancelled(self) -> None:
        self.checks += 1
        if self.cancel_after is not None and self.checks >= self.cancel_after:
            raise Cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.logs.append((level, message))


PARAMS = GenerationParameters(temperature=0.5, max_tokens=64, top_p=0.8)


def test_base_urls_with_or_without_v1_reach_the_same_endpoint():
    assert chat_completions_url("http://h:8000") == "http://h:8000/v1/chat/completions"
    assert chat_completions_url("http://h:8000/v1/") == "http://h:8000/v1/chat/completions"
    assert chat_completions_url("https://h/openai/v1") == "https://h/openai/v1/chat/completions"
    assert chat_completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"


def test_a_non_streaming_answer_is_read_with_the_servers_usage(llm):
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="gemma3", api_key="k", stream=False)

    result = w.generate(
        "Write a story about a robot",
        parameters=PARAMS,
        context={"genre": "science fiction", "length": "short story"},
        seed=7,
        reporter=NullReporter(),
    )

    assert result.text == "Once upon a time, a robot felt joy."
    assert result.tokens_used == 22 and result.model == "gemma3"
    assert llm.paths == ["/v1/chat/completions"]
    sent = llm.requests[0]
    assert sent["model"] == "gemma3" and sent["stream"] is False
    assert (sent["temperature"], sent["max_tokens"], sent["top_p"], sent["seed"]) == (
        0.5,
        64,
        0.8,
        7,
    )
    assert sent["messages"][-1] == {"role": "user", "content": "Write a story about a robot"}
    assert "short story" in sent["messages"][0]["content"]
    assert llm.headers[0]["Authorization"] == "Bearer k"


def test_a_streamed_answer_is_assembled_and_reports_progress_as_tokens_arrive(llm):
    llm.mode, llm.chunk_delay = "sse", 0.03
    reporter = RecordingReporter()
    w = OpenAICompatibleWriter(base_url=llm.base_url + "/v1", model="m")

    result = w.generate("Tell me a story", parameters=PARAMS, context={}, seed=1, reporter=reporter)

    assert result.text == "Once upon a time, a robot felt joy."
    assert result.finish_reason == "length" and result.tokens_used == 22
    assert llm.requests[0]["stream"] is True
    assert reporter.checks >= len(WORDS)  # cancellation is looked at for every event
    assert len(reporter.fractions) >= 2 and reporter.fractions[-1] == 1.0
    assert all(0 <= f <= 1 for f in reporter.fractions)


def test_a_stream_without_usage_is_counted_and_a_closed_connection_ends_it(llm):
    llm.mode, llm.usage = "sse_close", None
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="m")

    result = w.generate("Tell me a story", parameters=PARAMS, context={}, seed=1,
                        reporter=NullReporter())  # fmt: skip

    assert result.text == "Once upon a time, a robot felt joy."
    # Counted: 10 answer tokens (8 words, 2 marks) plus the system and user messages.
    assert result.completion_tokens == 10
    assert result.tokens_used > result.completion_tokens


def test_a_server_error_becomes_a_clear_retryable_error(llm):
    llm.mode = "error500"
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="m")

    with pytest.raises(TextGenerationError) as caught:
        w.generate("Hi", parameters=PARAMS, context={}, seed=1, reporter=NullReporter())

    assert caught.value.status == 500 and caught.value.retryable
    assert "500" in str(caught.value) and "model overloaded" in str(caught.value)
    assert caught.value.code == "GENERATION_FAILED"


def test_a_slow_server_times_out(llm):
    llm.mode = "slow"
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="m", timeout=0.3)

    started = time.monotonic()
    with pytest.raises(TextGenerationTimeout):
        w.generate("Hi", parameters=PARAMS, context={}, seed=1, reporter=NullReporter())
    assert time.monotonic() - started < 1.4


def test_a_stream_that_runs_past_the_deadline_times_out(llm):
    llm.mode, llm.chunk_delay = "sse", 0.1
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="m", timeout=0.35)

    with pytest.raises(TextGenerationTimeout):
        w.generate("Hi", parameters=PARAMS, context={}, seed=1, reporter=NullReporter())


def test_cancelling_mid_stream_stops_reading_and_closes_the_connection(llm):
    llm.mode, llm.chunk_delay = "sse", 0.02
    llm.chunks = [f" word{i}" for i in range(200)]
    reporter = RecordingReporter(cancel_after=5)
    w = OpenAICompatibleWriter(base_url=llm.base_url, model="m")

    started = time.monotonic()
    with pytest.raises(Cancelled):
        w.generate("Hi", parameters=PARAMS, context={}, seed=1, reporter=reporter)

    assert time.monotonic() - started < 2  # not the 4 s the whole answer takes
    assert llm.client_gone.wait(3), "the server kept writing to a client that had left"


def test_an_unreachable_server_is_a_clear_retryable_error():
    w = OpenAICompatibleWriter(base_url="http://127.0.0.1:9", model="m", timeout=2)

    with pytest.raises(TextGenerationError) as caught:
        w.generate("Hi", parameters=PARAMS, context={}, seed=1, reporter=NullReporter())
    assert caught.value.retryable and "127.0.0.1:9" in str(caught.value)


def test_settings_pick_the_writer(llm, settings):
    settings.LLM_BASE_URL = None
    assert isinstance(writer(), RuleWriter)

    settings.LLM_BASE_URL, settings.LLM_MODEL = llm.base_url, "served-model"
    chosen = writer()
    assert isinstance(chosen, OpenAICompatibleWriter) and chosen.name == "served-model"
    assert isinstance(writer("rule-writer"), RuleWriter)
    llm.mode = "sse"
    result = generate_text("Hello", parameters={"maxTokens": 20}, context={}, seed=3,
                           reporter=NullReporter(), model="gemma3")  # fmt: skip
    assert llm.requests[0]["model"] == "gemma3" and llm.requests[0]["max_tokens"] == 20
    assert result.text.startswith("Once upon a time")
