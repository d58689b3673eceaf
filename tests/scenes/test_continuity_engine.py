"""The continuity engine's parts on stories of their own (issue 17, and issue 13's rule item).

Examples here are written for these tests, apart from the labelled corpus the benchmark and
tests/scenes/test_continuity_corpus.py measure.
"""

from __future__ import annotations

from typing import Any

import pytest

from scenes.analysis import RuleAnalyzer, errors
from scenes.analysis.constraints import parse_rule
from scenes.analysis.reading import memory_flags, part_after, time_cues

rules = RuleAnalyzer()

VANTRY = (
    "In Vantry the Iron Bridge is raised every night, and while the bridge stands raised no car "
    "and no walker can cross it. Officer Lena Marsh waited at the barrier as the horns sounded. "
    "The last tram rattled away toward the old market. She lit a cigarette and watched the span "
    "lift into the fog."
)


def _check(bible: dict[str, Any], text: str, segment: int = 2) -> list[dict[str, Any]]:
    return rules.validate(text=text, shots=rules.expand(text=text, bible=bible), bible=bible,
                          segment_number=segment)  # fmt: skip


@pytest.fixture(scope="module")
def vantry() -> dict[str, Any]:
    return rules.initial_bible(script=VANTRY)


# --- issue 13: a rule stated in a text never contradicts itself ---


def test_an_initial_script_that_states_a_world_rule_is_not_refused(vantry):
    assert any("no car and no walker can cross it" in r for r in vantry["setting"]["worldRules"])
    # What the scene-creation job does: the script against the bible drawn from it.
    assert errors(_check(vantry, VANTRY, segment=1)) == []


def test_a_rule_stated_again_in_a_continuation_is_not_a_contradiction(vantry):
    text = (
        "Lena reminded the driver that no car can cross the bridge while it stands raised. "
        "While the bridge stands raised, no walker can cross it either."
    )
    assert errors(_check(vantry, text)) == []


def test_crossing_the_raised_bridge_is_a_world_rule_error_quoting_rule_and_sentence(vantry):
    text = (
        "The horns were still sounding. Lena drove her car across the bridge while it stood raised."
    )
    issues = errors(_check(vantry, text))
    assert [i["type"] for i in issues] == ["world_rule"]
    assert "no car and no walker can cross it" in issues[0]["description"]
    assert issues[0]["excerpt"] == "Lena drove her car across the bridge while it stood raised."
    assert issues[0]["suggestion"]


# --- world rules as constraints ---


def test_a_rule_is_read_into_subject_action_place_time_and_exception():
    c = parse_rule("Inside the Vault no lantern may burn after midnight")
    assert c is not None
    assert (c.polarity, c.action, c.where_kind) == ("forbidden", "burn", "inside")
    assert "vault" in c.where and "lantern" in c.subjects
    c = parse_rule("No trader enters the Salt Market without a token from the guild")
    assert c is not None and c.person
    assert (c.action, c.action_class) == ("enter", "enter")
    assert {"token", "guild"} <= c.unless
    c = parse_rule("Whoever drinks from the Grey Well forgets their own name")
    assert c is not None and c.polarity == "required" and c.action == "drink"


@pytest.mark.parametrize(
    "sentence",
    ["Maya cannot sleep", "Nobody had seen him since", "Nothing else mattered to her"],
)
def test_sentences_about_people_or_the_past_are_not_rules(sentence):
    assert parse_rule(sentence) is None


def test_a_broken_rule_is_caught_when_worded_differently_and_kept_when_only_discussed():
    bible = rules.initial_bible(
        script="Teodor Vasko keeps the lighthouse on Grell Point. Ships cannot enter the bay "
        "of Grell after dark; the reef there tears open any hull. Teodor lit the lamp at dusk."
    )
    broken = "At midnight the trawler Sunniva sailed into the bay of Grell and dropped anchor."
    issues = errors(_check(bible, broken))
    assert [i["type"] for i in issues] == ["world_rule"]
    talked = "Teodor told the boy that ships cannot enter the bay after dark. The boy nodded."
    assert errors(_check(bible, talked)) == []


# --- status over time, memories ---


COURIER = (
    "Anouk Vermeer ran the courier office on Lantern Street. Her brother, Joost Vermeer, had "
    "carried the last letters through the blockade. He was shot at the river crossing in "
    "April. Anouk sorted the morning post while her clerk, Bram Oyelowo, swept the floor."
)


@pytest.fixture(scope="module")
def courier() -> dict[str, Any]:
    return rules.initial_bible(script=COURIER)


def test_a_death_told_with_a_pronoun_marks_the_right_person_inactive(courier):
    status = {c["canonicalName"]: c["isActive"] for c in courier["characters"]}
    assert status["Joost Vermeer"] is False
    assert status["Anouk Vermeer"] is True and status["Bram Oyelowo"] is True


