"""Continuity checks by rule: the expanded script against the Scene Bible.

Errors (the job fails with CONTINUITY_VIOLATION before any GPU time is spent):
- name_drift: a titled name that belongs to nobody while one person holds that title
  ("Captain Williams" when the captain is Maya Chen), or a near-miss of a known name
  ("Captain Chan", "Maya Chan");
- inactive_character: a character marked inactive (dead, gone) speaks or acts;
- world_rule: a statement that breaks a rule of the bible ("FTL travel takes months" and
  "they jumped to Earth instantly"), where the rule has a form we can test.
Warnings (kept on the job and the segment): location_jump and time_jump without a transition,
a known surname under another title, a forbidden thing used without comment.

Every check looks for a specific pattern and stays quiet otherwise: ordinary prose, new
people introduced naturally, aliases and pronouns raise nothing.
"""
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from media_pipeline.request import Shot
from scenes.analysis import entities as ent
from scenes.analysis import reading
from scenes.analysis import words as w
from scenes.analysis.bible import Bible, Issue
from scenes.analysis.constraints import Checker, parse_rule
from storytext import english

INSTANT = re.compile(
    r"\b(?:instantly|instantaneously|in an instant|in seconds|in a second|in minutes|in moments|"
    r"a moment later|moments later|seconds later|minutes later|immediately|at once|in no time|"
    r"in the blink of an eye|within (?:seconds|minutes|moments|the hour)|in a heartbeat|"
    r"in a flash)\b",
    re.I,
)
SLOW = re.compile(r"\b(?:in (?:a few )?(?:hours|days)|within (?:hours|days)|overnight)\b", re.I)
TRAVEL_SUBJECT = re.compile(
    r"\b(?:travel|journey|trip|flight|voyage|ftl|warp|jump|crossing)\b", re.I
)
MOVE_TO = re.compile(
    r"\b(?:jump\w*|travel\w*|flew|fly\w*|warp\w*|arriv\w*|reach\w*|crossed|got|made it)\b"
    r"[^.;!?]{0,40}?\b(?:to|at|in|across|into|reached)\s+(?:the\s+)?[A-Z]"
)
ACKNOWLEDGED = re.compile(
    r"\b(?:forbidden|secret\w*|illegal\w*|despite|banned|hid\w*|risk\w*|outlaw\w*|defied|"
    r"defying|broke the law|against the law)\b",
    re.I,
)
MEMORY = re.compile(
    r"\b(?:remember\w*|memor\w*|ghost\w*|dream\w*|recording\w*|recorded|hologram\w*|photo\w*|"
    r"picture\w*|image\w*|grave\w*|funeral|body|corpse|death|died|dead|killed|mourn\w*|miss\w*|"
    r"once|used to|had|would|echo\w*|log|logs|message|video|portrait|statue|vision\w*|"
    r"imagin\w*|legacy|flashback|years ago|before (?:he|she|they) died|voice)\b",
    re.I,
)
TRANSITION = re.compile(
    r"\b(?:later|meanwhile|elsewhere|back (?:on|at|aboard|in|to)|arriv\w*|travel\w*|reach\w*|"
    r"land\w*|dock\w*|return\w*|enter\w*|board\w*|the next|hours|days|weeks|that night|"
    r"by the time|after|soon|eventually|finally|cut to|flashback|remembered|memory|"
    r"transport\w*|teleport\w*|beam\w*)\b",
    re.I,
)
TIME_PASSING = re.compile(
    r"\b(?:later|passed|until|fell|rose|came|dawned|broke|slept|woke|waited|hours|after|"
    r"by the time|eventually|next|following|sunrise|sunset|nightfall)\b",
    re.I,
)
FLASHBACK = re.compile(
    r"\b(?:later|passed|after|since|ago|remember\w*|flashback|back in|history|born|founded|"
    r"centuries|decades|years|until|before|by|next|following)\b",
    re.I,
)
STOP_WORDS = ent._words(
    """
    the a an of to in on at for with from by and or its their his her our no one can may
    be is are was were not any all travel takes take months years weeks days
    """
)
SPEECH_BEFORE = re.compile(
    r"\b(?:said|asked|replied|whispered|answered|shouted|muttered|called|added)\s+$"
)
PAST_VERBS = {v for forms in english.IRREGULAR.values() for v in forms} | (ent.GENERAL_PERSON_VERBS)
NOT_ACTIONS = {"had", "was", "were", "would", "could", "might", "been", "being", "named", "used"}


