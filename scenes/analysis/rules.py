"""The offline story analyser: the Scene Bible built and kept by rule, shots by the script rules.

Deterministic: the same script gives the same bible, byte for byte, on every machine. See
entities.py for what it reads from prose and continuity.py for what it checks.
"""
# ruff: noqa: RUF001

from __future__ import annotations

import re
from typing import Any

from media_pipeline.backends.base import Reporter
from media_pipeline.request import Shot
from scenes.analysis import entities as ent
from scenes.analysis import reading
from scenes.analysis import words as wd
from scenes.analysis.bible import Bible, Issue, character_id, copy_bible, empty_bible, unique_id
from scenes.analysis.constraints import parse_rule
from scenes.analysis.continuity import check_continuity, split_point
from storytext import RuleWriter
from storytext.core import TextWriter
from storytext.script import expand_text_to_shots
from storytext.vocabulary import canonical_genre

SCIFI_HINTS = re.compile(
    r"\b(?:colony ship|starship|spaceship|space station|ftl|galaxy|planet|orbit|warp|"
    r"hyperspace|android|asteroid)\b",
    re.I,
)
MAX_TRAITS = 6
MAX_EVENT_CHARS = 240
BARE_TITLES = set(ent.TITLE_FORMS.values()) | {"Doctor"}
# Roles that are also what people are called by ("the inspector" is "Inspector Okafor"); kin
# words are not ("her brother" is no "Brother").
OFFICE_TITLES = ent._words(
    """deputy sheriff marshal inspector detective sergeant coach reverend pastor judge mayor
    governor senator professor doctor captain commander lieutenant officer agent councillor
    bishop abbot chancellor admiral general colonel major"""
)


