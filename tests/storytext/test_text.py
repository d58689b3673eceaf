"""The rule writer: real prose about the prompt, deterministic per seed, within maxTokens."""

from __future__ import annotations

import pytest

from media_pipeline.backends.base import Cancelled, NullReporter
from storytext import (
    PARAMETER_SPECS,
    TextRequestInvalid,
    count_tokens,
    describe_writers,
    generate_text,
)
from storytext.english import VerbPhrase, split_sentences, truncate_tokens

ROBOT = "Write a story about a robot who learns to feel emotions"
STORY = {"genre": "science fiction", "length": "short story"}


def write(prompt=ROBOT, context=None, seed=1, **parameters):
    return generate_text(
        prompt,
        parameters=parameters or {"maxTokens": 1000},
        context=STORY if context is None else context,
        seed=seed,
        reporter=NullReporter(),
    )


def test_tokens_are_words_and_punctuation_marks():
    assert count_tokens("Maya's hand—it wasn't sci-fi.") == 7
    assert truncate_tokens("Hello, big world.", 3) == "Hello, big"


def test_verb_phrases_are_inflected_by_their_head_verb():
    phrase = VerbPhrase("learns to feel emotions")
    assert (phrase.base, phrase.past, phrase.gerund) == (
        "learn to feel emotions",
        "learned to feel emotions",
        "learning to feel emotions",
    )
    assert VerbPhrase("doesn't believe in magic").past == "did not believe in magic"
    assert VerbPhrase("can fly").base == "be able to fly"


def test_a_short_story_is_about_the_prompts_subject_with_a_beginning_turn_and_ending():
    result = write()
    paragraphs = result.text.split("\n\n")

    assert "the robot" in result.text.lower()
    assert "learn to feel emotions" in result.text  # the want, set up early
    assert "learned to feel emotions" in paragraphs[-1]  # and paid off at the end
    assert len(paragraphs) >= 4
    assert all(p.strip()[-1] in ".!?”" for p in paragraphs)
    assert result.finish_reason == "stop" and result.model == "rule-writer"
    assert result.completion_tokens == count_tokens(result.text)
    assert result.tokens_used == result.completion_tokens + count_tokens(ROBOT)


def test_names_and_settings_in_the_prompt_are_used():
    text = write(
        "Write a story about Maya Chen, a starship captain who receives a strange signal "
        "aboard the Horizon"
    ).text
    assert "Maya Chen" in text and "Maya" in text.split("\n\n")[-1]
    assert "aboard the Horizon" in text
    assert "received a strange signal" in text


@pytest.mark.parametrize("max_tokens", [1, 5, 40, 120, 300])
def test_max_tokens_is_never_exceeded(max_tokens):
    result = write(maxTokens=max_tokens)
    assert count_tokens(result.text) <= max_tokens
    assert result.completion_tokens == count_tokens(result.text)


def test_a_tight_budget_drops_optional_sentences_before_cutting_the_ending():
    full = write()
    fitted = write(maxTokens=150)
    assert count_tokens(full.text) > 150
    assert fitted.finish_reason == "stop"
    assert fitted.text.split("\n\n")[-1].endswith(full.text.split("\n\n")[-1].split(". ")[-1])
    cut = write(maxTokens=5)
    assert cut.finish_reason == "length" and count_tokens(cut.text) == 5


def test_the_same_seed_writes_the_same_text_and_other_seeds_vary_it():
    assert write(seed=42).text == write(seed=42).text
    texts = {write(seed=seed).text for seed in range(6)}
    assert len(texts) >= 4


def test_temperature_zero_always_writes_the_most_typical_text():
    texts = {write(seed=seed, temperature=0).text for seed in range(4)}
    assert len(texts) == 1


def test_genre_changes_the_vocabulary():
    scifi = write("Write a story about a lighthouse keeper", {"genre": "science fiction"})
    horror = write("Write a story about a lighthouse keeper", {"genre": "horror"})
    assert scifi.text != horror.text
    assert any(w in scifi.text for w in ("station", "signal", "stars", "solar", "relay"))
    assert any(w in horror.text for w in ("door", "house", "cellar", "dark", "silence"))


def test_length_changes_the_form():
    prompt = "A fox who wants to see the sea"
    poem = write(prompt, {"length": "poem", "genre": "adventure"}).text
    outline = write(prompt, {"length": "outline"}).text
    paragraph = write(prompt, {"length": "paragraph"}).text
    summary = write(prompt, {"length": "summary"}).text
    story = write(prompt, {"length": "short story"}).text

    stanzas = poem.split("\n\n")
    assert len(stanzas) == 4 and all(len(s.split("\n")) == 4 for s in stanzas)
    lines = outline.split("\n")
    assert lines[0].startswith("Title: ") and [ln[:2] for ln in lines[1:]] == [
        "1.", "2.", "3.", "4.", "5.", "6."
    ]  # fmt: skip
    assert "\n" not in paragraph and len(split_sentences(paragraph)) >= 4
    assert len(split_sentences(summary)) <= 3
    assert count_tokens(summary) < count_tokens(paragraph) < count_tokens(story)
    for text in (poem, outline, paragraph, summary, story):
        assert "fox" in text.lower()


def test_the_prompt_says_the_length_when_the_context_does_not():
    assert len(write("Write a poem about the sea", context={}).text.split("\n\n")) == 4


def test_bad_parameters_and_empty_prompts_are_refused_by_field():
    with pytest.raises(TextRequestInvalid) as caught:
        write(maxTokens=0, temperature="hot")
    fields = {issue["field"] for issue in caught.value.issues}
    assert fields == {"parameters.maxTokens", "parameters.temperature"}
    with pytest.raises(TextRequestInvalid):
        write(prompt="   ")


def test_snake_case_parameters_are_accepted():
    assert count_tokens(write(max_tokens=12).text) <= 12


def test_a_cancelled_job_stops_the_rule_writer():
    class CancelledReporter(NullReporter):
        def check_cancelled(self) -> None:
            raise Cancelled()

    with pytest.raises(Cancelled):
        generate_text(ROBOT, parameters={}, context={}, seed=1, reporter=CancelledReporter())


def test_writers_are_described_in_the_model_document_shape(settings):
    settings.LLM_BASE_URL = None
    rule, llm = describe_writers()
    assert rule["type"] == "text" and rule["available"] is True
    assert llm["available"] is False and llm["status"] == "inactive"
    spec = rule["parameters"]["maxTokens"]
    assert {"type", "min", "max", "default", "description"} <= spec.keys()
    assert rule["parameters"].keys() == PARAMETER_SPECS.keys()
    settings.LLM_BASE_URL = "http://127.0.0.1:1"
    assert describe_writers()[1]["available"] is True
