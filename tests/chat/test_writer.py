"""The assistant's words: the offline rule writer by default; with LLM_BASE_URL the
OpenAI-compatible model is asked for structured choices, which are validated."""

from __future__ import annotations

import json

import pytest

from chat import workflow, writer
from storytext.core import TextGenerationError, TextResult
from storytext.openai_compatible import OpenAICompatibleWriter

CONTEXT = {"concept": {"text": "A courier races across a flooded city", "value": "A courier"}}


def offered():
    return workflow.offer("genre-selection", CONTEXT, [])


def answer():
    return writer.answer(
        step="genre-selection",
        context=CONTEXT,
        user_text="",
        offered=offered(),
        session_id="ses_x",
        position=3,
    )


def test_offline_the_rule_writer_answers_with_the_workflows_choices(settings):
    settings.LLM_BASE_URL = ""
    result = answer()
    assert result.backend == "rule-writer"
    assert result.choices == offered()
    assert "Pick the genre" in result.content and "Action" in result.content


@pytest.fixture
def model_says(settings, monkeypatch):
    settings.LLM_BASE_URL = "http://llm.test/v1"
    settings.LLM_MODEL = "story-model"
    asked: list[dict] = []

    def install(text: str | Exception):
        def chat(self, messages, **kwargs):
            asked.append({"messages": messages, **kwargs})
            if isinstance(text, Exception):
                raise text
            return TextResult(text=text, tokens_used=10, model=self.name, finish_reason="stop")

        monkeypatch.setattr(OpenAICompatibleWriter, "chat", chat)
        return asked

    return install


def test_the_model_is_asked_for_a_json_schema_and_its_valid_choices_are_used(model_says):
    asked = model_says(
        json.dumps(
            {
                "content": "Two directions suit a flooded city.",
                "choices": [
                    {"title": "Waterlogged action", "description": "Boats and rooftops"},
                    {"title": "Drowned noir", "description": "Rain and secrets"},
                ],
            }
        )
    )
    result = answer()
    assert result.backend == "llm:story-model"
    assert result.content == "Two directions suit a flooded city."
    assert [c["title"] for c in result.choices] == ["Waterlogged action", "Drowned noir"]
    assert [c["id"] for c in result.choices] == ["choice-1", "choice-2"]
    # The structured decision behind each choice is the workflow's own.
    assert result.choices[0]["metadata"] == offered()[0]["metadata"]
    assert asked[0]["json_schema"]["name"] == "chat_answer"


@pytest.mark.parametrize(
    "reply",
    [
        "not json",
        json.dumps({"content": "x", "choices": [{"title": "only one", "description": ""}]}),
        json.dumps({"content": "x", "choices": [{"title": "", "description": "d"}] * 2}),
        json.dumps({"choices": []}),
        json.dumps({"content": "x", "choices": [{"title": "t", "description": "d"}] * 5}),
    ],
)
def test_an_invalid_model_answer_falls_back_to_the_offline_writer(model_says, reply):
    model_says(reply)
    result = answer()
    assert result.backend == "rule-writer"
    assert result.choices == offered()


def test_a_failing_model_falls_back_to_the_offline_writer(model_says):
    model_says(TextGenerationError("server down"))
    assert answer().backend == "rule-writer"


def test_more_model_choices_than_offered_are_cut_to_the_offered_ones(model_says):
    production = workflow.offer("production", CONTEXT, [])  # two offered
    model_says(
        json.dumps(
            {
                "content": "Ready.",
                "choices": [{"title": f"T{n}", "description": "d"} for n in range(4)],
            }
        )
    )
    result = writer.answer(
        step="production",
        context=CONTEXT,
        user_text="",
        offered=production,
        session_id="ses_x",
        position=1,
    )
    assert [c["metadata"] for c in result.choices] == [c["metadata"] for c in production]