def split_point(point: str, places: set[str]) -> tuple[str, str]:
    """ "The next morning (Bridge of the Horizon)" -> (time, place) for a known place."""
    match = re.fullmatch(r"(?P<time>.*?)\s*\((?P<place>[^()]*)\)\s*", point or "")
    if match and match.group("place") in places:
        return match.group("time").strip(), match.group("place")
    for place in sorted(places, key=len, reverse=True):
        if place and re.search(rf"(?<!\w){re.escape(place)}(?!\w)", point or ""):
            return (point or "").strip(), place
    return (point or "").strip(), ""


def check_continuity(
    *, bible: Bible, text: str, shots: list[Shot], segment_number: int
) -> list[Issue]:
    """Every continuity issue of `text` against `bible`, errors first, each once.

    Segment 1 is the initial script the bible was drawn from: it cannot contradict the bible
    it creates, so what the checks find there is reported as warnings, never as errors.
    """
    passage = ent.Passage.read(text)
    cast = ent.Cast([dict(c) for c in bible.get("characters", [])])
    issues = (
        name_drift(passage, cast)
        + similar_names(passage, cast)
        + inactive_characters(passage, cast)
        + world_rules(passage, bible.get("setting", {}).get("worldRules", []), bible=bible)
        + location_jumps(passage, bible, segment_number)
        + place_jumps(passage, bible, segment_number)
        + time_jumps(passage, bible, segment_number)
        + day_part_jumps(passage, bible, segment_number)
    )
    seen: set[tuple[str, str]] = set()
    unique: list[Issue] = []
    for issue in sorted(issues, key=lambda i: i["severity"] != "error"):
        key = (issue["type"], issue.get("excerpt") or issue["description"])
        if key not in seen:
            seen.add(key)
            issue["segment"] = segment_number
            if segment_number == 1 and _covers(bible, 1):
                issue["severity"] = "warning"
            unique.append(issue)
    return sorted(unique, key=lambda i: i["severity"] != "error")


def _issue(kind: str, severity: str, description: str, suggestion: str, **extra: Any) -> Issue:
    issue: Issue = {
        "type": kind,
        "severity": severity,
        "description": description,
        "suggestion": suggestion,
    }
    issue.update({k: v for k, v in extra.items() if v})
    return issue


# --- names ----------------------------------------------------------------------------------------


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def near_miss(written: str, known: str) -> bool:
    """ "Chan" for "Chen": same initial, one letter off (two for names of six or more)."""
    if written == known or len(known) < 4 or written[:1].lower() != known[:1].lower():
        return False
    allowed = 1 if min(len(written), len(known)) <= 5 else 2
    return edit_distance(written.lower(), known.lower()) <= allowed


def _titled_alias(cast: ent.Cast, character: dict[str, Any], title: str) -> str:
    names = ent.Cast.names(character)
    surname = ent.Cast.surname(character)
    preferred = f"{title} {surname}"
    if preferred in names:
        return preferred
    titled = [n for n in names if ent.split_title(n)[0] == title]
    return min(titled, key=len) if titled else character["canonicalName"]


def _plain_alias(character: dict[str, Any]) -> str:
    plain = [n for n in ent.Cast.names(character) if not ent.split_title(n)[0]]
    return min(plain, key=len) if plain else character["canonicalName"]


def _consistency(alias: str, character: dict[str, Any]) -> str:
    plain = _plain_alias(character)
    both = f"'{alias}' or '{plain}'" if plain != alias else f"'{alias}'"
    return f"Did you mean '{alias}'? Use {both} for consistency"


def _drift(right: str, written: str, character: dict[str, Any], sentence: str) -> Issue:
    """The name_drift error: `written` for the character the bible knows as `right`."""
    return _issue(
        "name_drift",
        "error",
        f"Character '{right}' referred to as '{written}'",
        _consistency(right, character),
        excerpt=sentence,
        entityId=character["entityId"],
    )


NEW_PERSON_AFTER = re.compile(
    r"^(?:,\s*(?:the|a|an|her|his|their|another)\b|"
    r"\s+(?:of|from)\s+(?:the\s+)?(?:[a-z\-]+\s+){0,3}[A-Z])"
)
NEW_PERSON_BEFORE = re.compile(
    r"\b(?:a|another|the other|rival|enemy|named|called|new|former|late|old|previous|retired|"
    r"dead)\s+$",
    re.I,
)


