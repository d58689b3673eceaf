"""Story analysis by a language model on an OpenAI-compatible server (when LLM_BASE_URL is set).

The model is asked for JSON in the bible's and the issues' structures; what it answers is
checked (bible.normalise_bible / normalise_issues): fields repaired where they can be, the
answer refused where they cannot, and then the rule analysis is used instead, with a warning
in the log and the job's log. A model's bible may not lose what the story already had: the
characters, events and threads of the old version are kept, ids stay stable, and the style
guide stays as the scene began. Continuity: the rule checks find candidates and the model,
asked for structured output (a JSON schema), confirms or rejects each and adds what they miss
(`combine`): a rejected candidate stays as a warning, an addition must quote the text, and a
candidate the model says nothing about stands, so a model that misses "Captain Williams"
cannot let it through.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from media_pipeline.backends.base import NullReporter, Reporter
from media_pipeline.request import Shot
from scenes.analysis.bible import (
    Bible,
    BibleInvalid,
    Issue,
    character_id,
    copy_bible,
    normalise_bible,
    normalise_issues,
)
from scenes.analysis.entities import Passage
from scenes.analysis.rules import RuleAnalyzer, expand_with, timeline_event
from storytext import writer as text_writer
from storytext.core import GenerationParameters, TextGenerationError
from storytext.openai_compatible import OpenAICompatibleWriter

logger = logging.getLogger(__name__)

_BIBLE_FORM = json.dumps(
    {
        "characters": [
            {
                "entityId": "char_maya",
                "canonicalName": "Maya Chen",
                "aliases": ["Captain Chen", "Maya"],
                "description": "who they are, how they look",
                "traits": ["determined"],
                "relationships": [
                    {"targetEntityId": "char_kai", "relationshipType": "first officer"}
                ],
                "introducedInSegment": 1,
                "isActive": True,
            }
        ],
        "setting": {
            "primaryLocation": "where the story mostly happens",
            "timePeriod": "Year 3042",
            "worldRules": ["FTL travel takes months, not instant"],
            "locations": [{"name": "Bridge of the Horizon", "description": "..."}],
        },
        "timeline": {
            "currentPoint": "when and where the story now is",
            "majorEvents": [{"segmentNumber": 1, "event": "...", "consequences": "..."}],
        },
        "plotThreads": [{"id": "thread_signal", "description": "...", "status": "active"}],
        "styleGuide": {
            "tone": "...",
            "genre": "...",
            "visualStyle": "...",
            "narrativeStyle": "...",
        },
    }
)
_BIBLE_RULES = (
    "Only people are characters: ships, planets and places go in setting.locations. Aliases "
    "are the other names the text uses for a character (a first name, title and surname). A "
    "character who dies or leaves for good gets isActive false. Answer with the JSON object "
    "only."
)
INITIAL_SYSTEM = (
    "You keep the Scene Bible of a collaborative story: its characters, setting, timeline, "
    "plot threads and style. Build the bible of segment 1 from the script the user gives. "
    f"Answer with one JSON object of exactly this form:\n{_BIBLE_FORM}\n{_BIBLE_RULES}"
)
UPDATE_SYSTEM = (
    "You keep the Scene Bible of a collaborative story. The user gives the current bible and "
    "the text of segment {segment}. Answer with the complete updated bible: keep everything "
    "that is still true, add new characters (introducedInSegment {segment}), aliases, "
    "locations and world rules the text introduces, mark characters who die or leave for good "
    "inactive, add one timeline event for segment {segment} with its consequences, update "
    "the current point and the plot threads. One JSON object of exactly this form:\n"
    f"{_BIBLE_FORM}\n{_BIBLE_RULES}"
)
VALIDATE_SYSTEM = (
    "You check a new segment of a story against its Scene Bible for continuity errors. "
    "Report only real problems: a character called by a wrong name or title (name_drift), "
    "a character marked inactive who speaks or acts (inactive_character), a statement that "
    "breaks a world rule (world_rule), a move to another place or time with no transition "
    "(location_jump, time_jump). New characters and places are not errors; a dead character "
    "remembered, a marked flashback, a rule talked about, a journey narrated are not errors. "
    "The user also gives `candidates`: what rule-based checks found, numbered. For each "
    "candidate say whether it is a real contradiction (confirmed true) or not (false, with "
    "the reason). Then add, in `issues`, real problems the candidates miss, each quoting the "
    'offending sentence verbatim in `excerpt`. Severity is "error" for contradictions and '
    '"warning" for what a reader may find jarring. Answer with one JSON object: '
    '{"verdicts": [{"candidate": 0, "confirmed": true, "reason": "..."}], "issues": '
    '[{"type": "name_drift", "severity": "error", "description": "Character \'Captain Chen\' '
    "referred to as 'Captain Williams'\", \"suggestion\": \"Use 'Captain Chen' or 'Maya' for "
    'consistency", "excerpt": "..."}]}, with empty lists when there is nothing to say.'
)
ISSUE_TYPES_SCHEMA = [
    "name_drift",
    "inactive_character",
    "world_rule",
    "location_jump",
    "time_jump",
]
# Structured output (response_format json_schema): the form the verdicts and issues must take.
VALIDATE_SCHEMA: dict[str, Any] = {
    "name": "continuity_check",
    "strict": True,
    "schema": {
        "type": "object",
        "additionalProperties": False,
        "required": ["verdicts", "issues"],
        "properties": {
            "verdicts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["candidate", "confirmed", "reason"],
                    "properties": {
                        "candidate": {"type": "integer", "minimum": 0},
                        "confirmed": {"type": "boolean"},
                        "reason": {"type": "string"},
                    },
                },
            },
            "issues": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "severity", "description", "suggestion", "excerpt"],
                    "properties": {
                        "type": {"type": "string", "enum": ISSUE_TYPES_SCHEMA},
                        "severity": {"type": "string", "enum": ["error", "warning"]},
                        "description": {"type": "string"},
                        "suggestion": {"type": "string"},
                        "excerpt": {"type": "string"},
                    },
                },
            },
        },
    },
}


class AnalysisUnusable(ValueError):
    """The model's answer is not JSON of the asked structure."""