class RuleAnalyzer:
    """Story analysis by rule: works offline, deterministic, conservative (see the package)."""

    name = "rules"

    def initial_bible(
        self,
        *,
        script: str,
        title: str = "",
        idea: str = "",
        genre_hint: str = "",
        reporter: Reporter | None = None,
    ) -> Bible:
        """The bible of segment 1: who, where and when the initial script is, and its style."""
        bible = empty_bible()
        shots = self.expand(text=script, bible=bible)
        bible = self.update_bible(bible=bible, text=script, shots=shots, segment_number=1)
        passage = ent.Passage.read(script)
        setting = bible["setting"]
        setting["timePeriod"] = setting["timePeriod"] or ent.find_time_period(idea, title)
        bible["styleGuide"] = style_guide(
            passage, bible, title=title, idea=idea, genre_hint=genre_hint
        )
        return bible

    def expand(
        self,
        *,
        text: str,
        bible: Bible,
        total_duration: float | None = None,
        seed: int = 0,
        reporter: Reporter | None = None,
    ) -> list[Shot]:
        """The continuation as shots, shot in the bible's style, speakers by their bible names."""
        return expand_with(
            RuleWriter(), text=text, bible=bible, total_duration=total_duration, seed=seed,
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
        """Continuity issues of the text against the bible (errors first)."""
        return check_continuity(bible=bible, text=text, shots=shots, segment_number=segment_number)

    def update_bible(
        self,
        *,
        bible: Bible,
        text: str,
        shots: list[Shot],
        segment_number: int,
        reporter: Reporter | None = None,
    ) -> Bible:
        """A new bible with what the segment adds; `bible` itself is left as it was."""
        return absorb(bible, text=text, shots=shots, segment_number=segment_number)


def expand_with(
    writer: TextWriter,
    *,
    text: str,
    bible: Bible,
    total_duration: float | None,
    seed: int = 0,
    reporter: Reporter | None = None,
) -> list[Shot]:
    characters = [c["canonicalName"] for c in bible.get("characters", [])]
    return expand_text_to_shots(
        text,
        style_guide=bible.get("styleGuide") or {},
        characters=characters,
        total_duration=total_duration,
        seed=seed,
        writer=writer,
        reporter=reporter,
    )


# --- building the bible ---------------------------------------------------------------------------


def absorb(bible: Bible, *, text: str, shots: list[Shot], segment_number: int) -> Bible:
    """`bible` with the segment's people, places, rules, event and threads merged in (a copy)."""
    new = copy_bible(bible)
    passage = ent.Passage.read(text)
    if not passage.sentences:
        return new
    cast = ent.Cast(new["characters"])
    setting = new["setting"]
    known_places = {loc["name"] for loc in setting["locations"]}

    # People found on strong evidence first, so a person is never taken for a place.
    strong = [p for p in ent.find_people(passage, known_places) if p.strong]
    # Named by apposition, "called", "who": people before any place is read.
    named = more_people(passage, cast, known_places)
    strong += named
    person_words = set(cast.by_name) | {w.lower() for w in cast.by_word}
    person_words |= {p.name.lower() for p in strong} | {
        w.lower() for p in strong for w in p.name.split()
    }
    places = ent.find_places(passage, {w for w in _cased(passage.text, person_words)})
    for place in places:
        _merge_place(setting, place)
    place_names = {loc["name"] for loc in setting["locations"]}
    speakers = [speaker for shot in shots for speaker, _line in shot.dialogue]
    for person in ent.find_people(passage, place_names, speakers):
        _merge_person(cast, person, passage, segment_number)
    for person in named + more_people(passage, cast, place_names):
        _merge_person(cast, person, passage, segment_number)
    _kinds(cast, passage)
    _relationships(cast, passage)
    _traits(cast, passage)
    died = [character for _index, character in ent.find_deaths(passage, cast)]
    for change in reading.status_changes(passage, cast):
        if change.character is None:
            change.character = cast.resolve(change.described) or _described_character(
                cast, change.described, segment_number
            )
        died.append(change.character)
    for character in died:
        character["isActive"] = False
    for _index, character in ent.find_revivals(passage, cast):
        if not any(c is character for c in died):
            character["isActive"] = True

    rules = setting["worldRules"]
    found = stated_rules(passage, cast)
    found += [
        r for r in ent.find_world_rules(passage, cast) if not any(_same_rule(r, f) for f in found)
    ]
    for rule in found:
        if not any(_same_rule(rule, r) for r in rules):
            rules.append(rule)
    for place in more_places(passage, cast):
        _merge_place(setting, place)
    if not setting["timePeriod"]:
        setting["timePeriod"] = ent.find_time_period(ent.narrative_text(passage))

    whereabouts = [
        place
        for sentence in passage.narration
        for _pos, place, _moved in ent.find_presences(sentence, place_names)
    ]
    if whereabouts and not setting["primaryLocation"]:
        # "the bridge of the Horizon": the story is set on the Horizon.
        whole = whereabouts[0].split(" of ", 1)[-1].removeprefix("the ")
        setting["primaryLocation"] = whole if whole in place_names else whereabouts[0]
    time_part, place_part = split_point(new["timeline"]["currentPoint"], place_names)
    phrases = ent.find_time_phrases(passage)
    time_part = phrases[-1] if phrases else (time_part or f"Segment {segment_number}")
    day_part = reading.part_after(passage.narration)
    if day_part and not reading.time_cues(time_part):
        # The part of the day the text ends in, for the next segment's time check.
        time_part = day_part.capitalize() if not phrases else f"{time_part}, {day_part}"
    place_part = whereabouts[-1] if whereabouts else place_part
    new["timeline"]["currentPoint"] = f"{time_part} ({place_part})" if place_part else time_part
    events = [e for e in new["timeline"]["majorEvents"] if e["segmentNumber"] != segment_number]
    event = timeline_event(passage, segment_number)
    if event:
        events.append(event)
    new["timeline"]["majorEvents"] = sorted(events, key=lambda e: e["segmentNumber"])

    _merge_threads(new["plotThreads"], ent.find_threads(passage, _place_map(setting), cast))
    if not new["styleGuide"].get("narrativeStyle") and new["characters"]:
        new["styleGuide"]["narrativeStyle"] = narrative_style(passage, new)
    return new


_NAME = rf"(?:(?:{ent._TITLE_ALT})\s+)?{ent.NAME_WORD}(?:\s+{ent.NAME_WORD}){{0,2}}"
APPOSITION = re.compile(
    rf"\b(?:[Hh]er|[Hh]is|[Tt]heir|[Tt]he|[Oo]ur|[Mm]y|{ent.NAME_WORD}['’]s)\s+"
    rf"(?P<role>(?:[\w'’-]+\s+){{0,3}}?[a-z][\w-]+)(?:\s+of\s+(?:[a-z]+\s+){{0,3}}?[a-z]+)?,\s+"
    rf"(?:(?:a|an|the)\s+[^,]{{0,40}}?\s+(?:named|called)\s+)?(?P<name>{_NAME})\s*,"
)
NAMED = re.compile(
    rf"\b(?:a|an)\s+(?P<role>(?:[\w'’-]+\s+){{0,4}}?)(?:named|called|code-named)\s+"
    rf"(?P<name>{_NAME})"
)
RELATIVE = re.compile(rf"(?P<name>{_NAME}),\s+who\s+(?:had\s+|has\s+|was\s+|is\s+)?[a-z]+")
THE_APPOSITION = re.compile(
    rf"\b(?:[Hh]er|[Hh]is|[Tt]heir|[Oo]ur|[Mm]y)\s+(?P<role>[a-z][\w-]+),\s+the\s+"
    rf"(?P<name>{ent.NAME_WORD}(?:\s+{ent.NAME_WORD})?)\s*,"
)
SUBJECT = re.compile(rf"(?:^|(?<=,\s)|(?<=\band\s))(?P<name>{_NAME})\s+(?P<verb>[a-z]+)\b")
PLACE_WORDS = re.compile(
    rf"\b(?:{ent.PLACE_SUFFIXES}|Gate|Rock|Club|Diner|Hall|Inn|Hotel|House|Bridge|Brook|Hollow|"
    r"Winds|Mere|Quarter|Drift|Basin|Rooms|Gym|Coliseum|Horn|Ceti|One|Nine|Grace)\b"
)


def _is_person_name(name: str, places: set[str], cast: ent.Cast) -> bool:
    bare = ent.split_title(name)[1]
    words = bare.split()
    if not words or any(x in ent.NOT_NAMES or x in ent.ORGANISATIONS for x in words):
        return False
    if PLACE_WORDS.search(bare) or bare in places or name in places:
        return False
    return not any(bare.lower() == p.lower() for p in places)


def _found(name: str, role: str = "") -> ent.PersonFound:
    title, bare = ent.split_title(name)
    role = " ".join(role.split()).lower()
    return ent.PersonFound(
        bare, title=title, role=role, description=english_capitalise(role), strong=True
    )


def english_capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else ""


def more_people(passage: ent.Passage, cast: ent.Cast, places: set[str]) -> list[ent.PersonFound]:
    """People named by apposition ("Her engineer, Tomasz Wierzbicki,"), by "a man called …",
    or as the subject of a verb, beyond what `entities.find_people` is sure of."""
    found: list[ent.PersonFound] = []
    capitalised_mid = set(re.findall(rf"(?<=[a-z,;]\s)({ent.NAME_WORD})", passage.text))
    for sentence in passage.narration:
        for match in APPOSITION.finditer(sentence):
            name = ent._trim_name(match.group("name"))
            if _is_person_name(name, places, cast):
                found.append(_found(name, match.group("role")))
        for match in RELATIVE.finditer(sentence):
            name = re.sub(
                r"^(?:Old|Young|Poor|Dear|Mad)\s+", "", ent._trim_name(match.group("name"))
            )
            if _is_person_name(name, places, cast) and not ent._after_article(
                sentence, match.start()
            ):
                found.append(_found(name))
        for match in THE_APPOSITION.finditer(sentence):
            name = ent._trim_name(match.group("name"))
            if _is_person_name(name, places, cast):
                found.append(_found(name, match.group("role")))
        for match in NAMED.finditer(sentence):
            name = ent._trim_name(match.group("name"))
            if _is_person_name(name, places, cast):
                found.append(_found(name, match.group("role")))
        for match in SUBJECT.finditer(sentence):
            name = ent._trim_name(match.group("name"))
            verb = match.group("verb")
            if not _is_person_name(name, places, cast) or cast.resolve(name) is not None:
                continue
            acts = verb in ent.GENERAL_PERSON_VERBS or (
                verb not in ("was", "is", "were", "are")
                and (verb.endswith("ed") or wd.lemma(verb) != verb)
            )
            if verb in ("is", "was") and len(name.split()) >= 2:
                # "Ayasha Redcloud is the dome's chief botanist" (not "Dry Creek was a town")
                what = re.match(r"\s+(?:the|a|an)\s+([^,.;]+)", sentence[match.end() :])
                acts = bool(what) and not re.search(
                    r"\b(?:town|city|village|island|place|street|ship|station|planet|world|"
                    r"country|kingdom|house|building|room|bar|club|inn|hotel)\b",
                    what.group(1) if what else "",
                )
            if verb == "had":
                acts = True
            single = len(ent.split_title(name)[1].split()) == 1 and not ent.split_title(name)[0]
            if acts and (not single or name in capitalised_mid):
                found.append(_found(name))
    return found


KIND = re.compile(
    rf"\b(?:[Tt]he|[Aa]n?)\s+(?P<kind>(?:[a-z-]+\s+){{0,2}}?[a-z]+)\s+(?:(?:named|called)\s+)?"
    rf"(?P<name>{ent.NAME_WORD})\b"
)


def _kinds(cast: ent.Cast, passage: ent.Passage) -> None:
    """ "The dragon Vaelthrax", "a red fox named Mister Russet": what a character is, kept as
    their description when the bible has none (the world-rule check reads it)."""
    for sentence in passage.narration:
        for match in KIND.finditer(sentence):
            character = cast.resolve(match.group("name"))
            kind = match.group("kind")
            if character is None or kind.split()[-1] in ent.STOP_KINDS:
                continue
            if not character["description"] or character["description"] in BARE_TITLES:
                character["description"] = english_capitalise(kind)
        for match in re.finditer(
            rf"(?P<name>{ent.NAME_WORD})\s+(?:is|was)\s+(?:the|a|an)\s+"
            r"(?P<kind>(?:[a-z-]+\s+){0,3}?[a-z]+)\b",
            sentence,
        ):
            character = cast.resolve(match.group("name"))
            if character is not None and (
                not character["description"] or character["description"] in BARE_TITLES
            ):
                character["description"] = english_capitalise(match.group("kind"))


def _described_character(cast: ent.Cast, described: str, segment_number: int) -> dict[str, Any]:
    """A person the text only describes ("Pip's father"), kept under that description."""
    character = {
        "entityId": character_id(
            described.replace("'s", "").replace("’s", ""), {c["entityId"] for c in cast.characters}
        ),
        "canonicalName": described,
        "aliases": [],
        "description": english_capitalise(described),
        "traits": [],
        "relationships": [],
        "introducedInSegment": segment_number,
        "isActive": True,
    }
    cast.add(character)
    return character


def _same_rule(a: str, b: str) -> bool:
    x, y = " ".join(wd.words(a)), " ".join(wd.words(b))
    return x in y or y in x


def stated_rules(passage: ent.Passage, cast: ent.Cast) -> list[str]:
    """World rules the narration states, read as constraints (constraints.parse_rule): from
    the start of the clause that states one to the end of its sentence (what explains it)."""
    rules: list[str] = []
    for sentence in passage.narration:
        if sentence.rstrip().endswith("?"):
            continue
        starts = [0] + [m.end() for m in re.finditer(r"[:;]\s*|,\s*(?:and|but|so)\s+", sentence)]
        for start in starts:
            clause = sentence[start:].strip().rstrip(".!…")
            core = re.split(r"[:;]", clause)[0]
            constraint = parse_rule(core)
            if constraint is None or any(True for _ in cast.mentions(_rule_subject(core))):
                continue
            if (
                re.match(
                    rf"^{ent.NAME_WORD}\s+(?:can|cannot|can't|may|must|never|will|is|does)\b", core
                )
                and not re.match(r"^(?:No|Nobody|Nothing|None|Whoever|Everyone|Anyone)\b", core)
                and not core.split()[0].endswith("s")
            ):
                continue  # "Maya cannot sleep": about a person, not the world
            rules.append(english_capitalise(clause))
            break
    return rules


def _rule_subject(core: str) -> str:
    if re.match(r"^(?:no|nobody|nothing|none|whoever|anyone|everyone)\b", core, re.I):
        return ""
    match = re.search(r"\b(?:cannot|can't|can|may|must|never|is|are|does|do)\b", core)
    return core[: match.start()] if match else core


PLACE_NOUN_COMPOUND = re.compile(
    r"\b(?:the|a)\s+(?P<name>(?:[a-z]+\s+)?(?:[a-z]+)\s+(?:deck|bay|room|vault|blister|hold|"
    r"hall|gallery|quarters|workshop|galley)(?:\s+(?:one|two|three|four|five|six|seven|eight|nine|ten))?)\b"
)
PLACE_AFTER = re.compile(
    rf"\b(?:in|at|on|to|from|toward|towards|into|across|near|beyond|inside|outside|reached|"
    rf"above|over|through|behind)\s+(?:the\s+)?(?P<name>{ent.NAME_WORD}(?:\s+{ent.NAME_WORD}){{0,2}})"
)


def more_places(passage: ent.Passage, cast: ent.Cast) -> list[ent.PlaceFound]:
    """Named places after a place preposition ("toward Tau Ceti", "on Skerry Rock") and
    compound rooms and decks ("the hydroponics deck", "cryo bay nine")."""
    found: list[ent.PlaceFound] = []
    for index, sentence in enumerate(passage.narration):
        for match in PLACE_AFTER.finditer(sentence):
            name = ent._trim_name(match.group("name"))
            if (
                not name
                or cast.resolve(name) is not None
                or any(x in ent.NOT_NAMES or x.lower() in ent.TITLE_KEYS for x in name.split())
            ):
                continue
            if any(x in cast.by_word for x in name.split()):
                continue
            found.append(ent.PlaceFound(name, "", index))
        for match in PLACE_NOUN_COMPOUND.finditer(sentence):
            name = match.group("name")
            if name.split()[0] in wd.STOP or name.split()[0] in (
                "same",
                "other",
                "next",
                "old",
                "whole",
            ):
                name = " ".join(name.split()[1:])
            if len(name.split()) >= 2:
                found.append(ent.PlaceFound(name, "", index))
    return found


def _cased(text: str, lowered: set[str]) -> set[str]:
    """The names in `lowered` as the text writes them (find_places compares exactly)."""
    out = set()
    for word in lowered:
        match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I)
        out.add(match.group(0) if match else word)
    return out


