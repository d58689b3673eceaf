"""Scripts and story prose become shot lists that a render request accepts."""

from __future__ import annotations

import json

import pytest

from media_pipeline.request import CAMERA_MOVES, TRANSITIONS, RenderRequest
from storytext import OpenAICompatibleWriter, RuleWriter
from storytext.script import allocate_durations, expand_text_to_shots, script_to_shots
from tests.storytext.test_text_openai import RecordingReporter, llm  # noqa: F401

FILM_SCRIPT = "A beautiful sunrise over mountains\nBirds flying in the sky\nA peaceful lake"
CONTINUATION = (
    "Maya's hand trembled as she decoded the message. The Aurora wasn't asking for help\u2014"
    "it was sending a warning. 'Do not come home,' it read. 'Earth is no longer Earth.'"
)
GUIDE = {
    "tone": "tense, mysterious",
    "genre": "space opera / mystery",
    "visualStyle": "dark, atmospheric",
    "narrativeStyle": "third person limited (Maya)",
}
CHARACTERS = ["Maya Chen", "Kai Okonkwo"]


def film(script=FILM_SCRIPT, total=30.0, **options):
    options = {"style": "cinematic", "mood": "inspiring", "genre": "cinematic",
               "max_shots": 10, "writer": RuleWriter()} | options  # fmt: skip
    return script_to_shots(script, total_duration=total, **options)


def renders(shots):
    """The shots pass the render request's own validation."""
    return RenderRequest(shots=tuple(shots)).problems() == []


def test_the_film_documents_example_script_becomes_three_narrated_shots_of_30_seconds():
    shots = film()

    assert [s.prompt for s in shots] == FILM_SCRIPT.split("\n")
    assert [s.narration for s in shots] == [line + "." for line in FILM_SCRIPT.split("\n")]
    assert sum(s.duration for s in shots) == 30.0
    assert all(s.duration >= 1.5 for s in shots)
    # The sunrise and the birds look up; the lake is a wide, panning view.
    assert [s.camera for s in shots] == ["tilt_up", "tilt_up", "pan_right"]
    assert shots[0].duration > shots[2].duration  # more to say, more time
    assert renders(shots)


def test_without_a_total_each_shot_lasts_as_long_as_its_words_take():
    shots = film(total=None)
    for shot in shots:
        words = len(shot.narration.split())
        assert shot.duration == pytest.approx(words / 2.5 + 1.0, abs=0.25)
    assert renders(shots)


def test_durations_keep_a_minimum_and_sum_exactly():
    durations = allocate_durations([1, 1, 20, 1], 12.0)
    assert sum(durations) == 12.0 and min(durations) >= 1.5
    assert allocate_durations([3, 3, 2.25], 30.0)[0] == 11.0


def test_too_many_lines_for_the_time_are_merged_so_no_shot_is_shorter_than_the_minimum():
    script = "\n".join(f"Scene number {i} in the valley" for i in range(10))
    shots = film(script, total=9.0)
    assert len(shots) == 6 and sum(s.duration for s in shots) == 9.0
    assert all(s.duration >= 1.5 for s in shots)
    narrated = " ".join(s.narration for s in shots)
    assert narrated == " ".join(f"Scene number {i} in the valley." for i in range(10))


def test_max_shots_merges_neighbouring_lines():
    script = "\n".join(f"Line {i} of the script" for i in range(12))
    shots = film(script, total=60.0, max_shots=4)
    assert len(shots) == 4 and sum(s.duration for s in shots) == 60.0


def test_a_shot_longer_than_allowed_is_split(settings):
    shots = film("A long, slow sunrise. The light grows. The valley wakes.", total=70.0)
    assert len(shots) == 3
    assert all(s.duration <= settings.MEDIA_LIMITS["max_shot_seconds"] for s in shots)
    assert sum(s.duration for s in shots) == 70.0 and renders(shots)


def test_time_jumps_and_soft_moods_choose_the_transitions():
    shots = film("A girl plants a seed\nYears later, a tree stands tall\nA bird lands", total=12)
    assert shots[0].transition == "fade"  # into "Years later"
    assert shots[1].transition == "cut"
    calm = film("A boat drifts\nA heron waits\nThe sun sets", total=12, mood="calm")
    assert [s.transition for s in calm] == ["dissolve", "dissolve", "cut"]


def test_camera_hints_come_from_the_words():
    shots = film(
        "Close-up of her eyes\nA thief running through the market\nA wide desert landscape\n"
        "The tower rises into the clouds\nA kettle on a stove\nA cup on a table",
        total=None,
    )
    assert [s.camera for s in shots[:4]] == ["dolly_in", "tracking", "pan_right", "tilt_up"]
    assert shots[4].camera != shots[5].camera  # undecided shots take gentle moves in turn
    assert all(s.camera in CAMERA_MOVES and s.transition in TRANSITIONS for s in shots)


SCREENPLAY = """INT. BRIDGE OF THE HORIZON - NIGHT

The viewscreen flickers. Maya stands alone at the helm.

MAYA
(quietly)
Kai, are you seeing this?

KAI: I see it. It's coming from the Aurora.
MAYA (V.O.): Five hundred years of silence, and now this.

DISSOLVE TO:

EXT. SPACE - CONTINUOUS

The Horizon drifts toward a distant, flickering star.
NARRATOR: No one had answered the Aurora in five centuries.
"""


