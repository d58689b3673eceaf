"""The OpenAI-compatible backend, against a real HTTP server on a local socket."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from moderation.screening import (
    OpenAIModerationBackend,
    ScreeningUnavailable,
    get_backend,
    screen_text,
    screen_texts,
)


def _openai_result(scores: dict[str, float]) -> dict[str, Any]:
    """One result as OpenAI's /v1/moderations answers it."""
    return {
        "flagged": any(v >= 0.5 for v in scores.values()),
        "categories": {name: value >= 0.5 for name, value in scores.items()},
        "category_scores": scores,
    }


@dataclass
class FakeModerationServer:
    """Answers POST /v1/moderations with scores chosen per input text."""

    scores_for: dict[str, dict[str, float]] = field(default_factory=dict)
    status: int = 200
    raw_body: bytes | None = None
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                fake.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.raw_body is not None:
                    payload = fake.raw_body
                else:
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    results = [_openai_result(fake.scores_for.get(text, {})) for text in inputs]
                    payload = json.dumps(
                        {"id": "modr-1", "model": body["model"], "results": results}
                    ).encode()
                try:
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def fake_server() -> Iterator[FakeModerationServer]:
    fake = FakeModerationServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def openai_settings(settings, fake_server):
    settings.MODERATION_BACKEND = "openai"
    settings.MODERATION_BASE_URL = fake_server.url
    settings.MODERATION_API_KEY = "sk-test"
    settings.MODERATION_MODEL = "omni-moderation-latest"
    settings.MODERATION_TIMEOUT_SECONDS = 5
    settings.MODERATION_THRESHOLD = 0.7
    settings.MODERATION_REVIEW_THRESHOLD = 0.4
    return settings


def test_endpoint_scores_are_mapped_onto_our_categories(openai_settings, fake_server):
    text = "a text the model dislikes"
    fake_server.scores_for[text] = {
        "harassment": 0.2,
        "harassment/threatening": 0.91,
        "hate": 0.05,
        "self-harm/intent": 0.3,
        "sexual/minors": 0.01,
    }

    result = screen_text(text)

    assert result.backend == "openai"
    assert result.rejected
    assert result.categories["harassment"] == 0.91
    assert result.categories["hate_speech"] == 0.05
    assert result.categories["self_harm"] == 0.3
    assert result.score == 0.91
    assert {"category": "harassment", "message": "Moderation model: harassment/threatening"} in (
        result.reasons
    )
    [request] = fake_server.requests
    assert request["path"] == "/v1/moderations"
    assert request["body"] == {"model": "omni-moderation-latest", "input": [text]}
    assert request["auth"] == "Bearer sk-test"


def test_endpoint_violence_counts_half_so_fiction_is_not_rejected(openai_settings, fake_server):
    text = "Bullets shredded the windshield as the shooter fired from the rooftop."
    fake_server.scores_for[text] = {"violence": 0.96, "violence/graphic": 0.4}

    result = screen_text(text)

    assert result.status == "flagged"
    assert result.categories["violence"] == 0.48


def test_endpoint_sexual_minors_rejects_even_below_the_threshold(openai_settings, fake_server):
    fake_server.scores_for["x"] = {"sexual/minors": 0.45}

    assert screen_text("x").rejected


def test_several_fields_go_in_one_request_and_the_worst_decides(openai_settings, fake_server):
    fake_server.scores_for["title"] = {"hate": 0.1}
    fake_server.scores_for["body"] = {"hate": 0.8}

    result = screen_texts(["title", "body"])

    assert len(fake_server.requests) == 1
    assert fake_server.requests[0]["body"]["input"] == ["title", "body"]
    assert result.rejected and result.categories["hate_speech"] == 0.8


def test_rules_still_judge_what_the_endpoint_does_not(openai_settings, fake_server):
    spam = "Buy cheap followers now!!! Visit http://growfast.xyz, 1000 followers for $5"

    result = screen_text(spam)

    assert result.rejected
    assert result.categories["spam"] >= 0.7


def test_endpoint_error_status_is_unavailable_not_approved(openai_settings, fake_server):
    fake_server.status = 500
    fake_server.raw_body = b'{"error": "overloaded"}'

    with pytest.raises(ScreeningUnavailable, match="answered 500") as caught:
        screen_text("anything")
    assert caught.value.status_code == 503


def test_endpoint_answer_without_results_is_unavailable(openai_settings, fake_server):
    fake_server.raw_body = b"<html>not json</html>"

    with pytest.raises(ScreeningUnavailable, match="results"):
        screen_text("anything")


def test_slow_endpoint_times_out(fake_server):
    fake_server.delay = 1.0
    backend = OpenAIModerationBackend(base_url=fake_server.url, model="m", timeout=0.2)

    with pytest.raises(ScreeningUnavailable, match=r"did not answer within 0.2 s"):
        backend.evaluate(["anything"])


def test_unreachable_endpoint_is_unavailable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = OpenAIModerationBackend(base_url=f"http://127.0.0.1:{port}/v1", model="m")

    with pytest.raises(ScreeningUnavailable, match="could not be reached"):
        backend.evaluate(["anything"])


def test_openai_backend_without_a_base_url_is_a_clear_configuration_error(settings):
    settings.MODERATION_BACKEND = "openai"
    settings.MODERATION_BASE_URL = None

    with pytest.raises(ImproperlyConfigured, match="MODERATION_BASE_URL"):
        get_backend()