def _place_map(setting: dict[str, Any]) -> dict[str, str]:
    return {loc["name"]: loc.get("description", "") for loc in setting["locations"]}


def _merge_place(setting: dict[str, Any], place: ent.PlaceFound) -> None:
    for location in setting["locations"]:
        if location["name"].lower() == place.name.lower():
            location["description"] = location["description"] or place.description
            return
    setting["locations"].append({"name": place.name, "description": place.description})


def _first_sentence_with(passage: ent.Passage, names: list[str]) -> str:
    for sentence in passage.narration:
        if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", sentence) for n in names if n):
            return sentence[:200]
    return ""


def _merge_person(
    cast: ent.Cast, person: ent.PersonFound, passage: ent.Passage, segment_number: int
) -> None:
    title, name = person.title, person.name
    words = name.split()
    mention = f"{title} {name}" if title else name
    character = cast.resolve(mention)
    if character is None and title and len(words) == 1:
        # "Captain Williams" again, already known as "Captain Rosa Williams", or upgraded.
        character = next((c for c in cast.holders(title) if ent.Cast.surname(c) == words[0]), None)
    if character is None and len(words) >= 2:
        # "Lena Ortiz" for the "Lena" we had, or "Captain Rosa Williams" for "Captain Williams".
        for candidate in cast.characters:
            known_title, known_bare = ent.split_title(candidate["canonicalName"])
            if known_bare in (words[0], words[-1]) and (not known_title or known_title == title):
                character = candidate
                if candidate["canonicalName"] not in candidate["aliases"]:
                    candidate["aliases"].append(candidate["canonicalName"])
                candidate["canonicalName"] = name
                break
    role_title = ent.ROLE_TITLES.get(person.role, "")
    last = person.role.split()[-1] if person.role else ""
    if not role_title and last in OFFICE_TITLES:
        # "His deputy, Rosa Valdez": she is also "Deputy Valdez".
        role_title = ent.TITLE_FORMS[last]
    created = character is None
    if character is None:
        if not words:
            return
        canonical = name if len(words) >= 2 or not title else f"{title} {name}"
        taken = {c["entityId"] for c in cast.characters}
        character = {
            "entityId": character_id(canonical, taken),
            "canonicalName": canonical,
            "aliases": [],
            "description": person.description
            or _first_sentence_with(passage, [name, mention]).rstrip("."),
            "traits": [],
            "relationships": [],
            "introducedInSegment": segment_number,
            "isActive": True,
        }
        cast.add(character)
    aliases: list[str] = character["aliases"]
    new_aliases: list[str] = []
    if title and len(words) >= 2:
        new_aliases += [f"{title} {words[-1]}", words[0], f"{title} {name}"]
    elif title:
        # "Captain Williams": the bare name too when we meet them, not for "Captain Chen".
        new_aliases += [f"{title} {name}"] + ([name] if created else [])
    elif len(words) >= 2:
        new_aliases.append(words[0])
    if role_title and role_title != title:
        new_aliases.append(f"{role_title} {words[-1]}")
    for alias in new_aliases:
        if alias != character["canonicalName"] and alias not in aliases:
            aliases.append(alias)
    if person.description and (
        not character["description"] or character["description"] in BARE_TITLES
    ):
        character["description"] = person.description
    cast.changed()


