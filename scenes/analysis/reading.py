"""Reading a story's state from its prose: status over time, memories, time of day, whereabouts.

What `entities` finds (people, places, rules) says who and what a story has; this module
says what is true of them at a point in the text:

- `status_changes`: who dies, leaves for good, falls into a lasting sleep or is imprisoned,
  with coreference for "He was cut down ..." (the previous sentence's subject) and unnamed
  people the text only describes ("Pip's father", "Haruno's husband");
- `memory_flags`: which sentences are memory, flashback, story-within-the-story or report
  (from an opener such as "She remembered ...", "Long ago", "In his story" until a closer
  such as "She shook the memory off"), where the dead may speak;
- `time_cues`: the part of the day a sentence's own words put it in ("the noon sun", "the
  stars were out", "14:20", "four in the morning");
- `presence`: a place a sentence puts its people at, and `moves`: whether it says how they got
  there (a journey, a time skip, "meanwhile").
"""
# ruff: noqa: RUF001

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scenes.analysis import entities as ent

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
KIN = (
    "father|mother|husband|wife|son|daughter|brother|sister|grandfather|grandmother|uncle|"
    "aunt|partner|friend|mentor|master|teacher|fiancé|fiancée|lover|twin"
)
DESCRIBED = re.compile(
    rf"\b(?P<owner>[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?)['’]s\s+(?P<kin>{KIN})\b"
)

DEAD = (
    r"died|dies|was killed|were killed|been killed|was murdered|been murdered|was shot|"
    r"been shot|was slain|was cut down|was executed|drowned|perished|passed away|is dead|"
    r"was dead|were dead|lay dead|found dead|was buried|is buried|lies buried|lies beneath|"
    r"lies under|choked on|choked to death|never woke|been flatlined|was flatlined|"
    r"was lost at sea|was hanged|fell in battle|did not survive|didn't survive|"
    r"breathed (?:his|her|their) last|was never found|were never found|gone forever|"
    r"killed (?:him|her)|went down with|gone down with|go down with|"
    r"left (?:him|her|them) dead|never (?:seen|heard from) again|"
    r"(?:lost|gave) (?:his|her|their) li(?:fe|ves)|succumbed|was laid to rest|"
    r"(?:bled|froze|burned|burnt|starved) to death"
)
DEPARTED = (
    r"had gone away|went away|gone away|left for good|left forever|never came back|"
    r"never come back|never returned|would not be back|will not be back|won't be back|"
    r"wouldn't be back|fled to|emigrated|moved away|was transferred|been transferred|"
    r"was banished|was exiled|is away|was away|is abroad|was abroad|retired to|"
    r"would not return|will not return|did not return|never to return|not coming back|"
    r"never (?:came|walked|got|went|made it|found (?:his|her|their) way) (?:back|out|home)|"
    r"(?:is|was) with (?:his|her|their) regiment|left \w+ on the|left for \w+ and|"
    r"(?:had|has) moved (?:away )?to(?= (?-i:[A-Z]))|now lives (?:in|on|at)(?= (?-i:[A-Z]))"
)
ASLEEP = (
    r"fell into (?:a|an) (?:deep |enchanted |endless |cursed |magic )?sleep|lies asleep|"
    r"in a coma|fell asleep[^.;]*?\b(?:and now|for a hundred|still|ever since|never woke)|"
    r"sleeps? (?:for|under) (?:a|an) (?:hundred|thousand|enchant)"
)
IMPRISONED = (
    r"was imprisoned|been imprisoned|was jailed|been jailed|is in prison|was in prison|"
    r"behind bars|locked in the cells|serving (?:a|his|her) \w+ sentence|doing \w+ years in"
)
STATUS = re.compile(
    rf"\b(?P<dead>{DEAD})\b|\b(?P<departed>{DEPARTED})\b|(?P<asleep>{ASLEEP})|"
    rf"\b(?P<imprisoned>{IMPRISONED})\b",
    re.I,
)
NOT_SO = re.compile(
    r"\b(?:almost|nearly|if|feared|afraid|would have|could have|might|may have|thought|"
    r"believed|rumou?red|pretended|unless|whether|hoped|wished|dreamed|dreamt|imagined|"
    r"threatened|planned|tried to|about to)\b",
    re.I,
)
UNDEAD = re.compile(
    r"\b(?:ghost|spirit|phantom|spectre|specter|wraith|undead|vampire|revenant)\b", re.I
)
PRONOUN_START = re.compile(r"^(?:He|She|They)\b")