def test_the_dead_acting_is_an_error_and_remembered_is_not(courier):
    acting = "Joost Vermeer pushed open the door and dropped a bag of letters on the counter."
    assert [i["type"] for i in errors(_check(courier, acting))] == ["inactive_character"]
    remembered = (
        "Anouk remembered the winter before. In that memory Joost stood at the counter, "
        "laughing. She blinked and went back to the post."
    )
    assert errors(_check(courier, remembered)) == []
    shares_a_surname = "Anouk Vermeer locked the office and walked home."
    assert errors(_check(courier, shares_a_surname)) == []


def test_someone_the_text_only_describes_is_kept_with_their_status():
    bible = rules.initial_bible(
        script="Lio lived with his grandmother by the canal. Lio's mother had gone away to "
        "the city when he was small, and she never came back. Every evening Lio fed the ducks."
    )
    mother = next(c for c in bible["characters"] if c["canonicalName"] == "Lio's mother")
    assert mother["isActive"] is False
    issues = errors(_check(bible, "Lio's mother walked up the towpath and called his name."))
    assert [i["type"] for i in issues] == ["inactive_character"]


def test_a_flashback_runs_from_its_opener_to_its_closer():
    flags = memory_flags(
        [
            "She thought back to the summer.",
            "Her father stood on the jetty.",
            "She shook the memory off.",
            "Her father stood on the jetty.",
        ]
    )
    assert flags == [True, True, False, False]


# --- names, places, time of day ---


def test_a_surname_misspelt_under_the_title_only_one_person_holds_is_name_drift():
    bible = rules.initial_bible(
        script="Sergeant Kwame Osei-Bonsu walked the night beat on Harrow Lane with his "
        "partner, Dilnoza Rashidova. Osei-Bonsu hummed as he walked."
    )
    issues = errors(_check(bible, "Sergeant Osei-Bonsah stopped under a streetlamp."))
    assert [i["type"] for i in issues] == ["name_drift"]
    assert "Osei-Bonsu" in issues[0]["description"]
    newcomer = "A sergeant named Rafferty from the next precinct joined them."
    assert errors(_check(bible, newcomer)) == []


def test_a_sudden_named_place_is_a_location_jump_and_a_journey_is_not():
    bible = rules.initial_bible(
        script="The caravan rested at the oasis of Tamrit. Youssef Amrani watered the camels "
        "while Leila Haddad mended a saddle by the well."
    )
    jump = "Leila finished the saddle. Youssef sat in the spice market of Marrakech, bargaining."
    assert [i["type"] for i in _check(bible, jump)] == ["location_jump"]
    journey = "Two days later the caravan rode into Marrakech, and Youssef sat in the spice market."
    assert [i for i in _check(bible, journey) if i["type"] == "location_jump"] == []


def test_the_time_of_day_jumping_without_a_marker_is_a_time_jump():
    bible = rules.initial_bible(
        script="At dusk the fishing boats came home to Porto Lindo. Marta Quintela counted the "
        "crates on the quay as the lamps were lit."
    )
    assert part_after([bible["timeline"]["currentPoint"]]) == "evening"
    jump = "Marta closed her ledger. The noon sun blazed on the quay as she walked home."
    assert [i["type"] for i in _check(bible, jump)] == ["time_jump"]
    marked = "The next morning Marta walked home along the quay."
    assert _check(bible, marked) == []


@pytest.mark.parametrize(
    ("sentence", "part"),
    [
        ("It was half past four in the morning.", "night"),
        ("The clock read 14:20.", "afternoon"),
        ("She remembered a January night long ago.", None),
        ("The stars were out over the harbour.", "night"),
    ],
)
def test_parts_of_the_day_are_read_from_what_a_sentence_says_is_now(sentence, part):
    cues = time_cues(sentence)
    assert (cues[-1][1] if cues else None) == part


def test_a_breach_followed_by_nobody_stopping_it_is_still_a_breach():
    bible = rules.initial_bible(
        script="The Blue Door is the oldest club in Harbourside. Nobody enters the Blue Door "
        "without a brass pin. Nell Okoro polished glasses behind the bar."
    )
    breach = "Nell walked into the Blue Door with bare lapels, and nobody stopped her."
    assert [i["type"] for i in errors(_check(bible, breach))] == ["world_rule"]
    kept = "Nell showed her brass pin at the door and walked into the Blue Door."
    assert errors(_check(bible, kept)) == []


def test_a_role_that_is_a_title_gives_the_titled_name():
    bible = rules.initial_bible(
        script="The precinct was quiet after midnight. Her sergeant, Mateo Ruiz, read the "
        "reports aloud while Captain Hana Sato listened."
    )
    mateo = next(c for c in bible["characters"] if c["canonicalName"] == "Mateo Ruiz")
    assert "Sergeant Ruiz" in mateo["aliases"]
    issues = errors(_check(bible, "Sergeant Ruis closed the file and yawned."))
    assert [i["type"] for i in issues] == ["name_drift"]