def parse_json_object(content: str) -> Any:
    """The JSON object in a model's answer (code fences and chatter around it allowed)."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    try:
        return json.loads(text[start : end + 1] if start >= 0 and end > start else text)
    except ValueError as exc:
        raise AnalysisUnusable(f"not JSON: {exc}") from exc


class LlmAnalyzer:
    """The story analysis a language model makes, checked, with the rules as a floor."""

    name = "llm"

    def __init__(self, writer: OpenAICompatibleWriter, *, seed: int = 0) -> None:
        self.writer = writer
        self.seed = seed
        self.rules = RuleAnalyzer()

    @classmethod
    def from_settings(cls) -> LlmAnalyzer:
        chosen = text_writer()
        if not isinstance(chosen, OpenAICompatibleWriter):
            raise RuntimeError("LlmAnalyzer needs LLM_BASE_URL to be set.")
        return cls(chosen)

    # --- the interface ---------------------------------------------------------------------

    def initial_bible(
        self,
        *,
        script: str,
        title: str = "",
        idea: str = "",
        genre_hint: str = "",
        reporter: Reporter | None = None,
    ) -> Bible:
        reporter = reporter or NullReporter()
        user = json.dumps(
            {"title": title, "idea": idea, "genre": genre_hint, "script": script},
            ensure_ascii=False,
        )
        try:
            raw = self._ask(INITIAL_SYSTEM, user, reporter=reporter, max_tokens=3000)
            bible = normalise_bible(raw, segment_number=1)
            for event in bible["timeline"]["majorEvents"]:
                event["segmentNumber"] = 1
            for character in bible["characters"]:
                character["introducedInSegment"] = 1
            if not bible["timeline"]["majorEvents"]:
                event = timeline_event(Passage.read(script), 1)
                bible["timeline"]["majorEvents"] = [event] if event else []
            return bible
        except (AnalysisUnusable, BibleInvalid, TextGenerationError) as exc:
            self._fell_back("bible", exc, reporter)
            return self.rules.initial_bible(
                script=script, title=title, idea=idea, genre_hint=genre_hint
            )

    def expand(
        self,
        *,
        text: str,
        bible: Bible,
        total_duration: float | None = None,
        seed: int = 0,
        reporter: Reporter | None = None,
    ) -> list[Shot]:
        # expand_text_to_shots asks the model for a shot list, checks it against the Shot
        # structure and falls back to the rule breakdown itself.
        return expand_with(
            self.writer, text=text, bible=bible, total_duration=total_duration, seed=seed,
            reporter=reporter,
        )  # fmt: skip

    def validate(
        self,
        *,
        text: str,
        shots: list[Shot],
        bible: Bible,
        segment_number: int,
        reporter: Reporter | None = None,
    ) -> list[Issue]:
        reporter = reporter or NullReporter()
        candidates = self.rules.validate(
            text=text, shots=shots, bible=bible, segment_number=segment_number
        )
        user = json.dumps(
            {
                "bible": bible,
                "segmentNumber": segment_number,
                "text": text,
                "candidates": [
                    {
                        "candidate": n,
                        **{k: c.get(k, "") for k in ("type", "description", "excerpt")},
                    }
                    for n, c in enumerate(candidates)
                ],
            },
            ensure_ascii=False,
        )
        try:
            raw = self._ask(
                VALIDATE_SYSTEM, user, reporter=reporter, max_tokens=1500, schema=VALIDATE_SCHEMA
            )
            verdicts = parse_verdicts(raw, len(candidates))
            added = normalise_issues(raw, segment_number=segment_number)
        except (AnalysisUnusable, BibleInvalid, TextGenerationError) as exc:
            self._fell_back("continuity issues", exc, reporter)
            return candidates
        return combine(candidates, verdicts, added, text=text, segment_number=segment_number)

    def update_bible(
        self,
        *,
        bible: Bible,
        text: str,
        shots: list[Shot],
        segment_number: int,
        reporter: Reporter | None = None,
    ) -> Bible:
        reporter = reporter or NullReporter()
        user = json.dumps({"bible": bible, "segmentText": text}, ensure_ascii=False)
        try:
            raw = self._ask(
                # replace, not format: the JSON form is full of braces.
                UPDATE_SYSTEM.replace("{segment}", str(segment_number)),
                user,
                reporter=reporter,
                max_tokens=4000,
            )
            answer = normalise_bible(raw, segment_number=segment_number)
        except (AnalysisUnusable, BibleInvalid, TextGenerationError) as exc:
            self._fell_back("updated bible", exc, reporter)
            return self.rules.update_bible(
                bible=bible, text=text, shots=shots, segment_number=segment_number
            )
        return keep_history(bible, answer, segment_number=segment_number, text=text)

    # --- helpers -------------------------------------------------------------------------------

    def _ask(
        self,
        system: str,
        user: str,
        *,
        reporter: Reporter,
        max_tokens: int,
        schema: dict[str, Any] | None = None,
    ) -> Any:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        parameters = GenerationParameters(temperature=0.1, max_tokens=max_tokens)
        answer = self.writer.chat(
            messages,
            parameters=parameters,
            seed=self.seed,
            reporter=reporter,
            json_object=schema is None,
            json_schema=schema,
        )
        return parse_json_object(answer.text)

    @staticmethod
    def _fell_back(what: str, exc: Exception, reporter: Reporter) -> None:
        message = f"The language model's {what} was not usable ({exc}); using the rule analysis."
        logger.warning(message)
        reporter.log(message, level="warning")


def parse_verdicts(raw: Any, count: int) -> dict[int, tuple[bool, str]]:
    """{candidate number: (confirmed, reason)} from the model's answer; an answer without
    verdicts (an older model's {"issues": [...]}) gives none. Raises AnalysisUnusable when the
    verdicts are not a list of objects of the schema's form."""
    if not isinstance(raw, dict) or raw.get("verdicts") is None:
        return {}
    items = raw["verdicts"]
    if not isinstance(items, list):
        raise AnalysisUnusable("verdicts is not a list")
    verdicts: dict[int, tuple[bool, str]] = {}
    for item in items:
        if not isinstance(item, dict):
            raise AnalysisUnusable("a verdict is not an object")
        number, confirmed = item.get("candidate"), item.get("confirmed")
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < count:
            continue  # a verdict on a candidate that does not exist
        if not isinstance(confirmed, bool):
            continue
        reason = item.get("reason")
        verdicts[number] = (
            confirmed,
            " ".join(reason.split())[:300] if isinstance(reason, str) else "",
        )
    return verdicts


def _in_text(excerpt: str, text: str) -> bool:
    def norm(value: str) -> str:
        return " ".join(re.findall(r"\w+", value.lower()))

    return bool(excerpt) and norm(excerpt) in norm(text)


def combine(
    candidates: list[Issue],
    verdicts: dict[int, tuple[bool, str]],
    added: list[Issue],
    *,
    text: str,
    segment_number: int,
) -> list[Issue]:
    """Rules find candidates, the model confirms or adds:

    - a candidate the model confirms, or says nothing about, stands as the rules made it;
    - a candidate the model rejects stays, as a warning that says why (it no longer fails the
      job, and a reviewer still sees it);
    - an issue the model adds stands when its excerpt is a sentence of the text (an excerpt
      the text does not contain is a made-up quote, and is dropped); one the rules already
      raised for the same sentence is not repeated.
    """
    out: list[Issue] = []
    for number, candidate in enumerate(candidates):
        issue = dict(candidate)
        verdict = verdicts.get(number)
        if verdict is not None and not verdict[0] and issue["severity"] == "error":
            issue["severity"] = "warning"
            reason = verdict[1] or "no reason given"
            issue["description"] += f" (the language model judged this no contradiction: {reason})"
        out.append(issue)
    seen = {(i["type"], i.get("excerpt") or i.get("entityId") or i["description"]) for i in out}
    for issue in added:
        excerpt = issue.get("excerpt", "")
        if excerpt and not _in_text(excerpt, text):
            continue
        key = (issue["type"], excerpt or issue.get("entityId") or issue["description"])
        if key in seen:
            continue
        seen.add(key)
        issue["segment"] = segment_number
        out.append(issue)
    return sorted(out, key=lambda i: i["severity"] != "error")


def keep_history(old: Bible, answer: Bible, *, segment_number: int, text: str) -> Bible:
    """The model's updated bible with nothing of the old one lost and its ids kept."""
    new = copy_bible(old)
    characters = new["characters"]
    taken = {c["entityId"] for c in characters}
    id_map: dict[str, str] = {}

    def names(character: dict[str, Any]) -> set[str]:
        return {n.lower() for n in [character["canonicalName"], *character.get("aliases", [])]}

    # A character is who their names say: a model may reuse an id for someone else.
    by_name = {
        proposed["entityId"]: next((c for c in characters if names(c) & names(proposed)), None)
        for proposed in answer["characters"]
    }
    named = {id(c) for c in by_name.values() if c is not None}
    for proposed in answer["characters"]:
        match = by_name[proposed["entityId"]] or next(
            (c for c in characters if c["entityId"] == proposed["entityId"] and id(c) not in named),
            None,
        )
        if match is None:
            entity_id = proposed["entityId"]
            if entity_id in taken:
                entity_id = character_id(proposed["canonicalName"], taken)
            taken.add(entity_id)
            id_map[proposed["entityId"]] = entity_id
            characters.append(
                {
                    **proposed,
                    "entityId": entity_id,
                    "relationships": [],
                    "introducedInSegment": min(
                        segment_number, max(1, proposed["introducedInSegment"])
                    ),
                }
            )
            continue
        id_map[proposed["entityId"]] = match["entityId"]
        for alias in [proposed["canonicalName"], *proposed["aliases"]]:
            if alias != match["canonicalName"] and alias not in match["aliases"]:
                match["aliases"].append(alias)
        match["description"] = proposed["description"] or match["description"]
        for trait in proposed["traits"]:
            if trait not in match["traits"]:
                match["traits"].append(trait)
        match["isActive"] = proposed["isActive"]
    ids = {c["entityId"] for c in characters}
    for proposed in answer["characters"]:
        owner = next(c for c in characters if c["entityId"] == id_map[proposed["entityId"]])
        for rel in proposed["relationships"]:
            link = {
                "targetEntityId": id_map.get(rel["targetEntityId"], rel["targetEntityId"]),
                "relationshipType": rel["relationshipType"],
            }
            target = link["targetEntityId"]
            relationships = owner.setdefault("relationships", [])
            if target in ids and target != owner["entityId"] and link not in relationships:
                relationships.append(link)

    setting, proposed_setting = new["setting"], answer["setting"]
    known = {loc["name"].lower() for loc in setting["locations"]}
    for location in proposed_setting["locations"]:
        if location["name"].lower() not in known:
            known.add(location["name"].lower())
            setting["locations"].append(location)
    for rule in proposed_setting["worldRules"]:
        if rule.lower() not in {r.lower() for r in setting["worldRules"]}:
            setting["worldRules"].append(rule)
    setting["primaryLocation"] = setting["primaryLocation"] or proposed_setting["primaryLocation"]
    setting["timePeriod"] = setting["timePeriod"] or proposed_setting["timePeriod"]

    timeline = new["timeline"]
    events = [e for e in timeline["majorEvents"] if e["segmentNumber"] != segment_number]
    fresh = [e for e in answer["timeline"]["majorEvents"] if e["segmentNumber"] == segment_number]
    if not fresh:
        event = timeline_event(Passage.read(text), segment_number)
        fresh = [event] if event else []
    timeline["majorEvents"] = sorted(events + fresh[:1], key=lambda e: e["segmentNumber"])
    timeline["currentPoint"] = answer["timeline"]["currentPoint"] or timeline["currentPoint"]

    threads = {t["id"]: t for t in new["plotThreads"]}
    for thread in answer["plotThreads"]:
        if thread["id"] in threads:
            threads[thread["id"]].update(description=thread["description"], status=thread["status"])
        else:
            new["plotThreads"].append(thread)
            threads[thread["id"]] = thread
    for key, value in answer["styleGuide"].items():
        new["styleGuide"][key] = new["styleGuide"].get(key) or value
    return new