def _clause_start(sentence: str, position: int) -> int:
    """Where the clause holding `position` starts (after ", and", ";", "because", "before")."""
    starts = [0]
    for match in re.finditer(
        r"[;:—]|,\s*(?:and|but|because|before|when|after)\b|\bbecause\b", sentence
    ):
        if match.end() <= position:
            starts.append(match.end())
    return starts[-1]


@dataclass
class StatusChange:
    index: int  # narration sentence
    status: str  # dead, departed, asleep, imprisoned
    character: dict[str, Any] | None  # a bible character, or None for a described one
    described: str = ""  # "Pip's father" when the text gives no name


def _subjects(sentence: str, cast: ent.Cast) -> list[tuple[int, int, Any]]:
    """(start, end, character-or-description) for the people a sentence names, in order."""
    described: list[tuple[int, int, Any]] = []
    for match in DESCRIBED.finditer(sentence):
        if re.match(r",\s+[A-ZÀ-ÖØ-Þ]", sentence[match.end() :]):
            continue  # "Wren's grandmother, Nana Ife,": the name that follows is who it is
        # A described person the bible already holds is that character; else the words.
        known = cast.resolve(match.group(0))
        described.append((match.start(), match.end(), known or match.group(0)))
    found: list[tuple[int, int, Any]] = [
        (s, e, c)
        for s, e, c in cast.mentions(sentence)
        if not any(ds <= s < de for ds, de, _d in described)  # "Lio" in "Lio's mother"
    ]
    found += described
    return sorted(found, key=lambda item: item[0])


def status_changes(passage: ent.Passage, cast: ent.Cast) -> list[StatusChange]:
    """Who the narration says is dead, gone for good, asleep for long or imprisoned."""
    changes: list[StatusChange] = []
    previous_subject: Any = None
    for index, sentence in enumerate(passage.narration):
        mentions = _subjects(sentence, cast)
        for match in STATUS.finditer(sentence):
            status = next(k for k in ("dead", "departed", "asleep", "imprisoned") if match.group(k))
            clause = _clause_start(sentence, match.start())
            said = sentence[clause : match.end()]
            if NOT_SO.search(said) or sentence.rstrip().endswith("?"):
                continue
            before = [
                m
                for m in mentions
                if m[1] <= match.start() and not re.match(r"['’]s\b", sentence[m[1] :])
            ]  # "Chen's old informant, Little Fang, was found dead": not Chen
            in_clause = [m for m in before if m[0] >= clause]
            subject: Any = None
            if in_clause:
                subject = in_clause[-1][2] if len(in_clause) == 1 else in_clause[0][2]
            elif (
                clause > 0
                and before
                and re.match(
                    r"\s*(?:had|has|would|will|was|were|is|never|then|\w+ed)\b", sentence[clause:]
                )
            ):
                subject = before[0][2]  # "X had gone ..., and would not return": X
            elif re.search(r"\b(?:he|she|they)\b", said, re.I) and before:
                subject = before[-1][2]
            elif re.search(r"\b(?:him|her|them)\b", match.group(0), re.I) and before:
                subject = before[-1][2]  # "... had left him dead": the one named before
            elif (
                re.search(r"\b(?:he|she|they)\b", said, re.I)
                or PRONOUN_START.match(sentence)
                or (match.group("dead") and re.match(r"killed (?:him|her)", match.group(0), re.I))
            ):
                subject = previous_subject
            if subject is None:
                continue
            if isinstance(subject, str):
                changes.append(StatusChange(index, status, None, described=subject))
            else:
                if status == "dead" and UNDEAD.search(
                    f"{subject.get('description', '')} {sentence[: match.start()]}"
                ):
                    continue  # a ghost died long ago and haunts on: still in the story
                changes.append(StatusChange(index, status, subject))
        if mentions:
            previous_subject = mentions[0][2]
    return changes


# --- memories and flashbacks ----------------------------------------------------------------------

