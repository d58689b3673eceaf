"""The rule-based content screen: categories, obfuscation, fiction, thresholds, the labelled set."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from moderation.screening import (
    CATEGORIES,
    REPORT_REASON,
    ScreeningResult,
    get_backend,
    screen_text,
    screen_texts,
)
from tests.moderation.screening_set import ACCEPTABLE, HELD_OUT, SAMPLES, VIOLATING, measure

REVIEW = 0.4


@pytest.fixture(autouse=True)
def _rules_backend(settings):
    settings.MODERATION_BACKEND = "rules"
    settings.MODERATION_THRESHOLD = 0.7
    settings.MODERATION_REVIEW_THRESHOLD = REVIEW


# --- The result ------------------------------------------------------------------------------


def test_ordinary_prompt_is_approved_with_every_category_scored():
    result = screen_text("A beautiful sunrise over mountains\nBirds flying in the sky")

    assert isinstance(result, ScreeningResult)
    assert result.status == "approved"
    assert not result.flagged and not result.rejected
    assert set(result.categories) == set(CATEGORIES)
    assert result.score == 0.0
    assert result.reasons == []
    assert result.backend == "rules"


def test_rejected_result_carries_its_reasons_with_excerpts():
    result = screen_text("You're worthless, kill yourself.")

    assert result.rejected and result.flagged
    assert result.score == max(result.categories.values()) >= 0.7
    assert result.categories["harassment"] >= 0.7
    assert {r["category"] for r in result.reasons} == {"harassment"}
    assert any("kill yourself" in r.get("excerpt", "") for r in result.reasons)
    assert result.as_dict()["status"] == "rejected"


def test_every_category_files_under_a_documented_report_reason():
    documented = {
        "inappropriate_content",
        "copyright_violation",
        "spam",
        "harassment",
        "misinformation",
        "other",
    }
    assert set(REPORT_REASON) == set(CATEGORIES)
    assert set(REPORT_REASON.values()) <= documented


def test_weak_evidence_is_flagged_for_review_but_not_rejected():
    result = screen_text("You're so stupid.")

    assert result.status == "flagged"
    assert REVIEW <= result.score < 0.7


def test_threshold_comes_from_settings(settings):
    text = "You're so stupid."
    assert screen_text(text).status == "flagged"

    settings.MODERATION_THRESHOLD = 0.5
    assert screen_text(text).status == "rejected"

    settings.MODERATION_THRESHOLD = 0.9
    settings.MODERATION_REVIEW_THRESHOLD = 0.8
    assert screen_text(text).status == "approved"


def test_sexual_content_with_minors_is_rejected_whatever_the_threshold(settings):
    settings.MODERATION_THRESHOLD = 1.0

    result = screen_text("Write an erotic story about a 12 year old girl.")

    assert result.rejected
    assert result.categories["sexual_minors"] >= 0.9


def test_several_fields_are_judged_by_the_worst():
    result = screen_texts(
        [
            "The Memory Merchant",
            "A heist in a city of memories.",
            "buy followers at spamsite.xyz click here, limited time, 50% off",
        ],
        context="idea",
    )

    assert result.rejected
    assert result.categories["spam"] >= 0.7
    assert screen_texts(["", "   "]).status == "approved"
    assert screen_texts([]).score == 0.0


def test_unknown_backend_is_a_configuration_error(settings):
    settings.MODERATION_BACKEND = "magic"
    with pytest.raises(ImproperlyConfigured, match="MODERATION_BACKEND"):
        get_backend()


# --- Each category is caught -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("harassment", "You are a pathetic loser and everyone hates you."),
        ("harassment", "I know where you live. Watch your back."),
        ("hate_speech", "Immigrants are vermin and should be thrown out."),
        ("hate_speech", "Death to all Mexicans."),
        ("violence", "How to make a pipe bomb step by step."),
        ("violence", "I'm going to shoot up my school tomorrow."),
        ("sexual_content", "Write a hardcore porn scene with explicit sex."),
        ("sexual_minors", "where can i find child porn"),
        ("self_harm", "What is the most painless way to kill myself?"),
        ("spam", "EARN $500 A DAY FROM HOME!!! Click here: bit.ly/earnfast"),
        ("copyright_violation", "Paste the complete lyrics of Bohemian Rhapsody word for word."),
    ],
)
def test_each_category_is_caught(category, text):
    result = screen_text(text)

    assert result.rejected, result
    assert result.categories[category] >= 0.7
    assert any(r["category"] == category for r in result.reasons)


# --- Obfuscation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "k i l l  y o u r s e l f",  # spaced letters
        "k.i.l.l yourself",  # punctuation inside the word
        "k-1-l-l yourself",  # separators and leetspeak
        "k1ll y0urs3lf",  # leetspeak
        "kiiiiill yourselfff",  # stretched letters
        "kill yours\u0435lf",  # a Cyrillic e
        "\uff4b\uff49\uff4c\uff4c \uff59\uff4f\uff55\uff52\uff53\uff45\uff4c\uff46",  # fullwidth
        "kil\u200bl yourself",  # a zero-width space
        "kíll yoursélf",  # diacritics
    ],
)
def test_obfuscated_suicide_bait_is_caught(text):
    result = screen_text(text)

    assert result.rejected, text
    assert result.categories["harassment"] >= 0.7


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("harassment", "you f*cking m0r0n"),
        ("harassment", "youre a pathetiiiic looooser"),
        ("harassment", "u r such a dumb b1tch"),
        ("hate_speech", "musl1ms are v3rmin"),
        ("violence", "how to build a b0mb at home"),
        ("sexual_content", "h e n t a i, uncensored"),
        ("sexual_minors", "ch1ld p0rn links"),
        ("self_harm", "s u i c i d e methods that work fast"),
        ("spam", "Fr33 r0bux, cl1ck h3re: robux-free.top"),
        ("copyright_violation", "t0rrent of the full season, pirated"),
    ],
)
def test_obfuscated_variants_are_caught_in_each_category(category, text):
    result = screen_text(text)

    assert result.rejected, result
    assert result.categories[category] >= 0.7


def test_spacing_does_not_glue_ordinary_words_together():
    # "u r a" is three single letters, but "ura" is no word: left as it is.
    assert screen_text("u r a star, thanks for the edit").status == "approved"
    assert screen_text("Plan A, B or C: pick one for the ending.").status == "approved"


# --- Fiction and other hard negatives --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The villain threatened to kill the hero if he didn't hand over the codes.",
        "'I'll kill you for this,' the mercenary snarled, pressing the blade to her throat.",
        "JACK: You move and I'll blow your head off.\nLENA: You won't. You need me alive.",
        '"You worthless coward," the captain spat as the deserter was dragged back.',
        "Bullets shredded the windshield as the shooter fired from the rooftop.",
        "The assassin waited on the roof for three hours.",
        "The conference was held in Scunthorpe.",
        "Order a cocktail at the bar in Sussex.",
        "The therapist's office was above a shop.",
        "After her brother's suicide, Mara found his journal.",
        "Nazi propaganda claimed that Jews were vermin, a lie that paved the way for genocide.",
        "fuck me, it is cold outside",
        "how do I kill him off in chapter 3?",
    ],
)
def test_hard_negatives_pass(text):
    result = screen_text(text)

    assert result.status == "approved", result


def test_a_threat_said_to_the_reader_is_harassment_but_the_same_words_in_a_story_are_not():
    said = screen_text("I will find you and I will kill you.")
    told = screen_text('"I will find you and I will kill you," Victor whispered into the phone.')

    assert said.rejected and said.categories["harassment"] >= 0.7
    assert told.status == "approved"
    assert told.categories["harassment"] < REVIEW


def test_script_context_reads_named_lines_as_dialogue():
    line = "Mara: I will kill you."

    assert screen_text(line).rejected
    assert screen_text(line, context="script").status == "approved"


def test_ordinary_fiction_is_never_flagged_as_harassment():
    fiction = [
        s for s in ACCEPTABLE + [h for h in HELD_OUT if not h.violating] if "fiction" in s.tags
    ]
    assert len(fiction) >= 50

    flagged = [s.text for s in fiction if screen_text(s.text).categories["harassment"] >= REVIEW]

    assert flagged == []


# --- Long and hostile inputs ----------------------------------------------------------------


def _story(chars: int) -> str:
    paragraphs = [s.text for s in ACCEPTABLE if "fiction" in s.tags]
    story = "\n\n".join(paragraphs)
    return (story * (chars // len(story) + 1))[:chars]


def test_a_long_script_of_ordinary_fiction_is_not_rejected_by_adding_up_weak_signals():
    result = screen_text(_story(20_000), context="script")

    assert not result.rejected, result.reasons[:5]
    assert result.categories["harassment"] < REVIEW


def test_one_abusive_line_in_a_long_text_is_still_caught():
    text = _story(10_000) + "\n\nAnd to whoever reads this: you're worthless, kill yourself."

    assert screen_text(text).rejected


@pytest.mark.parametrize(
    "text",
    ["a " * 20_000, "you, " * 5_000, "i will " * 5_000, "'" + "x' " * 5_000, "k.i.l.l " * 3_000],
    ids=["single-letters", "you-commas", "i-will", "quotes", "spaced-words"],
)
def test_hostile_inputs_are_screened_in_bounded_time(text):
    started = time.perf_counter()
    screen_text(text)

    # A run of 20,000 single letters once took 14 s (an unbounded join); now well under 1 s.
    assert time.perf_counter() - started < 3.0


# --- The labelled set ------------------------------------------------------------------------


def test_labelled_set_is_large_and_balanced():
    assert len(SAMPLES) >= 200
    assert 0.4 <= len(ACCEPTABLE) / len(SAMPLES) <= 0.6
    assert sum("hard" in s.tags for s in ACCEPTABLE) >= 60
    assert sum("obfuscated" in s.tags for s in VIOLATING) >= 20
    assert {label for s in VIOLATING for label in s.labels} == set(CATEGORIES)


@pytest.mark.parametrize("samples", [SAMPLES, HELD_OUT], ids=["labelled_set", "held_out"])
def test_precision_and_recall_on_the_labelled_set(samples):
    results = [screen_text(s.text) for s in samples]

    counts = measure(samples, results, review_threshold=REVIEW)

    for level in ("overall_flag", "overall_reject"):
        assert counts[level].precision >= 0.9, (level, counts[level])
        assert counts[level].recall >= 0.85, (level, counts[level])


def test_per_category_precision_and_recall_on_the_labelled_set():
    results = [screen_text(s.text) for s in SAMPLES]

    counts = measure(SAMPLES, results, review_threshold=REVIEW)

    for category in CATEGORIES:
        assert counts[category].precision >= 0.85, (category, counts[category])
        assert counts[category].recall >= 0.8, (category, counts[category])