def _relationships(cast: ent.Cast, passage: ent.Passage) -> None:
    """ "her first officer, Kai Okonkwo": Kai is the first officer of whoever "her" is."""
    last: dict[str, Any] | None = None
    for sentence in passage.narration:
        for pattern in (ent.ROLE_BEFORE, ent.ROLE_AFTER):
            for match in pattern.finditer(sentence):
                target = cast.resolve(ent._trim_name(match.group("name")))
                if target is None:
                    continue
                role = match.group("role").lower()
                owner_word = match.group("owner").lower()
                owner = None
                if match.group("owner_name"):
                    owner = cast.resolve(match.group("owner_name"))
                elif owner_word in ("her", "his", "their"):
                    before = [c for s, _e, c in cast.mentions(sentence) if s < match.start()]
                    owner = before[0] if before else last
                elif role in ent.CREW_ROLES:
                    captains = cast.holders("Captain")
                    owner = captains[0] if len(captains) == 1 else None
                if owner is None or owner is target:
                    continue
                link = {"targetEntityId": target["entityId"], "relationshipType": role}
                if link not in owner.setdefault("relationships", []):
                    owner["relationships"].append(link)
        mentioned = list(cast.mentions(sentence))
        if mentioned:
            last = mentioned[-1][2]


def _traits(cast: ent.Cast, passage: ent.Passage) -> None:
    for sentence in passage.narration:
        mentioned = list(cast.mentions(sentence))
        if len({id(c) for _s, _e, c in mentioned}) != 1:
            continue  # with two people in a sentence, whose trait is it?
        _start, end, character = mentioned[0]
        for trait in ent.traits_in(sentence, end):
            if trait not in character["traits"] and len(character["traits"]) < MAX_TRAITS:
                character["traits"].append(trait)