def name_drift(passage: ent.Passage, cast: ent.Cast) -> list[Issue]:
    issues: list[Issue] = []
    for index, match in ent.find_titled(passage):
        sentence = passage.sentences[index]
        title = ent.TITLE_FORMS[match.group("title").lower()]
        name = ent._trim_name(match.group("name"))
        mention = f"{title} {name}"
        if cast.resolve(mention) is not None:
            continue
        words = name.split()
        key_word = words[0] if title in ent.GIVEN_NAME_TITLES and len(words) == 1 else words[-1]
        near = [
            c
            for c in cast.characters
            if near_miss(key_word, ent.Cast.surname(c))
            or (len(words) == 1 and near_miss(key_word, ent.Cast.given_name(c) or "~"))
        ]
        if len(near) == 1:
            character = near[0]
            alias = (
                _titled_alias(cast, character, title)
                if title in cast.titles(character)
                else (f"{title} {ent.Cast.surname(character)}")
            )
            issues.append(_drift(alias, mention, character, sentence))
            continue
        namesake = cast.by_word.get(key_word)
        if namesake is not None:
            known = sorted(cast.titles(namesake))
            if known:
                alias = _titled_alias(cast, namesake, known[0])
                issues.append(
                    _issue(
                        "name_drift",
                        "warning",
                        f"'{mention}' shares a name with {namesake['canonicalName']}, "
                        f"known as '{alias}'",
                        f"If this is {namesake['canonicalName']}, use '{alias}'; if it is "
                        "someone new, introduce them so the reader can tell them apart",
                        excerpt=sentence,
                        entityId=namesake["entityId"],
                    )
                )
            continue
        holders = cast.holders(title) if title in ent.SINGULAR_TITLES else []
        if len(holders) > 1:
            # Several have held the title (a captain and her dead predecessor): an unknown
            # name with it means the one who holds it now.
            holders = [h for h in holders if h.get("isActive", True)]
        if len(holders) != 1:
            continue
        if NEW_PERSON_AFTER.match(sentence[match.end() :]) or NEW_PERSON_BEFORE.search(
            sentence[: match.start()]
        ):
            continue  # "Captain Reyes of the Ostrava", "the former Captain Hale": someone else
        holder = holders[0]
        alias = _titled_alias(cast, holder, title)
        issues.append(_drift(alias, mention, holder, sentence))
    issues += _untitled_near_misses(passage, cast)
    return issues


def _untitled_near_misses(passage: ent.Passage, cast: ent.Cast) -> list[Issue]:
    """ "Maya Chan" for Maya Chen: one name exact, the other a letter off."""
    issues = []
    for sentence in passage.sentences:
        for match in re.finditer(
            rf"(?<![\w.])({ent.NAME_WORD})\s+({ent.NAME_WORD})(?!\w)", sentence
        ):
            first, last = match.group(1), match.group(2)
            if f"{first} {last}".lower() in cast.by_name or first.lower() in ent.TITLE_KEYS:
                continue
            drifted = False
            for character in cast.characters:
                given, surname = ent.Cast.given_name(character), ent.Cast.surname(character)
                if not given:
                    continue
                if (first == given and near_miss(last, surname)) or (
                    last == surname and near_miss(first, given)
                ):
                    drifted = True
                    issues.append(
                        _drift(f"{given} {surname}", f"{first} {last}", character, sentence)
                    )
            if not drifted:
                issues += _other_surname(cast, sentence, match, first, last)
    return issues


PLACE_WORDS = re.compile(
    r"^(?:Street|Road|Lane|Avenue|Square|Station|Bridge|River|Bay|Island|Hill|Park|Hall|"
    r"House|Church|Market|Gate|Tower|Castle|Hotel|Inn|Mountain|Lake|Valley|Bank|Club|Ward)$"
)


def _other_surname(
    cast: ent.Cast, sentence: str, match: re.Match[str], first: str, last: str
) -> list[Issue]:
    """ "Giulia Moretti" for Giulia Morandi (or a Giulia known by her first name alone): the
    one character with that first name, given a surname nobody in the story has."""
    character = cast.by_word.get(first)
    if character is None or last in cast.by_word or last in ent.NOT_NAMES:
        return []
    if PLACE_WORDS.match(last) or any(last in cast.names(c) for c in cast.characters):
        return []
    if any(last in ent.name_words(n) for c in cast.characters for n in cast.names(c)):
        return []  # a surname of the family: a relative, not a slip
    own = ent.name_words(character["canonicalName"])
    if len(own) < 2 or own[0] != first:
        # Known by one name only: the bible cannot tell a slip from the surname it missed.
        return []
    before, after = sentence[: match.start()], sentence[match.end() :]
    if INTRODUCING.search(before) or NEW_PERSON_BEFORE.search(before):
        return []
    if NEW_PERSON_AFTER.match(after):
        return []
    return [_drift(character["canonicalName"], f"{first} {last}", character, sentence)]


