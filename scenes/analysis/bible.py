"""The Scene Bible's structure, as GET /scenes/:id/bible shows it, and its checking.

A bible is plain JSON (it is stored as a version row and served as is), so it is a dict, not
a class. `empty_bible` is its skeleton; `normalise_bible` checks a bible that came from
outside (a language model's answer), repairs what can be repaired (a missing list, an alias
given as a string, a duplicate id) and refuses what cannot (BibleInvalid). `normalise_issues`
does the same for continuity issues. The scenes app adds `sceneId`, `version` and `updatedAt`.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

Bible = dict[str, Any]
Issue = dict[str, Any]

ISSUE_TYPES = ("name_drift", "inactive_character", "world_rule", "location_jump", "time_jump")
SEVERITIES = ("error", "warning")
THREAD_STATUSES = ("active", "resolved", "dormant")

# The keys of each object, in the document's order (the scenes app serves them in this order).
BIBLE_KEYS = ("characters", "setting", "timeline", "plotThreads", "styleGuide")
CHARACTER_KEYS = (
    "entityId",
    "canonicalName",
    "aliases",
    "description",
    "traits",
    "relationships",
    "introducedInSegment",
    "isActive",
)
RELATIONSHIP_KEYS = ("targetEntityId", "relationshipType")
SETTING_KEYS = ("primaryLocation", "timePeriod", "worldRules", "locations")
LOCATION_KEYS = ("name", "description")
TIMELINE_KEYS = ("currentPoint", "majorEvents")
EVENT_KEYS = ("segmentNumber", "event", "consequences")
THREAD_KEYS = ("id", "description", "status")
STYLE_KEYS = ("tone", "genre", "visualStyle", "narrativeStyle")
ISSUE_KEYS = ("type", "severity", "description", "suggestion")
ISSUE_OPTIONAL_KEYS = ("segment", "excerpt", "entityId")


class BibleInvalid(ValueError):
    """A bible (or issue list) that does not fit the structure and cannot be repaired."""


def empty_bible() -> Bible:
    """A bible with every key and nothing in it."""
    return {
        "characters": [],
        "setting": {"primaryLocation": "", "timePeriod": "", "worldRules": [], "locations": []},
        "timeline": {"currentPoint": "", "majorEvents": []},
        "plotThreads": [],
        "styleGuide": {"tone": "", "genre": "", "visualStyle": "", "narrativeStyle": ""},
    }


def slug(text: str) -> str:
    """ "Bridge of the Horizon" -> "bridge_of_the_horizon" (ASCII, for entity ids)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "x"


def unique_id(prefix: str, candidates: list[str], taken: set[str]) -> str:
    """The first of `prefix_candidate` not taken, else the last one with a number."""
    for candidate in candidates:
        entity_id = f"{prefix}_{slug(candidate)}"
        if entity_id not in taken:
            return entity_id
    base = f"{prefix}_{slug(candidates[-1])}"
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def character_id(name: str, taken: set[str]) -> str:
    """`char_maya` for "Maya Chen" (first name), `char_maya_chen` when that is taken."""
    words = [w for w in name.replace(".", "").split() if w]
    first = words[-1] if len(words) == 2 and _is_title_word(words[0]) else words[0]
    return unique_id("char", [first, name], taken)


def _is_title_word(word: str) -> bool:
    # Imported late: entities imports this module.
    from scenes.analysis.entities import TITLE_KEYS

    return word.lower().rstrip(".") in TITLE_KEYS


def copy_bible(bible: Bible) -> Bible:
    """A deep copy with every top-level key (`empty_bible`'s for those it lacks): a new
    version never shares lists with the old one."""
    new = copy.deepcopy(bible)
    for key, value in empty_bible().items():
        new.setdefault(key, value)
    return new


# --- checking a bible from outside ----------------------------------------------------------------


def _text(value: Any, *, limit: int = 500) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())[:limit]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise BibleInvalid(f"expected text, got {type(value).__name__}")