def timeline_event(passage: ent.Passage, segment_number: int) -> dict[str, Any] | None:
    """The segment's event: its first eventful sentence; what follows it, the consequences."""
    sentences = [s for s in passage.sentences if s.strip()]
    candidates = [
        i for i, s in enumerate(sentences) if not re.match(r"^[\"'“‘«]", s.strip())
    ] or list(range(len(sentences)))
    if not candidates:
        return None
    pick = next((i for i in candidates if ent.PLOT_VERBS.search(sentences[i])), candidates[0])
    event = sentences[pick].strip().rstrip(".")
    consequences = " ".join(sentences[pick + 1 : pick + 3]).strip()
    if not consequences and pick > 0:
        consequences = sentences[pick - 1].strip()
    return {
        "segmentNumber": segment_number,
        "event": _clip(event),
        "consequences": _clip(consequences),
    }


def _clip(text: str) -> str:
    if len(text) <= MAX_EVENT_CHARS:
        return text
    return text[: MAX_EVENT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _merge_threads(threads: list[dict[str, Any]], found: list[dict[str, str]]) -> None:
    taken = {t["id"] for t in threads}
    for item in found:
        if item["family"]:
            thread_id = f"thread_{item['family']}"
            existing = next((t for t in threads if t["id"] == thread_id), None)
        else:
            existing = next((t for t in threads if t["description"] == item["description"]), None)
            thread_id = ""
        if existing is not None:
            if item["status"] == "resolved":
                existing["status"] = "resolved"
            elif existing["status"] != "resolved":
                existing["description"] = item["description"]
            continue
        if not thread_id:
            words = re.findall(r"[A-Za-z]+", item["description"].removeprefix("Open question: "))
            thread_id = unique_id("thread", [" ".join(words[:4]) or "question"], taken)
        taken.add(thread_id)
        threads.append(
            {"id": thread_id, "description": item["description"], "status": item["status"]}
        )


def narrative_style(passage: ent.Passage, bible: Bible) -> str:
    narrative = ent.narrative_text(passage)
    if re.search(r"\b(?:I|my|me)\b", narrative):
        return "first person"
    if not bible["characters"]:
        return "third person"
    first = bible["characters"][0]
    name = ent.Cast.given_name(first) or ent.split_title(first["canonicalName"])[1]
    return f"third person limited ({name})"


def style_guide(
    passage: ent.Passage, bible: Bible, *, title: str, idea: str, genre_hint: str
) -> dict[str, str]:
    """Tone from the script's mood words, genre from the hint or the idea, and a look to match."""
    tones = ent.tone_of(f"{passage.text} {idea}")
    if genre_hint.strip():
        genre = " ".join(genre_hint.split()).lower()
    else:
        key = canonical_genre(None, f"{idea} {title} {passage.text}")
        if key == "drama" and SCIFI_HINTS.search(f"{idea} {passage.text}"):
            key = "scifi"
        genre = ent.GENRE_LABELS.get(key, key)
    mysteries = {"signal", "disappearance", "murder", "secret", "map", "prophecy", "artifact"}
    if "mystery" not in genre and any(
        t["id"].removeprefix("thread_") in mysteries for t in bible["plotThreads"]
    ):
        genre += " / mystery"
    return {
        "tone": ", ".join(tones) or "neutral",
        "genre": genre,
        "visualStyle": ent.VISUAL_STYLES[tones[0] if tones else "neutral"],
        "narrativeStyle": narrative_style(passage, bible),
    }