# --- the inactive ---------------------------------------------------------------------------------


def inactive_characters(passage: ent.Passage, cast: ent.Cast) -> list[Issue]:
    """Inactive characters (dead, gone for good, asleep, imprisoned) who speak or act now.

    Memories, flashbacks, stories told and past-perfect recollections ("Ruth had marked the
    lanes") are where the dead may appear; a character who dies earlier in the same text is
    inactive from then on.
    """
    died: dict[int, set[str]] = {}
    for index, character in ent.find_deaths(passage, cast):
        died.setdefault(index, set()).add(character["entityId"])
    for change in reading.status_changes(passage, cast):
        if change.character is not None:
            died.setdefault(change.index, set()).add(change.character["entityId"])
    died_here = {entity_id for ids in died.values() for entity_id in ids}
    gone = {c["entityId"] for c in cast.characters if not c.get("isActive", True)} - died_here
    revived = {c["entityId"] for _i, c in ent.find_revivals(passage, cast)}
    flags = reading.memory_flags(passage.narration)
    issues = []
    for index, sentence in enumerate(passage.narration):
        if not flags[index] and not sentence.rstrip().endswith("?"):
            for start, end, character in cast.mentions(sentence):
                if character["entityId"] not in gone or character["entityId"] in revived:
                    continue
                if _after_other_name(sentence, start):
                    continue  # "Ayasha Redcloud": another person who shares the surname
                if reading.past_perfect_about(sentence, end) or not _acts(sentence, start, end):
                    continue
                name = sentence[start:end]
                issues.append(
                    _issue(
                        "inactive_character",
                        "error",
                        f"{character['canonicalName']} is no longer active in the story "
                        f"(bible: isActive false) but '{name}' acts here",
                        f"Remove {name} from this segment, or make clear it is a memory, "
                        'a recording or a flashback ("She remembered …")',
                        excerpt=sentence,
                        entityId=character["entityId"],
                    )
                )
        gone |= died.get(index, set())
    return issues


def _after_other_name(sentence: str, start: int) -> bool:
    before = re.search(rf"({ent.NAME_WORD})\s+$", sentence[:start])
    if before is None:
        return False
    word = before.group(1)
    return word not in ent.NOT_NAMES and word.lower().rstrip(".") not in ent.TITLE_KEYS


def _acts(sentence: str, start: int, end: int) -> bool:
    after = sentence[end:]
    if re.match(r"['’]s\b", after):
        return False
    if SPEECH_BEFORE.search(sentence[:start]):
        return True
    if ent.DEATH_AFTER.match(after):
        return False
    verb = re.match(r"\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)\b", after)
    if not verb or verb.group("verb") in NOT_ACTIONS:
        return False
    word = verb.group("verb")
    return (
        word in PAST_VERBS
        or (word.endswith("ed") and len(word) > 4)
        or (w.lemma(word) != word and not word.endswith(("s", "ing")))
    )


# --- world rules ----------------------------------------------------------------------------------


def _content_words(text: str) -> list[str]:
    return [
        w.lower()
        for w in re.findall(r"[A-Za-z][A-Za-z\-]+", text)
        if w.lower() not in STOP_WORDS and len(w) >= 3
    ]


def _has_word(sentence: str, word: str) -> bool:
    stem = word[:-1] if len(word) > 4 and word.endswith("s") else word
    return re.search(rf"\b{re.escape(stem)}\w*", sentence, re.I) is not None


def _verb_forms(verb: str) -> set[str]:
    return {
        verb,
        english.past(verb),
        english.participle(verb),
        english.present_third(verb),
        english.gerund(verb),
    }


def _restates(sentence: str, rule: str) -> bool:
    """The sentence states a rule (this one or any): saying a rule is not breaking it."""
    a = " ".join(w.words(sentence))
    b = " ".join(w.words(rule))
    return (
        bool(a and b and (a in b or b in a))
        or parse_rule(sentence.strip().rstrip(".!")) is not None
    )


def _kinds(bible: Bible) -> dict[str, set[str]]:
    """What each character is, by every name ("Vaelthrax" -> {"dragon"}), from the bible."""
    kinds: dict[str, set[str]] = {}
    for character in bible.get("characters", []):
        what = set(w.content(character.get("description", "")))
        what |= set(w.content(" ".join(character.get("traits", []))))
        for name in ent.Cast.names(character):
            kinds[name] = what
    return kinds