def _texts(value: Any, *, limit: int = 50) -> list[str]:
    """A list of strings; one string is read as a list of one (or a comma list)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"\s*[,;]\s*", value) if v]
    if not isinstance(value, list):
        raise BibleInvalid(f"expected a list of text, got {type(value).__name__}")
    out: list[str] = []
    for item in value:
        if isinstance(item, dict):  # {"rule": "..."} and the like: keep the text
            item = next((v for v in item.values() if isinstance(v, str)), "")
        text = _text(item)
        if text and text not in out:
            out.append(text)
    return out[:limit]


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return default


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BibleInvalid(f"{name} is not an object")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BibleInvalid(f"{name} is not a list")
    return value


def normalise_bible(raw: Any, *, segment_number: int = 1) -> Bible:
    """`raw` checked and repaired into the bible structure; raises BibleInvalid.

    Unknown keys are dropped, missing ones filled, ids made unique and relationships that
    point at no character removed. A bible without an object at the top, or whose
    characters are not a list, is refused, as is a character without a name.
    """
    if not isinstance(raw, dict):
        raise BibleInvalid("the bible is not a JSON object")
    if "bible" in raw and isinstance(raw["bible"], dict):  # a model that wrapped its answer
        raw = raw["bible"]
    bible = empty_bible()
    taken: set[str] = set()
    pending_relationships: list[tuple[dict[str, Any], list[Any]]] = []
    for i, item in enumerate(_list(raw.get("characters"), "characters")):
        if not isinstance(item, dict):
            raise BibleInvalid(f"characters[{i}] is not an object")
        name = _text(item.get("canonicalName") or item.get("name"), limit=120)
        if not name:
            raise BibleInvalid(f"characters[{i}] has no canonicalName")
        entity_id = _text(item.get("entityId") or item.get("id"), limit=80)
        if not re.fullmatch(r"char_[a-z0-9_]+", entity_id) or entity_id in taken:
            entity_id = character_id(name, taken)
        taken.add(entity_id)
        aliases = [a for a in _texts(item.get("aliases")) if a != name]
        is_active = item.get("isActive", True)
        character: dict[str, Any] = {
            "entityId": entity_id,
            "canonicalName": name,
            "aliases": aliases,
            "description": _text(item.get("description")),
            "traits": _texts(item.get("traits"), limit=12),
            "relationships": [],
            "introducedInSegment": max(1, _int(item.get("introducedInSegment"), segment_number)),
            "isActive": is_active if isinstance(is_active, bool) else True,
        }
        bible["characters"].append(character)
        pending_relationships.append((character, _list(item.get("relationships"), "relationships")))
    ids = {c["entityId"] for c in bible["characters"]}
    by_name = {c["canonicalName"].lower(): c["entityId"] for c in bible["characters"]}
    for character, relationships in pending_relationships:
        for rel in relationships:
            if not isinstance(rel, dict):
                continue
            target = _text(rel.get("targetEntityId"), limit=80)
            target = target if target in ids else by_name.get(target.lower(), "")
            kind = _text(rel.get("relationshipType") or rel.get("type"), limit=80)
            if target and kind and target != character["entityId"]:
                character["relationships"].append(
                    {"targetEntityId": target, "relationshipType": kind}
                )

    setting = _object(raw.get("setting"), "setting")
    locations = []
    seen_places: set[str] = set()
    for i, item in enumerate(_list(setting.get("locations"), "setting.locations")):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise BibleInvalid(f"setting.locations[{i}] is not an object")
        place = _text(item.get("name"), limit=120)
        if place and place.lower() not in seen_places:
            seen_places.add(place.lower())
            locations.append({"name": place, "description": _text(item.get("description"))})
    bible["setting"] = {
        "primaryLocation": _text(setting.get("primaryLocation"), limit=120),
        "timePeriod": _text(setting.get("timePeriod"), limit=120),
        "worldRules": _texts(setting.get("worldRules")),
        "locations": locations,
    }

    timeline = _object(raw.get("timeline"), "timeline")
    events: list[dict[str, Any]] = []
    for i, item in enumerate(_list(timeline.get("majorEvents"), "timeline.majorEvents")):
        if not isinstance(item, dict):
            raise BibleInvalid(f"timeline.majorEvents[{i}] is not an object")
        event = _text(item.get("event"))
        if event:
            events.append(
                {
                    "segmentNumber": max(1, _int(item.get("segmentNumber"), segment_number)),
                    "event": event,
                    "consequences": _text(item.get("consequences")),
                }
            )
    events.sort(key=lambda e: e["segmentNumber"])  # stable: a segment's events keep order
    bible["timeline"] = {
        "currentPoint": _text(timeline.get("currentPoint"), limit=200),
        "majorEvents": events,
    }

    thread_ids: set[str] = set()
    for i, item in enumerate(_list(raw.get("plotThreads"), "plotThreads")):
        if not isinstance(item, dict):
            raise BibleInvalid(f"plotThreads[{i}] is not an object")
        description = _text(item.get("description"))
        if not description:
            continue
        thread_id = _text(item.get("id"), limit=80)
        if not re.fullmatch(r"thread_[a-z0-9_]+", thread_id) or thread_id in thread_ids:
            thread_id = unique_id("thread", [description], thread_ids)
        thread_ids.add(thread_id)
        status = _text(item.get("status")).lower()
        bible["plotThreads"].append(
            {
                "id": thread_id,
                "description": description,
                "status": status if status in THREAD_STATUSES else "active",
            }
        )

    style = _object(raw.get("styleGuide"), "styleGuide")
    bible["styleGuide"] = {key: _text(style.get(key), limit=200) for key in STYLE_KEYS}
    return bible


def normalise_issues(raw: Any, *, segment_number: int | None = None) -> list[Issue]:
    """Continuity issues checked against the structure; raises BibleInvalid when unusable.

    An issue of an unknown type or severity, or without a description, is dropped (the
    rest are kept); an answer that is not a list of objects (or {"issues": [...]}) is refused.
    """
    if isinstance(raw, dict):
        raw = raw.get("issues")
    if not isinstance(raw, list):
        raise BibleInvalid("issues is not a list")
    issues: list[Issue] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BibleInvalid("an issue is not an object")
        kind = _text(item.get("type"), limit=40).lower().replace(" ", "_").replace("-", "_")
        severity = _text(item.get("severity"), limit=20).lower()
        description = _text(item.get("description"))
        if kind not in ISSUE_TYPES or severity not in SEVERITIES or not description:
            continue
        issue: Issue = {
            "type": kind,
            "severity": severity,
            "description": description,
            "suggestion": _text(item.get("suggestion")),
        }
        if segment_number is not None:
            issue["segment"] = segment_number
        for key in ("excerpt", "entityId"):
            if item.get(key):
                issue[key] = _text(item.get(key))
        issues.append(issue)
    return issues
