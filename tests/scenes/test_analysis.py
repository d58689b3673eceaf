"""The rule analyser: the Scene Bible from a script and its segments, continuity checks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from scenes.analysis import RuleAnalyzer, analyzer, errors, normalise_bible
from scenes.analysis.bible import BibleInvalid, normalise_issues
from tests.scenes.analysis_stories import (
    CREW_SCRIPT,
    DOC_CONTINUATION,
    DOC_IDEA,
    DOC_SCRIPT,
    DOC_TITLE,
    ORDINARY,
)

# The document's GET /scenes/:id/bible, without what the scenes app adds.
DOC_KEYS = {
    "bible": ["characters", "setting", "timeline", "plotThreads", "styleGuide"],
    "character": [
        "entityId",
        "canonicalName",
        "aliases",
        "description",
        "traits",
        "relationships",
        "introducedInSegment",
        "isActive",
    ],
    "relationship": ["targetEntityId", "relationshipType"],
    "setting": ["primaryLocation", "timePeriod", "worldRules", "locations"],
    "location": ["name", "description"],
    "timeline": ["currentPoint", "majorEvents"],
    "event": ["segmentNumber", "event", "consequences"],
    "thread": ["id", "description", "status"],
    "style": ["tone", "genre", "visualStyle", "narrativeStyle"],
}

rules = RuleAnalyzer()


def _character(bible: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in bible["characters"] if c["canonicalName"] == name)


def _locations(bible: dict[str, Any]) -> list[str]:
    return [loc["name"] for loc in bible["setting"]["locations"]]


def _continue(bible: dict[str, Any], text: str, segment: int) -> tuple[list, dict[str, Any]]:
    """What the continuation job does: expand, validate, and (when clean) update."""
    shots = rules.expand(text=text, bible=bible)
    issues = rules.validate(text=text, shots=shots, bible=bible, segment_number=segment)
    return issues, rules.update_bible(bible=bible, text=text, shots=shots, segment_number=segment)


@pytest.fixture(scope="module")
def doc_bible() -> dict[str, Any]:
    return rules.initial_bible(script=DOC_SCRIPT, title=DOC_TITLE, idea=DOC_IDEA)


@pytest.fixture(scope="module")
def crew_bible() -> dict[str, Any]:
    return rules.initial_bible(script=CREW_SCRIPT, title=DOC_TITLE, idea=DOC_IDEA)


def _assert_document_structure(bible: dict[str, Any]) -> None:
    assert list(bible) == DOC_KEYS["bible"]
    for character in bible["characters"]:
        assert list(character) == DOC_KEYS["character"]
        assert all(list(r) == DOC_KEYS["relationship"] for r in character["relationships"])
        assert isinstance(character["isActive"], bool)
        assert isinstance(character["introducedInSegment"], int)
    assert list(bible["setting"]) == DOC_KEYS["setting"]
    assert all(list(loc) == DOC_KEYS["location"] for loc in bible["setting"]["locations"])
    assert list(bible["timeline"]) == DOC_KEYS["timeline"]
    assert all(list(e) == DOC_KEYS["event"] for e in bible["timeline"]["majorEvents"])
    assert all(list(t) == DOC_KEYS["thread"] for t in bible["plotThreads"])
    assert list(bible["styleGuide"]) == DOC_KEYS["style"]
    json.dumps(bible)  # plain JSON, as stored and served


# --- the document's examples ----------------------------------------------------------------------


def test_the_documents_script_gives_maya_chen_with_her_aliases(doc_bible):
    maya = _character(doc_bible, "Maya Chen")
    assert maya["entityId"] == "char_maya"
    assert maya["aliases"] == ["Captain Chen", "Maya", "Captain Maya Chen"]
    assert maya["introducedInSegment"] == 1
    assert maya["isActive"] is True
    assert maya["description"] == "Captain"


def test_the_aurora_is_a_ship_in_the_setting_not_a_character(doc_bible):
    assert [c["canonicalName"] for c in doc_bible["characters"]] == ["Maya Chen"]
    assert {"name": "Aurora", "description": "Colony ship"} in doc_bible["setting"]["locations"]


def test_the_documents_script_gives_an_event_a_thread_a_time_and_a_style(doc_bible):
    assert doc_bible["timeline"]["majorEvents"] == [
        {
            "segmentNumber": 1,
            "event": "After 500 years of silence, the colony ship Aurora had finally sent a "
            "message",
            "consequences": "But the coordinates didn't match any known location...",
        }
    ]
    assert doc_bible["timeline"]["currentPoint"] == "After 500 years of silence"
    assert doc_bible["setting"]["timePeriod"] == "Year 3042"  # from the idea
    assert doc_bible["plotThreads"] == [
        {
            "id": "thread_signal",
            "description": "Mystery of the Aurora's message",
            "status": "active",
        }
    ]
    style = doc_bible["styleGuide"]
    assert set(style["tone"].split(", ")) == {"mysterious", "tense"}
    assert style["genre"] == "science fiction / mystery"
    assert style["visualStyle"] == "dark, atmospheric"
    assert style["narrativeStyle"] == "third person limited (Maya)"


def test_a_bible_has_exactly_the_documents_keys(doc_bible, crew_bible):
    _assert_document_structure(doc_bible)
    _assert_document_structure(crew_bible)


def test_titles_without_names_and_places_of_other_kinds_are_read_as_such():
    bible = rules.initial_bible(
        script="Queen Elara of Veyra stood at the castle gate. Her brother, Prince Aldric, "
        "rode out to meet the envoy of the Duke of Marrow. Rain fell on Port Haven."
    )
    elara, aldric = bible["characters"]
    assert (elara["canonicalName"], elara["aliases"], elara["description"]) == (
        "Queen Elara", ["Elara"], "Queen of Veyra"
    )  # fmt: skip
    assert (aldric["canonicalName"], aldric["aliases"]) == ("Prince Aldric", ["Aldric"])
    assert elara["relationships"] == [
        {"targetEntityId": "char_aldric", "relationshipType": "brother"}
    ]
    assert _locations(bible) == ["Port Haven"]
    assert bible["styleGuide"]["narrativeStyle"] == "third person limited (Elara)"


def test_a_genre_hint_names_the_genre():
    bible = rules.initial_bible(script=DOC_SCRIPT, idea=DOC_IDEA, genre_hint="Space Opera")
    assert bible["styleGuide"]["genre"] == "space opera / mystery"


def test_the_documents_continuation_is_clean_and_updates_a_new_bible(doc_bible):
    before = copy.deepcopy(doc_bible)
    issues, updated = _continue(doc_bible, DOC_CONTINUATION, 2)
    assert issues == []
    assert doc_bible == before  # the old version is left as it was
    assert updated is not doc_bible
    assert [e["segmentNumber"] for e in updated["timeline"]["majorEvents"]] == [1, 2]
    event = updated["timeline"]["majorEvents"][1]
    assert event["event"] == "Maya's hand trembled as she decoded the message"
    assert "sending a warning" in event["consequences"]
    assert {"name": "Earth", "description": "Planet"} in updated["setting"]["locations"]
    assert [c["canonicalName"] for c in updated["characters"]] == ["Maya Chen"]
    assert updated["plotThreads"] == [
        {
            "id": "thread_signal",
            "description": "Mystery of the Aurora's warning",
            "status": "active",
        }
    ]
    _assert_document_structure(updated)


def test_captain_williams_is_the_documents_continuity_violation(doc_bible):
    text = "'We cannot ignore this,' Captain Williams said. Maya nodded slowly."
    issues, _ = _continue(doc_bible, text, 2)
    assert errors(issues) == issues
    assert [(i["type"], i["severity"], i["description"]) for i in issues] == [
        ("name_drift", "error", "Character 'Captain Chen' referred to as 'Captain Williams'")
    ]
    assert "Did you mean 'Captain Chen'?" in issues[0]["suggestion"]
    assert "Use 'Captain Chen' or 'Maya' for consistency" in issues[0]["suggestion"]
    assert issues[0]["entityId"] == "char_maya"
    assert issues[0]["segment"] == 2


def test_the_crew_script_gives_the_documents_first_officer_relationship(crew_bible):
    maya, kai = _character(crew_bible, "Maya Chen"), _character(crew_bible, "Kai Okonkwo")
    assert kai["entityId"] == "char_kai"
    assert kai["aliases"] == ["Kai", "First Officer Okonkwo"]
    assert kai["description"] == "First officer"
    assert maya["relationships"] == [
        {"targetEntityId": "char_kai", "relationshipType": "first officer"}
    ]
    assert crew_bible["setting"]["primaryLocation"] == "Horizon"
    assert "Bridge of the Horizon" in _locations(crew_bible)
    assert crew_bible["setting"]["worldRules"] == ["FTL travel takes months"]
    assert crew_bible["timeline"]["currentPoint"].endswith("(Bridge of the Horizon)")


# --- ordinary prose -------------------------------------------------------------------------------


def test_twenty_ordinary_continuations_raise_no_issue_and_grow_the_bible(crew_bible):
    bible = crew_bible
    for segment, text in enumerate(ORDINARY, start=2):
        issues, bible = _continue(bible, text, segment)
        assert issues == [], (segment, text, issues)
    names = [c["canonicalName"] for c in bible["characters"]]
    assert names == [
        "Maya Chen", "Kai Okonkwo", "Lena Ortiz", "Amara Singh", "Tomas Reyes", "Elena Voss",
    ]  # fmt: skip
    lena = _character(bible, "Lena Ortiz")
    assert (lena["entityId"], lena["introducedInSegment"], lena["aliases"]) == (
        "char_lena", 3, ["Lena"]
    )  # fmt: skip
    assert _character(bible, "Amara Singh")["aliases"][:2] == ["Dr. Singh", "Amara"]
    assert {"targetEntityId": "char_amara", "relationshipType": "doctor"} in _character(
        bible, "Maya Chen"
    )["relationships"]
    assert "Kessler Nebula" in _locations(bible)
    assert [e["segmentNumber"] for e in bible["timeline"]["majorEvents"]] == list(range(1, 22))
    assert bible["timeline"]["currentPoint"].startswith("Three days later")
    assert all(c["isActive"] for c in bible["characters"])
    _assert_document_structure(bible)


def test_the_analysis_is_deterministic():
    first = rules.initial_bible(script=CREW_SCRIPT, title=DOC_TITLE, idea=DOC_IDEA)
    second = rules.initial_bible(script=CREW_SCRIPT, title=DOC_TITLE, idea=DOC_IDEA)
    assert json.dumps(first) == json.dumps(second)
    for text in ORDINARY[:5]:
        issues_a, first = _continue(first, text, 2)
        issues_b, second = _continue(second, text, 2)
        assert issues_a == issues_b
    assert json.dumps(first) == json.dumps(second)


# --- name drift -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wrong", "right"),
    [
        ("Captain Chan tapped the console.", "Captain Chan", "Captain Chen"),
        ("Maya Chan tapped the console.", "Maya Chan", "Maya Chen"),
        ("'Status?' asked Captain Williams.", "Captain Williams", "Captain Chen"),
        ("First Officer Okonkow checked the readings.", "First Officer Okonkow",
         "First Officer Okonkwo"),
    ],
)  # fmt: skip
def test_a_wrong_or_misspelt_name_is_an_error(crew_bible, text, wrong, right):
    issues, _ = _continue(crew_bible, text, 2)
    assert [(i["type"], i["severity"]) for i in issues] == [("name_drift", "error")]
    assert issues[0]["description"] == f"Character '{right}' referred to as '{wrong}'"


@pytest.mark.parametrize(
    "text",
    [
        "Captain Reyes of the freighter Ostrava hailed them an hour later.",
        "The hail came from another ship, and a weathered face filled the screen: Captain "
        "Ilsa Varga, the Ostrava's master.",
        "Maya thought of the former Captain Hale, who had commanded the Horizon before her.",
        "A young ensign named Priya Das saluted as Maya passed.",
        "Dr. Yusuf Adeyemi joined the crew at the last station.",
        "Lin Chen, Maya's younger sister, had sent a letter before the launch.",
    ],
)
def test_new_people_and_namesakes_introduced_naturally_are_not_drift(crew_bible, text):
    issues, _ = _continue(crew_bible, text, 2)
    assert errors(issues) == []


def test_a_new_character_is_added_by_the_update(crew_bible):
    issues, bible = _continue(crew_bible, "Captain Reyes of the freighter Ostrava hailed them.", 2)
    reyes = _character(bible, "Captain Reyes")
    assert (reyes["entityId"], reyes["aliases"], reyes["description"]) == (
        "char_reyes", ["Reyes"], "Captain of the Ostrava"
    )  # fmt: skip
    assert "Ostrava" in _locations(bible)
    # Now two captains are known: neither name is a slip.
    issues, _ = _continue(bible, "Captain Reyes nodded to Captain Chen.", 3)
    assert issues == []


# --- the inactive ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kai_dead(crew_bible) -> dict[str, Any]:
    issues, bible = _continue(
        crew_bible, "The airlock failed without warning. Kai was killed instantly.", 2
    )
    assert errors(issues) == []
    return bible


def test_a_character_who_dies_is_marked_inactive(kai_dead):
    assert _character(kai_dead, "Kai Okonkwo")["isActive"] is False
    assert _character(kai_dead, "Maya Chen")["isActive"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Kai walked onto the bridge and took his station.",
        "'We have to go back,' said Kai.",
        "Maya turned. First Officer Okonkwo nodded at her from the doorway.",
    ],
)
def test_an_inactive_character_who_acts_is_an_error(kai_dead, text):
    issues, _ = _continue(kai_dead, text, 3)
    assert [(i["type"], i["severity"], i["entityId"]) for i in issues] == [
        ("inactive_character", "error", "char_kai")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Maya remembered how Kai used to laugh at her jokes.",
        "Kai's empty chair stood beside hers.",
        "The recording began, and Kai smiled from the screen one last time.",
        "Nobody spoke Kai's name at dinner.",
    ],
)
def test_the_dead_remembered_are_not_an_error(kai_dead, text):
    issues, _ = _continue(kai_dead, text, 3)
    assert errors(issues) == []


@pytest.mark.parametrize(
    "text",
    [
        "Kai left the ship forever that night.",
        "Kai died in Maya's arms.",
        "The blast killed Kai.",
        "That night Maya could not sleep, thinking of Kai, who had died in the blast.",
    ],
)
def test_death_and_leaving_for_good_mark_inactive(crew_bible, text):
    _, bible = _continue(crew_bible, text, 2)
    assert _character(bible, "Kai Okonkwo")["isActive"] is False


@pytest.mark.parametrize(
    "text",
    ["Kai almost died in the blast.", "If Kai died, the mission would fail.", "Did Kai die?"],
)
def test_a_death_that_is_not_stated_as_fact_changes_nothing(crew_bible, text):
    _, bible = _continue(crew_bible, text, 2)
    assert _character(bible, "Kai Okonkwo")["isActive"] is True


def test_a_death_and_an_act_after_it_in_one_text_is_an_error(crew_bible):
    text = "Kai died at his post. An hour later, Kai walked into the mess hall."
    issues, _ = _continue(crew_bible, text, 2)
    assert [i["type"] for i in errors(issues)] == ["inactive_character"]


# --- world rules ----------------------------------------------------------------------------------


def test_instant_travel_breaks_the_ftl_rule(crew_bible):
    issues, _ = _continue(crew_bible, "The Horizon jumped to Earth instantly.", 2)
    assert [(i["type"], i["severity"]) for i in issues] == [("world_rule", "error")]
    assert "FTL travel takes months" in issues[0]["description"]


@pytest.mark.parametrize(
    "text",
    [
        "Kai instantly jumped to his feet.",
        "Maya wished they could jump to Earth instantly.",
        "The months of travel wore on everyone.",
        "Lena answered immediately.",
    ],
)
def test_ordinary_speed_does_not_break_the_ftl_rule(crew_bible, text):
    issues, _ = _continue(crew_bible, text, 2)
    assert errors(issues) == []


def test_a_rule_stated_in_a_segment_is_kept_and_checked_later(crew_bible):
    _, bible = _continue(crew_bible, "No one can survive outside the dome.", 2)
    assert "No one can survive outside the dome" in bible["setting"]["worldRules"]
    issues, _ = _continue(bible, "Kai survived outside the dome for an hour.", 3)
    assert [(i["type"], i["severity"]) for i in issues] == [("world_rule", "error")]
    issues, _ = _continue(bible, "Kai survived the night in the infirmary.", 3)
    assert issues == []


def test_using_a_forbidden_thing_openly_is_a_warning():
    bible = rules.initial_bible(
        script="Magic is forbidden in the kingdom. Elara, a young healer, kept her head down."
    )
    assert bible["setting"]["worldRules"] == ["Magic is forbidden in the kingdom"]
    issues, _ = _continue(bible, "Elara used magic to heal the boy.", 2)
    assert [(i["type"], i["severity"]) for i in issues] == [("world_rule", "warning")]
    issues, _ = _continue(bible, "Elara secretly used magic to heal the boy.", 2)
    assert issues == []


def test_a_sentence_about_a_person_is_not_a_world_rule(crew_bible):
    _, bible = _continue(crew_bible, "Maya cannot sleep. She never could before a jump.", 2)
    assert bible["setting"]["worldRules"] == crew_bible["setting"]["worldRules"]


# --- place and time -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def on_the_horizon(crew_bible) -> dict[str, Any]:
    _, bible = _continue(crew_bible, DOC_CONTINUATION, 2)  # Earth becomes a known place
    _, bible = _continue(bible, "That night, Maya sat alone aboard the Horizon.", 3)
    assert bible["timeline"]["currentPoint"] == "That night (Horizon)"
    return bible


def test_a_move_to_another_place_without_a_transition_contradicts_the_bible(on_the_horizon):
    issues, _ = _continue(on_the_horizon, "Maya stood on Earth, staring at the grey sky.", 4)
    assert [(i["type"], i["severity"]) for i in issues] == [("location_jump", "error")]
    assert "'Horizon' to 'Earth'" in issues[0]["description"]


@pytest.mark.parametrize(
    "text",
    [
        "Three months later, the Horizon landed on Earth. Maya stood on Earth for the first "
        "time in years.",
        "Maya arrived on Earth at last.",
        "Maya stood on the bridge of the Horizon, looking down at Earth.",
        "Earth is no longer Earth, Maya thought.",
    ],
)
def test_a_move_with_a_transition_or_a_mention_is_no_jump(on_the_horizon, text):
    issues, _ = _continue(on_the_horizon, text, 4)
    assert [i for i in issues if i["type"] == "location_jump"] == []


def test_a_new_time_of_day_without_a_transition_contradicts_the_bible(on_the_horizon):
    issues, _ = _continue(on_the_horizon, "It was morning, and Maya was still at her post.", 4)
    assert [(i["type"], i["severity"]) for i in issues] == [("time_jump", "error")]
    issues, _ = _continue(on_the_horizon, "Hours passed. It was morning when Kai came in.", 4)
    assert issues == []


def test_a_later_year_without_a_transition_contradicts_the_bible(crew_bible):
    issues, _ = _continue(crew_bible, "In 3050, the Horizon was still searching.", 2)
    assert [(i["type"], i["severity"]) for i in issues] == [("time_jump", "error")]
    issues, _ = _continue(crew_bible, "Eight years later, in 3050, they were still searching.", 2)
    assert issues == []


def test_the_first_segment_validates_clean_against_its_own_bible():
    script = (
        "Maya stood on the bridge of the Horizon. Later that night she was aboard the Aurora. "
        "Kai laughed at her worry. Then Kai was killed by a falling beam."
    )
    bible = rules.initial_bible(script=script)
    issues = rules.validate(text=script, shots=[], bible=bible, segment_number=1)
    assert issues == []


# --- the structure --------------------------------------------------------------------------------


def test_the_default_analyzer_is_the_rule_analyzer(settings):
    settings.LLM_BASE_URL = None
    assert isinstance(analyzer(), RuleAnalyzer)


def test_expansion_uses_the_bible_names_and_style(doc_bible):
    shots = rules.expand(text="'Status?' Maya asked. Nobody answered.", bible=doc_bible)
    assert shots[0].dialogue == (("Maya Chen", "Status?"),)
    assert all(shot.prompt.endswith("dark, atmospheric") for shot in shots)


def test_a_bible_from_outside_is_repaired_where_it_can_be():
    bible = normalise_bible(
        {
            "characters": [
                {"canonicalName": "Maya Chen", "aliases": "Maya, Captain Chen", "extra": 1},
                {"entityId": "char_maya", "canonicalName": "Maya Rivera", "isActive": "no"},
                {
                    "canonicalName": "Kai",
                    "relationships": [{"targetEntityId": "char_nobody", "relationshipType": "x"}],
                },
            ],
            "setting": {"locations": ["Earth", {"name": "Earth"}], "worldRules": "A; B"},
            "timeline": {"majorEvents": [{"segmentNumber": "2", "event": "E"}, {"event": ""}]},
            "plotThreads": [{"description": "Who sent it?", "status": "weird"}],
        },
        segment_number=2,
    )
    assert [c["entityId"] for c in bible["characters"]] == ["char_maya", "char_maya_rivera",
                                                            "char_kai"]  # fmt: skip
    assert bible["characters"][0]["aliases"] == ["Maya", "Captain Chen"]
    assert bible["characters"][1]["isActive"] is True
    assert bible["characters"][2]["relationships"] == []
    assert bible["setting"]["locations"] == [{"name": "Earth", "description": ""}]
    assert bible["setting"]["worldRules"] == ["A", "B"]
    assert bible["timeline"]["majorEvents"] == [
        {"segmentNumber": 2, "event": "E", "consequences": ""}
    ]
    assert bible["plotThreads"][0]["status"] == "active"
    assert bible["plotThreads"][0]["id"].startswith("thread_")
    _assert_document_structure(bible)


@pytest.mark.parametrize(
    "raw", [[], "bible", {"characters": {}}, {"characters": [{"aliases": []}]}, {"setting": []}]
)
def test_a_bible_that_cannot_be_repaired_is_refused(raw):
    with pytest.raises(BibleInvalid):
        normalise_bible(raw)


def test_issues_from_outside_keep_only_the_known_types():
    issues = normalise_issues(
        {
            "issues": [
                {"type": "name drift", "severity": "ERROR", "description": "d", "suggestion": 1},
                {"type": "plot_hole", "severity": "error", "description": "d"},
                {"type": "time_jump", "severity": "fatal", "description": "d"},
            ]
        },
        segment_number=4,
    )
    assert issues == [
        {"type": "name_drift", "severity": "error", "description": "d", "suggestion": "1",
         "segment": 4}
    ]  # fmt: skip
    with pytest.raises(BibleInvalid):
        normalise_issues({"issues": "none"})