def test_screenplay_dialogue_is_attributed_and_sluglines_place_the_shots():
    shots = film(SCREENPLAY, total=20.0, mood="tense")

    assert len(shots) == 2
    first, second = shots
    assert first.prompt.startswith("Bridge of the horizon, night. The viewscreen flickers.")
    assert "Maya quietly" in first.prompt  # the parenthetical, as an acting note
    assert first.dialogue == (
        ("Maya", "Kai, are you seeing this?"),
        ("Kai", "I see it. It's coming from the Aurora."),
        ("Maya", "Five hundred years of silence, and now this."),
    )
    assert first.narration == ""  # action is shown, not read out
    assert first.transition == "dissolve"  # DISSOLVE TO:
    assert second.prompt.startswith("Space, continuous.")
    assert second.narration == "No one had answered the Aurora in five centuries."
    assert first.duration > second.duration and sum(s.duration for s in shots) == 20.0
    assert renders(shots)


def test_storyforge_continuation_dialogue_goes_to_its_speaker():
    shots = expand_text_to_shots(
        CONTINUATION, style_guide=GUIDE, characters=CHARACTERS, writer=RuleWriter()
    )

    assert len(shots) == 2
    assert shots[0].narration.startswith("Maya's hand trembled as she decoded the message.")
    assert "The Aurora wasn't asking for help" in shots[0].narration
    assert "it read" not in shots[0].narration  # a bare speech tag is not narrated
    assert shots[0].dialogue == (("Aurora", "Do not come home."),)
    assert shots[1].dialogue == (("Aurora", "Earth is no longer Earth."),)
    assert shots[1].prompt.startswith("Close-up of Aurora speaking")
    assert all(s.prompt.endswith("dark, atmospheric") for s in shots)
    assert renders(shots)


def test_quoted_dialogue_in_prose_is_attributed_to_characters_and_actors():
    text = (
        '\u201cWe have to go,\u201d Maya said, grabbing her coat. Kai shook his head. "Not yet." '
        'He pointed at the screen. "Look at the coordinates."\n\n'
        'Later, the bridge was empty. "Where is everyone?" asked Kai.'
    )
    shots = expand_text_to_shots(text, style_guide={}, characters=CHARACTERS,
                                 total_duration=24.0, writer=RuleWriter())  # fmt: skip

    lines = [line for shot in shots for line in shot.dialogue]
    assert lines == [
        ("Maya Chen", "We have to go."),
        ("Kai Okonkwo", "Not yet."),
        ("Kai Okonkwo", "Look at the coordinates."),
        ("Kai Okonkwo", "Where is everyone?"),
    ]
    assert all(1 <= len(s.narration.split(". ")) <= 3 for s in shots if s.narration)
    assert sum(s.duration for s in shots) == 24.0
    before_later = next(i for i, s in enumerate(shots) if "Later" in s.prompt) - 1
    assert shots[before_later].transition == "fade"


def test_a_language_models_valid_shot_list_is_used(llm):  # noqa: F811
    llm.mode = "content"
    llm.answer = "```json\n" + json.dumps({"shots": [
        {"prompt": "Sunrise over peaks", "narration": "Dawn.", "duration": 10, "camera": "pan",
         "transition": "cross-dissolve"},
        {"prompt": "A calm lake", "narration": "Stillness.", "duration": 5, "camera": "static",
         "dialogue": [{"speaker": "Ann", "line": "Look."}]},
    ]}) + "\n```"  # fmt: skip
    writer = OpenAICompatibleWriter(base_url=llm.base_url, model="m", stream=False)

    shots = film(total=30.0, writer=writer)

    assert [s.prompt for s in shots] == ["Sunrise over peaks", "A calm lake"]
    assert [s.duration for s in shots] == [20.0, 10.0]  # the model's proportions, our total
    assert (shots[0].camera, shots[0].transition) == ("pan_right", "dissolve")
    assert shots[1].dialogue == (("Ann", "Look."),)
    sent = llm.requests[0]
    assert sent["response_format"] == {"type": "json_object"}
    assert FILM_SCRIPT in sent["messages"][1]["content"]


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! Here are your shots: sunrise, birds, lake.",
        json.dumps({"shots": [{"prompt": "x", "camera": "spin_wildly"}]}),
        json.dumps({"shots": [{"narration": "no prompt"}]}),
        json.dumps({"shots": []}),
    ],
)
def test_an_invalid_shot_list_falls_back_to_the_rules_with_a_warning(llm, answer):  # noqa: F811
    llm.mode, llm.answer = "content", answer
    writer = OpenAICompatibleWriter(base_url=llm.base_url, model="m", stream=False)
    reporter = RecordingReporter()

    shots = film(total=30.0, writer=writer, reporter=reporter)

    assert [s.prompt for s in shots] == FILM_SCRIPT.split("\n")
    assert any(level == "warning" and "rule" in message for level, message in reporter.logs)


def test_a_failing_language_model_falls_back_too(llm):  # noqa: F811
    llm.mode = "error500"
    writer = OpenAICompatibleWriter(base_url=llm.base_url, model="m", stream=False)
    reporter = RecordingReporter()
    shots = expand_text_to_shots(CONTINUATION, style_guide=GUIDE, characters=CHARACTERS,
                                 writer=writer, reporter=reporter)  # fmt: skip
    assert shots[0].dialogue == (("Aurora", "Do not come home."),)
    assert reporter.logs and reporter.logs[0][0] == "warning"


def test_settings_without_a_server_use_the_rules(settings):
    settings.LLM_BASE_URL = None
    shots = script_to_shots(FILM_SCRIPT, total_duration=30, style="cinematic", mood="calm",
                            genre="drama", max_shots=10)  # fmt: skip
    assert len(shots) == 3


def test_an_empty_script_has_no_shots():
    assert film("  \n \n") == []