def world_rules(
    passage: ent.Passage, rules: list[str], *, bible: Bible | None = None
) -> list[Issue]:
    """Sentences that break a world rule: rules read as constraints (constraints.py), the
    duration and "is forbidden" rules as before."""
    bible = bible or {}
    issues: list[Issue] = []
    structured: list[str] = []
    for rule in rules:
        clause = rule.strip().rstrip(".!")
        plain = not ent.RULE_DURATION.match(clause) and not ent.RULE_FORBIDDEN.match(clause)
        if plain and parse_rule(clause) is not None:
            structured.append(clause)
            continue
        for sentence in passage.narration:
            if sentence.rstrip().endswith("?") or ent.NOT_REAL.search(sentence):
                continue
            if _restates(sentence, clause):
                continue
            broken = _breaks(clause, sentence)
            if broken:
                issues.append(_rule_issue(clause, sentence, broken))
    if structured:
        point = bible.get("timeline", {}).get("currentPoint", "")
        here = f"{point} {bible.get('setting', {}).get('primaryLocation', '')}"
        checker = Checker(
            structured,
            kinds=_kinds(bible),
            here=here,
            day_part=reading.part_after([point]),
            place_known=bool(bible.get("setting", {}).get("primaryLocation")),
        )
        remembered = {
            sentence
            for sentence, flag in zip(
                passage.narration, reading.memory_flags(passage.narration), strict=True
            )
            if flag
        }
        for breach in checker.breaches(passage.narration):
            if breach.sentence in remembered:
                continue  # a flashback shows what was, before or despite the rule
            if ACKNOWLEDGED.search(breach.sentence) or _restates(
                breach.sentence, breach.constraint.text
            ):
                continue
            issues.append(
                _rule_issue(breach.constraint.text.strip().rstrip(".!"), breach.sentence, "error")
            )
    return issues


def _rule_issue(rule: str, sentence: str, severity: str) -> Issue:
    return _issue(
        "world_rule",
        severity,
        f"Contradicts the world rule '{rule}': \"{sentence.strip()}\"",
        f"Keep to the rule ('{rule}'), or let the story explain the exception",
        excerpt=sentence,
    )


def _breaks(rule: str, sentence: str) -> str | None:
    """'error' or 'warning' when `sentence` goes against `rule`, else None."""
    duration = ent.RULE_DURATION.match(rule)
    if duration:
        subject = duration.group("subject")
        words = _content_words(subject)
        long_rule = re.search(r"years|decades|centuries|generations", duration.group("amount"))
        fast = INSTANT.search(sentence) or (long_rule and SLOW.search(sentence))
        if not fast:
            return None
        about = any(_has_word(sentence, w) for w in words if len(w) >= 3)
        travel = TRAVEL_SUBJECT.search(subject) and MOVE_TO.search(sentence)
        return "error" if about or travel else None
    for pattern in (ent.RULE_NO_ONE, ent.RULE_CANNOT):
        found = pattern.search(rule) if pattern is ent.RULE_NO_ONE else pattern.match(rule)
        if not found:
            continue
        act = found.group("act").split()
        verb, objects = act[0].lower(), _content_words(" ".join(act[1:]))
        if verb in ("be", "have", "do", "get", "make", "go", "see", "ever"):
            return None
        said = {w.lower() for w in re.findall(r"[A-Za-z]+", sentence)}
        if not said & _verb_forms(verb):
            return None
        if objects and not any(_has_word(sentence, w) for w in objects):
            return None
        return "error"
    forbidden = ent.RULE_FORBIDDEN.match(rule)
    if forbidden:
        words = _content_words(forbidden.group("subject"))
        if (
            words
            and all(_has_word(sentence, w) for w in words)
            and not ACKNOWLEDGED.search(sentence)
        ):
            return "warning"
    return None


# --- place and time -------------------------------------------------------------------------------


def _places(bible: Bible) -> set[str]:
    setting = bible.get("setting", {})
    names = {loc["name"] for loc in setting.get("locations", []) if loc.get("name")}
    if setting.get("primaryLocation"):
        names.add(setting["primaryLocation"])
    return names


def _covers(bible: Bible, segment_number: int) -> bool:
    """Whether the bible already holds this segment (a scene's first: built from its script),
    so its current place and time are where the text ends, not where it starts."""
    events = bible.get("timeline", {}).get("majorEvents", [])
    return any(event.get("segmentNumber", 0) >= segment_number for event in events)