MEMORY_OPENER = re.compile(
    r"\b(?:remember\w*|recall\w*|thought back|thinks back|looked back|in (?:his|her|their|my|"
    r"that|the) (?:memory|mind|story|dream|dreams|mind's eye)|back then|long ago|years ago|"
    r"years earlier|years before|earlier that day|that night last|once upon|the story went|"
    r"flashback|told (?:him|her|them|us|me|the \w+) (?:about|what|how|that)|described|"
    r"told an old story|told (?:him|her|them) the (?:whole )?(?:legend|story)|"
    r"in (?:his|her|their) story|liked to say|used to say|she said,|he said,)\b",
    re.I,
)
MEMORY_CLOSER = re.compile(
    r"\b(?:shook (?:the memory|it|the thought) off|shook (?:his|her) head|blinked|pushed the "
    r"(?:thought|memory) (?:away|down)|pressed the memory|the memory (?:went|faded)|"
    r"came back to|back in the present|when (?:he|she|they|pell|\w+) finished|"
    r"the door opened|the picture away|and the street was|let go of)\b",
    re.I,
)
MEMORY_SENTENCE = re.compile(
    r"\b(?:remember\w*|memor\w*|recall\w*|dream\w*|ghost\w*|grave|tomb|portrait|photograph\w*|"
    r"recording|hologram|statue|mourn\w*|funeral|would have|used to|in (?:his|her|their) "
    r"(?:memory|story|mind)|(?<!at )once(?! (?:more|again))|legend|story|"
    r"thought (?:back )?(?:of|to|about) (?:the|that|those)|"
    r"(?:last|that) (?:fall|autumn|winter|spring|summer|year)|"
    r"years? (?:ago|before|earlier))\b",
    re.I,
)


def memory_flags(sentences: list[str]) -> list[bool]:
    """For each sentence: is it told as memory, flashback, a story or a report?"""
    flags: list[bool] = []
    inside = False
    for sentence in sentences:
        opener = MEMORY_OPENER.search(sentence)
        closer = MEMORY_CLOSER.search(sentence)
        if opener:
            inside = True
            flags.append(True)
            if closer and closer.start() > opener.start():
                inside = False
            continue
        if inside and closer:
            inside = False
            flags.append(False)
            continue
        flags.append(inside or bool(MEMORY_SENTENCE.search(sentence)))
    return flags


def past_perfect_about(sentence: str, end: int) -> bool:
    """ "Ruth had marked the lanes": told as what was, not as what happens now."""
    return bool(re.match(r"\s+(?:\w+ly\s+)?had\b(?!\s+(?:to|better)\b)", sentence[end:]))


# --- time of day ----------------------------------------------------------------------------------

