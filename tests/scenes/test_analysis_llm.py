"""The language model's analyser, against a real chat completions server on a local port."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from scenes.analysis import LlmAnalyzer, RuleAnalyzer, analyzer, errors
from tests.scenes.analysis_stories import DOC_CONTINUATION, DOC_IDEA, DOC_SCRIPT, DOC_TITLE

ROUTES = {
    "Build the bible of segment 1": "initial",
    "complete updated bible": "update",
    "continuity errors": "validate",
    "shot list": "shots",
}


class FakeChat:
    """Answers POST /v1/chat/completions with canned content chosen by the system prompt."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                system = body["messages"][0]["content"]
                route = next((r for text, r in ROUTES.items() if text in system), "")
                content = fake.answers.get(route, "")
                if fake.status != 200:
                    data = json.dumps({"error": {"message": "overloaded"}}).encode()
                    self.send_response(fake.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for i in range(0, len(content), 40):  # a few chunks, as servers send
                        delta = {"choices": [{"delta": {"content": content[i : i + 40]}}]}
                        self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.close_connection = True
                    return
                data = json.dumps(
                    {"choices": [{"message": {"content": content}, "finish_reason": "stop"}]}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def routes(self) -> list[str]:
        return [
            next((r for text, r in ROUTES.items() if text in req["messages"][0]["content"]), "")
            for req in self.requests
        ]


@pytest.fixture
def chat(settings) -> Iterator[FakeChat]:
    fake = FakeChat()
    fake.thread.start()
    settings.LLM_BASE_URL = fake.url
    settings.LLM_MODEL = "story-model"
    settings.LLM_TIMEOUT_SECONDS = 5
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


class RecordingReporter:
    def __init__(self) -> None:
        self.logs: list[tuple[str, str]] = []

    def progress(self, fraction: float, message: str | None = None) -> None:
        pass

    def check_cancelled(self) -> None:
        pass

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.logs.append((level, message))


MODEL_BIBLE = {
    "characters": [
        {
            "entityId": "char_maya",
            "canonicalName": "Maya Chen",
            "aliases": "Captain Chen, Maya",  # a string where a list belongs: repaired
            "description": "Captain of the Horizon",
            "traits": ["determined"],
            "relationships": [],
            "introducedInSegment": 1,
            "isActive": True,
            "mood": "tense",  # not part of the structure: dropped
        }
    ],
    "setting": {
        "primaryLocation": "Starship Horizon",
        "timePeriod": "Year 3042",
        "worldRules": ["FTL travel takes months, not instant"],
        "locations": [{"name": "Aurora", "description": "Colony ship, silent for 500 years"}],
    },
    "timeline": {
        "currentPoint": "Day 1 after receiving the signal",
        "majorEvents": [
            {
                "segmentNumber": 1,
                "event": "Mysterious signal received from Aurora",
                "consequences": "Crew debates whether to investigate",
            }
        ],
    },
    "plotThreads": [
        {
            "id": "thread_signal",
            "description": "Mystery of the Aurora's message",
            "status": "active",
        }
    ],
    "styleGuide": {
        "tone": "tense, mysterious",
        "genre": "space opera / mystery",
        "visualStyle": "dark, atmospheric",
        "narrativeStyle": "third person limited (Maya)",
    },
}


def test_with_llm_base_url_set_the_analyzer_asks_the_model(chat):
    assert isinstance(analyzer(), LlmAnalyzer)


def test_the_models_bible_is_checked_and_repaired(chat):
    chat.answers["initial"] = "```json\n" + json.dumps(MODEL_BIBLE) + "\n```"
    bible = analyzer().initial_bible(script=DOC_SCRIPT, title=DOC_TITLE, idea=DOC_IDEA)
    maya = bible["characters"][0]
    assert maya["aliases"] == ["Captain Chen", "Maya"]
    assert "mood" not in maya
    assert bible["setting"]["primaryLocation"] == "Starship Horizon"
    assert bible["timeline"]["majorEvents"][0]["event"] == "Mysterious signal received from Aurora"
    request = chat.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert request["model"] == "story-model"
    assert DOC_SCRIPT in request["messages"][1]["content"]


@pytest.mark.parametrize(
    "answer",
    [
        "I am sorry, I cannot help with that.",
        json.dumps({"characters": {"Maya": "captain"}}),
        json.dumps({"characters": [{"aliases": ["Maya"]}]}),
        json.dumps(["not", "an", "object"]),
    ],
)
def test_an_unusable_bible_falls_back_to_the_rules_with_a_warning(chat, caplog, answer):
    chat.answers["initial"] = answer
    reporter = RecordingReporter()
    with caplog.at_level(logging.WARNING, logger="scenes.analysis.llm"):
        bible = analyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA, reporter=reporter)
    assert bible == RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    assert "using the rule analysis" in caplog.text
    assert [level for level, _message in reporter.logs] == ["warning"]


def test_a_server_error_falls_back_to_the_rules(chat):
    chat.status = 500
    bible = analyzer().initial_bible(script=DOC_SCRIPT)
    assert bible == RuleAnalyzer().initial_bible(script=DOC_SCRIPT)


def test_the_models_issues_are_checked_and_the_rule_checks_still_hold(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    chat.answers["validate"] = json.dumps(
        {
            "issues": [
                {
                    "type": "time_jump",
                    "severity": "warning",
                    "description": "The scene skips ahead a day",
                    "suggestion": "Say so",
                },
                {"type": "vibes", "severity": "error", "description": "Not a known type"},
                {"type": "name_drift", "severity": "catastrophic", "description": "Bad severity"},
            ]
        }
    )
    text = "'We cannot ignore this,' Captain Williams said."
    issues = analyzer().validate(text=text, shots=[], bible=bible, segment_number=2)
    # The model saw nothing wrong with the name: the rule check catches it anyway.
    assert [(i["type"], i["severity"]) for i in issues] == [
        ("name_drift", "error"),
        ("time_jump", "warning"),
    ]
    assert issues[1] == {
        "type": "time_jump",
        "severity": "warning",
        "description": "The scene skips ahead a day",
        "suggestion": "Say so",
        "segment": 2,
    }


def test_a_model_error_the_rules_miss_fails_the_job(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    chat.answers["validate"] = json.dumps(
        {
            "issues": [
                {
                    "type": "world_rule",
                    "severity": "error",
                    "description": "Earth cannot answer: it was destroyed",
                    "suggestion": "Remove the call from Earth",
                }
            ]
        }
    )
    issues = analyzer().validate(
        text="Earth answered the call.", shots=[], bible=bible, segment_number=2
    )
    assert [i["type"] for i in errors(issues)] == ["world_rule"]


def test_unusable_issues_fall_back_to_the_rule_checks(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    chat.answers["validate"] = json.dumps({"issues": "none found"})
    issues = analyzer().validate(text=DOC_CONTINUATION, shots=[], bible=bible, segment_number=2)
    assert issues == []
    assert chat.routes() == ["validate"]


def test_the_models_update_keeps_what_the_bible_had(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    # The model forgets Maya, reuses her id for someone new and drops segment 1's event.
    chat.answers["update"] = json.dumps(
        {
            "characters": [
                {"entityId": "char_maya", "canonicalName": "Ren Ito", "aliases": ["Ren"],
                 "introducedInSegment": 2},
                {"entityId": "char_x", "canonicalName": "Maya Chen", "aliases": ["Chen"],
                 "traits": ["shaken"], "relationships": [
                     {"targetEntityId": "char_maya", "relationshipType": "navigator"}]},
            ],
            "setting": {"locations": [{"name": "Earth", "description": "Home, no longer"}]},
            "timeline": {
                "currentPoint": "Moments after decoding the warning",
                "majorEvents": [{"segmentNumber": 2, "event": "The warning is decoded"}],
            },
            "plotThreads": [{"id": "thread_signal", "description": "Mystery of the warning"}],
            "styleGuide": {"tone": "cheerful"},
        }
    )  # fmt: skip
    updated = analyzer().update_bible(bible=bible, text=DOC_CONTINUATION, shots=[],
                                      segment_number=2)  # fmt: skip
    assert bible["timeline"]["majorEvents"][0]["segmentNumber"] == 1  # the old one untouched
    maya, ren = updated["characters"]
    assert (maya["entityId"], maya["canonicalName"]) == ("char_maya", "Maya Chen")
    assert maya["aliases"] == ["Captain Chen", "Maya", "Captain Maya Chen", "Chen"]
    assert maya["traits"] == ["shaken"]
    assert (ren["canonicalName"], ren["introducedInSegment"]) == ("Ren Ito", 2)
    assert ren["entityId"] != "char_maya"
    assert maya["relationships"] == [
        {"targetEntityId": ren["entityId"], "relationshipType": "navigator"}
    ]
    assert [e["segmentNumber"] for e in updated["timeline"]["majorEvents"]] == [1, 2]
    assert updated["timeline"]["currentPoint"] == "Moments after decoding the warning"
    assert [loc["name"] for loc in updated["setting"]["locations"]] == ["Aurora", "Earth"]
    assert updated["plotThreads"] == [
        {"id": "thread_signal", "description": "Mystery of the warning", "status": "active"}
    ]
    assert updated["styleGuide"] == bible["styleGuide"]  # a scene keeps its look


def test_an_unusable_update_falls_back_to_the_rules(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    chat.answers["update"] = "{not json"
    updated = analyzer().update_bible(bible=bible, text=DOC_CONTINUATION, shots=[],
                                      segment_number=2)  # fmt: skip
    assert updated == RuleAnalyzer().update_bible(
        bible=bible, text=DOC_CONTINUATION, shots=[], segment_number=2
    )


def test_expansion_asks_the_model_for_shots_and_falls_back_when_they_do_not_fit(chat):
    bible = RuleAnalyzer().initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA)
    chat.answers["shots"] = json.dumps(
        {
            "shots": [
                {
                    "prompt": "Maya decodes the message, her hand trembling",
                    "narration": "Maya's hand trembled as she decoded the message.",
                    "dialogue": [{"speaker": "Aurora", "line": "Do not come home."}],
                    "duration": 5,
                    "camera": "zoom_in",
                }
            ]
        }
    )
    shots = analyzer().expand(text=DOC_CONTINUATION, bible=bible)
    assert len(shots) == 1
    assert shots[0].prompt.startswith("Maya decodes the message")
    assert shots[0].prompt.endswith("dark, atmospheric")
    chat.answers["shots"] = json.dumps({"shots": [{"prompt": ""}]})
    assert analyzer().expand(text=DOC_CONTINUATION, bible=bible) == RuleAnalyzer().expand(
        text=DOC_CONTINUATION, bible=bible
    )


# --- rules find candidates, the model confirms or adds (issue 17) ---------------------------------

FERRY_SCRIPT = (
    "Captain Ines Albarrán ran the night ferry across the Sound of Ketch. When the fog is down, "
    "no boat may leave the harbour. Her mate, Oskar Lindahl, coiled the ropes on the quay."
)


def test_the_model_is_asked_for_structured_output_with_the_rules_candidates(chat):
    bible = RuleAnalyzer().initial_bible(script=FERRY_SCRIPT)
    chat.answers["validate"] = json.dumps({"verdicts": [], "issues": []})
    text = "Captain Albarez checked the lines."
    issues = analyzer().validate(text=text, shots=[], bible=bible, segment_number=2)
    request = chat.requests[-1]
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["verdicts", "issues"]
    sent = json.loads(request["messages"][1]["content"])
    assert [c["type"] for c in sent["candidates"]] == ["name_drift"]
    assert sent["candidates"][0]["excerpt"] == text
    # The model said nothing about the candidate: the rules' error stands.
    assert [(i["type"], i["severity"]) for i in issues] == [("name_drift", "error")]


def test_a_candidate_the_model_rejects_stays_as_a_warning_that_says_why(chat):
    bible = RuleAnalyzer().initial_bible(script=FERRY_SCRIPT)
    chat.answers["validate"] = json.dumps(
        {
            "verdicts": [{"candidate": 0, "confirmed": False, "reason": "A new harbour pilot"}],
            "issues": [],
        }
    )
    issues = analyzer().validate(
        text="Captain Albarez checked the lines.", shots=[], bible=bible, segment_number=2
    )
    assert [(i["type"], i["severity"]) for i in issues] == [("name_drift", "warning")]
    assert "A new harbour pilot" in issues[0]["description"]
    assert errors(issues) == []


def test_the_models_additions_must_quote_the_text(chat):
    bible = RuleAnalyzer().initial_bible(script=FERRY_SCRIPT)
    text = "The fog lay thick on the water. Oskar cast off and the ferry slid out of the harbour."
    chat.answers["validate"] = json.dumps(
        {
            "verdicts": [{"candidate": 7, "confirmed": True, "reason": "no such candidate"}],
            "issues": [
                {
                    "type": "world_rule",
                    "severity": "error",
                    "description": "The ferry leaves in fog",
                    "suggestion": "Wait for the fog to lift",
                    "excerpt": "Oskar cast off and the ferry slid out of the harbour.",
                },
                {
                    "type": "inactive_character",
                    "severity": "error",
                    "description": "Made up",
                    "suggestion": "-",
                    "excerpt": "Ines walked into the sea.",  # not in the text
                },
            ],
        }
    )
    issues = analyzer().validate(text=text, shots=[], bible=bible, segment_number=2)
    assert [(i["type"], i["excerpt"]) for i in errors(issues)] == [
        ("world_rule", "Oskar cast off and the ferry slid out of the harbour.")
    ]


def test_verdicts_that_are_not_a_list_fall_back_to_the_rules(chat):
    bible = RuleAnalyzer().initial_bible(script=FERRY_SCRIPT)
    chat.answers["validate"] = json.dumps({"verdicts": "all fine", "issues": []})
    issues = analyzer().validate(
        text="Captain Albarez checked the lines.", shots=[], bible=bible, segment_number=2
    )
    assert [(i["type"], i["severity"]) for i in issues] == [("name_drift", "error")]