def location_jumps(passage: ent.Passage, bible: Bible, segment_number: int) -> list[Issue]:
    places = _places(bible)
    current = ""
    if not _covers(bible, segment_number):
        _time, current = split_point(bible.get("timeline", {}).get("currentPoint", ""), places)
        current = current or bible.get("setting", {}).get("primaryLocation", "")
    issues = []
    previous_transition = False
    for sentence in passage.narration:
        transition = bool(TRANSITION.search(sentence) or ent.TIME_RELATIVE.search(sentence))
        for _pos, place, moved in ent.find_presences(sentence, places):
            jumped = current and not ent.same_place(place, current)
            if jumped and not (moved or transition or previous_transition):
                issues.append(
                    _issue(
                        "location_jump",
                        "error",
                        f"The scene moves from '{current}' to '{place}' with no transition",
                        'Add a transition ("Later, …", "Meanwhile, …", "They arrived '
                        f"at {place}\") or keep the scene at '{current}'",
                        excerpt=sentence,
                    )
                )
            current = place
        previous_transition = transition
    return issues


def _part_of_day(text: str) -> str:
    words = re.findall(r"[a-z]+", (text or "").lower())
    return next((ent.PART_OF_DAY[w] for w in reversed(words) if w in ent.PART_OF_DAY), "")


def time_jumps(passage: ent.Passage, bible: Bible, segment_number: int) -> list[Issue]:
    covered = _covers(bible, segment_number)
    point = "" if covered else bible.get("timeline", {}).get("currentPoint", "")
    time_part, _place = split_point(point, _places(bible))
    now_part = _part_of_day(time_part)
    day = re.search(r"\bDay (\d+)\b", time_part)
    period = "" if covered else bible.get("setting", {}).get("timePeriod", "")
    years = [int(m.group("year")) for m in ent.YEAR.finditer(f"{period} {point}")]
    issues: list[Issue] = []
    passing = False
    for sentence in passage.narration:
        passing = passing or bool(
            TIME_PASSING.search(sentence) or ent.TIME_RELATIVE.search(sentence)
        )
        stated = ent.PART_OF_DAY_STATED.search(sentence)
        if stated and now_part and not passing:
            new_part = ent.PART_OF_DAY[stated.group("part").lower()]
            if new_part != now_part:
                issues.append(
                    _time_issue(f"it is {now_part} in the story, and now {new_part}", sentence)
                )
        for match in re.finditer(r"\bDay (\d+)\b", sentence):
            if day and int(match.group(1)) != int(day.group(1)) and not FLASHBACK.search(sentence):
                issues.append(
                    _time_issue(
                        f"the story is at {day.group(0)}, and now {match.group(0)}", sentence
                    )
                )
        for match in ent.YEAR.finditer(sentence):
            year = int(match.group("year"))
            if years and year > max(years) and not FLASHBACK.search(sentence):
                issues.append(
                    _time_issue(f"the story is in {max(years)}, and now {year}", sentence)
                )
    return issues


def _time_issue(what: str, sentence: str) -> Issue:
    return _issue(
        "time_jump",
        "error",
        f"Time jumps with no transition: {what}",
        'Mark the passage of time ("Hours later, …", "The next morning, …") or keep to '
        "the current time",
        excerpt=sentence,
    )


# --- names by likeness, places and parts of the day (issue 17) ----------------------------------

HONORIFICS = {"Mr.", "Mrs.", "Ms.", "Miss", "Mister", "Madame", "Monsieur", "Sir", "Dame"}
MENTION = re.compile(
    rf"(?<![\w'’])(?P<name>{ent.NAME_WORD}(?:\s+{ent.NAME_WORD}){{0,2}})(?![\w'’])"
)
INTRODUCING = re.compile(
    r"\b(?:a|an|another|the other|named|called|new|one|some|his|her|their|a certain)\s+$", re.I
)


def similar(written: str, known: str) -> bool:
    """ "Santorelli" for "Santangelo", "Redfeather" for "Redcloud", "Mateo" for "Mateusz":
    one person's name written as another word of the same shape."""
    a, b = written.lower(), known.lower()
    if a == b or len(a) < 3 or len(b) < 3 or a[0] != b[0]:
        return False
    prefix = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix += 1
    if prefix >= 4 or (prefix >= 3 and min(len(a), len(b)) <= 6):
        return True
    allowed = 1 if min(len(a), len(b)) <= 5 else 2
    return edit_distance(a, b) <= allowed