ORDER = ("dawn", "morning", "midday", "afternoon", "evening", "night")
_CUES: tuple[tuple[str, str], ...] = (
    (r"\b(?:dawn|daybreak|first light|sunrise|daylight was breaking)\b", "dawn"),
    (r"\bmorning (?:light|sun|mist|fog|air|shift|bell)\b|\bthis morning\b|"
     r"\bmorning\b(?! star)", "morning"),
    (r"\b(?:noon|midday|sun (?:stood |was |hung )?high|high noon)\b", "midday"),
    (r"\bafternoon\b", "afternoon"),
    (r"\b(?:dusk|sunset|sundown|twilight|evening|vespers|nightfall|last light|"
     r"last red light)\b", "evening"),
    (r"\b(?:midnight|night|tonight|moonlight|full moon|stars were out|stars came out|"
     r"starlight|in the dark|the small hours|(?:sky|heavens) (?:full of|thick with) stars|"
     r"under the stars|bats (?:flitted|wheeled|swooped|flew))\b", "night"),
)  # fmt: skip
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
CLOCK = re.compile(
    r"\b(?P<hour>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"(?::\d\d)?\s+(?:o['’]clock\s+)?in the (?P<part>morning|afternoon|evening|night)\b",
    re.I,
)
CLOCK_24 = re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)\b")
NOT_NOW = re.compile(
    r"\b(?:that|last|by|until|tomorrow|next|every|each|midsummer|yesterday|before)\s+"
    r"(?:morning|night|evening|afternoon|nightfall|dawn|noon|midnight)\b|"
    r"\b\w+ (?:morning|night|evening)s\b|\b(?:a|one|some)\s+(?:[a-z]+\s+)?(?:[A-Z][a-z]+\s+)?"
    r"(?:night|morning|evening|afternoon|dawn)\b",
    re.I,
)


def _hour_part(hour: int) -> str:
    if hour < 5 or hour >= 22:
        return "night"
    if hour < 7:
        return "dawn"
    if hour < 12:
        return "morning"
    if hour < 14:
        return "midday"
    if hour < 18:
        return "afternoon"
    return "evening"


def time_cues(sentence: str) -> list[tuple[int, str]]:
    """(position, part of day) for what the sentence's words say the time is now."""
    found: list[tuple[int, str]] = []
    masked = NOT_NOW.sub(lambda m: " " * len(m.group(0)), sentence)
    if re.search(r"\bhad\b", sentence) and re.search(
        r"\bthat (?:morning|afternoon|evening)\b", sentence
    ):
        return []
    for match in CLOCK.finditer(masked):
        raw = match.group("hour").lower()
        hour = _NUMBERS.get(raw) or int(raw)
        part = match.group("part").lower()
        if part == "morning":
            found.append(
                (match.start(), "night" if hour < 5 else "dawn" if hour < 7 else "morning")
            )
        elif part == "afternoon":
            found.append((match.start(), "midday" if hour == 12 else "afternoon"))
        else:
            found.append((match.start(), "evening" if 5 <= hour <= 9 else "night"))
        masked = (
            masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
        )
    for match in CLOCK_24.finditer(masked):
        found.append((match.start(), _hour_part(int(match.group("h")))))
    if re.search(r"\bnight watch\b", sentence):
        found.append((sentence.find("night watch"), "night"))
    for pattern, part in _CUES:
        for match in re.finditer(pattern, masked, re.I):
            found.append((match.start(), part))
    return sorted(found)


def part_after(text_sentences: list[str]) -> str:
    """The part of the day the last sentence with a cue puts a text at, or ""."""
    part = ""
    for sentence in text_sentences:
        cues = time_cues(sentence)
        if cues:
            part = cues[-1][1]
    return part


def steps(a: str, b: str) -> int:
    """How many parts of the day forward from a to b (0-5)."""
    return (ORDER.index(b) - ORDER.index(a)) % len(ORDER)


TIME_MARKER = re.compile(
    r"\b(?:later|next|following|^after|afterwards|hours?|days?|weeks?|months?|years?|until|"
    r"after (?:a|an|the|that|this|some|several|many|two|three|four|five|\d+)\s+(?:\w+\s+)?"
    r"(?:while|moments?|minutes?|hours?|days?|weeks?|months?|years?|night|meal|dinner|lunch|"
    r"supper|breakfast|training|deal)|"
    r"by the time|^by (?:dawn|noon|midday|nightfall|morning|evening|six|seven|eight|then)|"
    r"eventually|at last|finally|soon|meanwhile|passed|slept (?:until|till|through|for)|woke|"
    r"waited|all (?:day|night)|"
    r"overnight|dawned|the sun (?:rose|set|came up|went down)|when (?:the sun|morning|dawn|night)|"
    r"^(?:at|by|around|toward|towards|near)\s+(?:dawn|first light|sunrise|daybreak|noon|"
    r"midday|dusk|sunset|nightfall|midnight|sundown|\w+ o['’]clock)|"
    r"that (?:night|evening|afternoon|morning)|the (?:night|day|morning) wore on|as the sun)\b",
    re.I,
)


# --- whereabouts ----------------------------------------------------------------------------------

POSTURE = (
    r"stood|sat|knelt|kneeled|leaned|lay|waited|was standing|was sitting|was kneeling|"
    r"was waiting|was leaning|crouched|perched|lounged|sprawled|paced|worked|stands|sits|"
    r"kneels|waits"
)
PRESENCE = re.compile(
    rf"\b(?:{POSTURE})\b[^.;!?]{{0,40}}?\b(?P<prep>in|on|at|inside|among|by|beside|under|"
    rf"aboard)\s+(?P<place>[^.;!?]+)",
    re.I,
)
MOVEMENT = re.compile(
    r"\b(?:went|walked|drove|rode|flew|sailed|took the|took a|arrived|came to|came "
    r"back|returned|headed|crossed|climbed|followed|left|docked|landed|entered|stepped into|"
    r"travel\w*|journey\w*|made (?:his|her|their|our) way|hurried|ran|raced|led|carried|"
    r"reached(?! for| out| into| across| over)|"
    r"brought|cycled|boarded|rowed|swam|flown|driven|ridden|walking|riding|driving|flying|"
    r"back at|back in|back on|meanwhile|elsewhere|across town|miles away|on the screen|on the "
    r"monitor|on the feed|through the window|dream\w*|imagin\w*|remember\w*|memory|"
    r"photograph|pictur\w*|came down|went down|went up|came up|went out|came in|moved)\b",
    re.I,
)
_PROPER = re.compile(rf"(?<![.!?]\s)\b[{UPPER}][{LOWER}]+(?:[\s-][{UPPER}][{LOWER}]+)*")


def presence(sentence: str) -> tuple[str, set[str]] | None:
    """(the place phrase, its proper names) where the sentence puts someone, or None."""
    match = PRESENCE.search(sentence)
    if match is None:
        return None
    place = re.split(
        r",|\s+(?:as|while|and|watching|waiting|haggling|nursing|pruning|sorting|"
        r"pumping|eating|with)\s+",
        match.group("place"),
    )[0]
    names = {
        m.group(0) for m in _PROPER.finditer(place) if m.group(0).split()[0] not in ent.NOT_NAMES
    }
    return place.strip(), names