def _person_like(sentence: str, start: int, end: int) -> bool:
    after, before = sentence[end:], sentence[:start]
    if re.match(r"['’]s\s", after) or SPEECH_BEFORE.search(before):
        return True
    verb = re.match(r"\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)\b", after)
    if verb:
        word = verb.group("verb")
        return word in PAST_VERBS or word.endswith("ed") or w.lemma(word) != word
    return bool(re.match(r"\s*[,.!?;:]", after))


def similar_names(passage: ent.Passage, cast: ent.Cast) -> list[Issue]:
    """A name the bible does not know, shaped like one character's name (or under a title
    only that character holds): name drift, unless the text introduces someone new."""
    issues: list[Issue] = []
    known_words = {word.lower() for c in cast.characters for n in ent.Cast.names(c)
                   for word in ent.name_words(n)}  # fmt: skip
    for sentence in passage.sentences:
        for match in MENTION.finditer(sentence):
            mention = match.group("name")
            title, bare = ent.split_title(mention)
            words = [x for x in bare.split() if x not in ent.NOT_NAMES]
            if not words or cast.resolve(mention) is not None:
                continue
            if (
                not title
                and match.start() == len(sentence) - len(sentence.lstrip(" \"'“‘"))
                and len(words) == 1
            ):
                continue  # a lone capitalised word opening a sentence
            if (
                INTRODUCING.search(sentence[: match.start()])
                or NEW_PERSON_BEFORE.search(sentence[: match.start()])
                or NEW_PERSON_AFTER.match(sentence[match.end() :])
                or ent._after_article(sentence, match.start())
            ):
                continue
            if not title and not _person_like(sentence, match.start(), match.end()):
                continue
            unknown = [x for x in words if x.lower() not in known_words]
            if not unknown:
                continue
            near = {
                c["entityId"]: c
                for c in cast.characters
                if not re.search(r"['’]s\s", c["canonicalName"])  # "Pip's father": no name
                for x in unknown
                for k in {k for n in ent.Cast.names(c) for k in ent.name_words(n)}
                if similar(x, k)
            }
            if len(words) == 2 and words[1] in unknown and words[0] not in unknown:
                # "Ayasha Redfeather": a known first name with a surname nobody has.
                near |= {
                    c["entityId"]: c
                    for c in cast.characters
                    if ent.Cast.given_name(c) == words[0] and ent.Cast.surname(c)
                }
            if len(near) > 1:  # the living are the ones the text is likelier to mean
                near = {k: c for k, c in near.items() if c.get("isActive", True)}
            character = next(iter(near.values())) if len(near) == 1 else None
            if character is None and title and title not in HONORIFICS:
                holders = cast.holders(title)
                if len(holders) == 1 and len(unknown) == len(words):
                    character = holders[0]
            if character is None:
                continue
            right = (
                _titled_alias(cast, character, title)
                if title and title in cast.titles(character)
                else character["canonicalName"]
            )
            issues.append(_drift(right, mention, character, sentence))
    return issues


def _scene_words(bible: Bible) -> set[str]:
    setting = bible.get("setting", {})
    point = bible.get("timeline", {}).get("currentPoint", "")
    return {x.lower() for x in w.WORD.findall(f"{point} {setting.get('primaryLocation', '')}")}


def place_jumps(passage: ent.Passage, bible: Bible, segment_number: int) -> list[Issue]:
    """Someone is suddenly at a named place that is not where the scene is, with no journey,
    time skip or "meanwhile" to take them there."""
    if _covers(bible, segment_number):
        return []
    known = [
        loc["name"] for loc in bible.get("setting", {}).get("locations", []) if loc.get("name")
    ]
    here = _scene_words(bible)
    point = bible.get("timeline", {}).get("currentPoint", "")
    where_was = point or bible.get("setting", {}).get("primaryLocation", "")
    flags = reading.memory_flags(passage.narration)
    issues: list[Issue] = []
    previous_moved = False
    for index, sentence in enumerate(passage.narration):
        moved = bool(reading.MOVEMENT.search(sentence) or reading.TIME_MARKER.search(sentence))
        found = reading.presence(sentence)
        if found and not flags[index]:
            place, names = found
            names |= {loc for loc in known if loc.lower() in place.lower()}
            words = {x.lower() for name in names for x in w.WORD.findall(name)} - {"the"}
            if not words and not (moved or previous_moved):
                unnamed = _unnamed_place(place, bible, passage.narration[:index])
                if unnamed:
                    issues.append(
                        _issue(
                            "location_jump",
                            "error",
                            f"The scene is suddenly at '{place}' ({unnamed}: nowhere the story "
                            f"has been) with no transition from where the bible has it "
                            f"('{where_was}')",
                            f'Say how they got to {place} (a journey, "Later, …", '
                            '"Meanwhile, …"), or keep the scene where it was',
                            excerpt=sentence,
                        )
                    )
            if words and here and not (words & here) and not (moved or previous_moved):
                issues.append(
                    _issue(
                        "location_jump",
                        "error",
                        f"The scene is suddenly at '{place}' with no transition from where the "
                        f"bible has it ('{where_was}')",
                        f'Say how they got to {place} (a journey, "Later, …", "Meanwhile, …"), '
                        "or keep the scene where it was",
                        excerpt=sentence,
                    )
                )
            here |= words
        for loc in known:
            if loc.lower() in sentence.lower():
                here |= {x.lower() for x in w.WORD.findall(loc)}
        previous_moved = moved
    return issues


# Kinds of place a scene can be set in (not rooms of the house it is in, not furniture): a
# scene suddenly at one the story has never mentioned has moved, even when it has no name.
PLACE_NOUNS = frozenset(
    {
        "church",
        "chapel",
        "temple",
        "mosque",
        "synagogue",
        "cathedral",
        "forge",
        "smithy",
        "market",
        "marketplace",
        "bazaar",
        "beach",
        "shore",
        "harbour",
        "harbor",
        "dock",
        "docks",
        "quay",
        "pier",
        "wharf",
        "station",
        "office",
        "school",
        "classroom",
        "library",
        "hospital",
        "clinic",
        "prison",
        "jail",
        "gaol",
        "courtroom",
        "courthouse",
        "orchard",
        "field",
        "meadow",
        "forest",
        "woods",
        "cave",
        "mountain",
        "hilltop",
        "tavern",
        "saloon",
        "inn",
        "hotel",
        "pub",
        "cafe",
        "café",
        "restaurant",
        "shop",
        "store",
        "bakery",
        "factory",
        "mill",
        "barn",
        "stable",
        "farm",
        "farmhouse",
        "village",
        "town",
        "city",
        "park",
        "playground",
        "square",
        "plaza",
        "alley",
        "palace",
        "castle",
        "lighthouse",
        "museum",
        "theatre",
        "theater",
        "cinema",
        "stadium",
        "gym",
        "arena",
        "river",
        "lake",
        "pond",
        "island",
        "desert",
        "camp",
        "airport",
        "graveyard",
        "cemetery",
        "vineyard",
        "mine",
        "quarry",
        "bathhouse",
        "monastery",
        "convent",
        "casino",
        "nightclub",
        "bank",
    }
)


def _unnamed_place(place: str, bible: Bible, before: list[str]) -> str:
    """The kind of place (`forge`) an unnamed place phrase is, when neither the bible nor
    the text so far has mentioned one; "" otherwise."""
    head = re.split(r"\s+(?:where|that|which|who|whose|when)\b", place.lower())[0]
    nouns = [x for x in w.WORD.findall(head) if x in PLACE_NOUNS]
    if not nouns:
        return ""
    known = json.dumps(bible, ensure_ascii=False).lower() + " " + " ".join(before).lower()
    for noun in nouns:
        stem = noun.rstrip("s")
        if not re.search(rf"\b{re.escape(stem)}", known):
            return noun
    return ""


def day_part_jumps(passage: ent.Passage, bible: Bible, segment_number: int) -> list[Issue]:
    """The time of day jumps (dusk, then the noon sun) with nothing saying time has passed."""
    if _covers(bible, segment_number):
        return []
    point = bible.get("timeline", {}).get("currentPoint", "")
    now = reading.part_after([point])
    flags = reading.memory_flags(passage.narration)
    issues: list[Issue] = []
    for index, sentence in enumerate(passage.narration):
        if flags[index]:
            continue
        marked = bool(reading.TIME_MARKER.search(sentence))
        cues = [part for _pos, part in reading.time_cues(sentence)]
        if not cues:
            if marked:
                now = ""
            continue
        inner = next(
            ((a, b) for a, b in itertools.pairwise(cues) if reading.steps(a, b) not in (0, 1, 5)),
            None,
        )
        if inner and not marked:
            issues.append(_time_issue(f"{inner[0]} and {inner[1]} in one moment", sentence))
        elif now and not marked and reading.steps(now, cues[0]) not in (0, 1):
            issues.append(
                _time_issue(
                    f"it is {now} in the story (bible: '{point}'), and now {cues[0]}", sentence
                )
            )
        now = cues[-1]
    return issues
