"""Scripts and story text become shot lists: what is seen, what is said, how long, how shot.

Two entry points. `script_to_shots` reads the film job's script (one scene description per
line, or paragraphs, or screenplay-ish text with INT./EXT. sluglines, `NAME: line` dialogue,
character cues and parentheticals). `expand_text_to_shots` reads StoryForge's continuation
prose ("'Do not come home,' it read.") into shots of one to three sentences, dialogue
attributed to its speakers, consistent with the Scene Bible's style guide. Both work offline
by rule; when LLM_BASE_URL is set they first ask the language model for a JSON shot list and
keep it only if it validates against the Shot structure, else fall back (with a warning in
the job's log) to the rule version.
"""
# Typographic quotes and dashes are what prose is written with; they are matched on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from media_pipeline.backends.base import Cancelled, NullReporter, Reporter
from media_pipeline.request import CAMERA_MOVES, GENRES, MOODS, TRANSITIONS, Shot
from storytext import english
from storytext import writer as default_writer
from storytext.core import GenerationParameters, TextGenerationError, TextWriter
from storytext.openai_compatible import OpenAICompatibleWriter
from storytext.vocabulary import canonical_genre

logger = logging.getLogger(__name__)

MIN_SHOT_SECONDS = 1.5
WORDS_PER_SECOND = 2.5  # narration pace, a little slower than conversation
SPOKEN_PADDING_SECONDS = 1.0  # a breath before and after the words
DURATION_QUANTUM = 0.25  # durations are multiples of this (exact in binary floating point)

_SPEECH_VERBS = (
    "said|says|asked|asks|whispered|whispers|shouted|shouts|replied|replies|muttered|called|"
    "cried|answered|added|murmured|snapped|yelled|read|reads|wrote|continued|insisted|"
    "breathed|warned|declared|explained|admitted|laughed|sighed|repeated|exclaimed|"
    "demanded|pleaded|hissed|growled|told|began|offered|agreed|promised|croaked"
)
_WHO = r"(?P<who>(?:[A-Z][\w'’\-]+)(?:\s+[A-Z][\w'’\-]+)?|he|she|they|it|I|we)"
_ATTRIBUTION_AFTER = re.compile(
    rf"^\s*[,—–-]?\s*(?:{_WHO}\s+(?:{_SPEECH_VERBS})\b|(?:{_SPEECH_VERBS})\s+"
    rf"(?P<who2>(?:[A-Z][\w'’\-]+)(?:\s+[A-Z][\w'’\-]+)?)\b)"
)
_ATTRIBUTION_BEFORE = re.compile(rf"{_WHO}\s+(?:{_SPEECH_VERBS})(?:\s+\w+ly)?\s*[,:]?\s*$")
_PRONOUNS = {"he", "she", "they", "it", "i", "we"}
_FUNCTION_WORDS = {
    "The", "A", "An", "It", "He", "She", "They", "We", "I", "His", "Her", "Their", "Its",
    "But", "And", "Or", "Then", "When", "While", "Later", "Now", "Nobody", "Someone", "No",
    "Yes", "This", "That", "There", "Here", "What", "Where", "Why", "How", "Who", "If",
    "As", "At", "In", "On", "For", "With", "After", "Before", "Still", "Meanwhile", "Once",
}  # fmt: skip

_SLUGLINE = re.compile(r"^(?:INT\.?/EXT|EXT\.?/INT|I/E|INT|EXT|EST)\.?\s+(?P<rest>.+)$", re.I)
_TRANSITION_LINE = re.compile(
    r"^(?P<kind>FADE IN|FADE OUT|FADE TO BLACK|FADE TO|CUT TO|SMASH CUT TO|MATCH CUT TO|"
    r"DISSOLVE TO|WIPE TO|CROSSFADE TO)\s*[:.]?\s*$",
    re.I,
)
_INLINE_DIALOGUE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z .'’\-]{0,30}?)\s*(?:\((?P<ext>[^)]*)\))?\s*:\s*(?P<line>\S.*)$"
)
_CUE = re.compile(r"^(?P<name>[A-Z][A-Z .'’\-]{0,30}?)\s*(?:\((?P<ext>[^)]*)\))?\s*$")
_PARENTHETICAL = re.compile(r"^\((?P<text>[^)]*)\)$")
_NARRATORS = {"narrator", "narration", "voice over", "voiceover", "v.o.", "vo"}

# Words that suggest how a shot is filmed; the first rule that matches wins.
CAMERA_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), camera)
    for pattern, camera in (
        (r"\b(?:tracking shot|track(?:s|ing)? (?:with|alongside))\b", "tracking"),
        (r"\bhandheld\b", "handheld"),
        (r"\b(?:close[- ]?up|close on|extreme close)\b", "dolly_in"),
        (r"\b(?:zoom(?:s|ing)? in|face|faces|eyes|hands?|detail|details|tear|tears)\b", "zoom_in"),
        (
            r"\b(?:pull(?:s|ing)? back|zoom(?:s|ing)? out|reveal(?:s|ing)?|vast|alone)\b",
            "dolly_out",
        ),
        (
            r"\b(?:run|runs|running|chase|chases|chasing|races?|racing|flee|flees|fleeing|"
            r"sprint\w*|gallop\w*|rush(?:es|ing)?)\b",
            "tracking",
        ),
        (
            r"\b(?:fight\w*|battle\w*|explosion\w*|chaos|panic\w*|stumbl\w*|crash\w*|"
            r"struggl\w*|storm\w*)\b",
            "handheld",
        ),
        (
            r"\b(?:sky|skies|tall|tower\w*|skyscraper\w*|sunrise|rises|rising|soar\w*|birds?|"
            r"flying|flies|climb\w*|stars|moon|heights?|clouds?)\b",
            "tilt_up",
        ),
        (
            r"\b(?:falls|falling|fell|sinks?|sinking|descend\w*|ground|floor|below|beneath|"
            r"down)\b",
            "tilt_down",
        ),
        (
            r"\b(?:wide|landscape|panorama\w*|horizon|vista|valley|ocean|sea|skyline|lake|"
            r"fields?|desert|mountains?|city|coast\w*|river|forest)\b",
            "pan_right",
        ),
        (r"\b(?:still|quiet|silence|silent|stands?|sits?|waits?|portrait|motionless)\b", "static"),
    )
)
# Gentle moves, taken in turn for shots no word decides; tense moods move the camera more.
DEFAULT_MOVES = ("dolly_in", "pan_right", "static", "dolly_out", "pan_left", "zoom_in")
TENSE_MOVES = ("handheld", "dolly_in", "tracking", "zoom_in")
_TIME_JUMP = re.compile(
    r"^(?:later|hours later|days later|weeks later|months later|years later|the next "
    r"(?:day|morning|night|evening)|that (?:night|evening)|by (?:nightfall|morning|dawn)|"
    r"the following|eventually|at dawn|at dusk|\w+ (?:years|days|hours) later)\b",
    re.I,
)
_SCENE_SHIFT = re.compile(
    r"^(?:meanwhile|elsewhere|back at|across (?:town|the city)|at the same time)\b", re.I
)
_SOFT_MOODS = {"calm", "sad", "romantic", "mysterious"}


@dataclass
class _Draft:
    """A shot being made: its parts before durations, camera and transition are settled."""

    visual: str = ""
    narration: list[str] = field(default_factory=list)
    dialogue: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parentheticals: acting hints for the prompt
    camera: str | None = None  # named by the script ("CLOSE ON", "TRACKING SHOT")
    transition_in: str | None = None  # how this shot is reached ("Later", a new slugline)
    transition_out: str | None = None  # named by the script ("DISSOLVE TO:")
    sentences: int = 0
    seconds: float | None = None  # a duration the language model asked for

    @property
    def spoken_words(self) -> int:
        return english.count_words(" ".join([*self.narration, *(ln for _s, ln in self.dialogue)]))

    def is_empty(self) -> bool:
        return not (self.visual or self.narration or self.dialogue)


# --- quotes and speakers -----------------------------------------------------------------

_OPENERS = {'"': '"', "“": "”", "‘": "’", "'": "'", "«": "»"}


def split_quotes(text: str) -> list[tuple[bool, str]]:
    """Narrative and quoted parts of a paragraph, in order: [(is_quote, text), …].

    A straight single quote opens a quotation only after a space or the start and before a
    letter, and closes one only before a space, punctuation or the end, so apostrophes
    ("Maya's", "wasn't") stay inside words.
    """
    parts: list[tuple[bool, str]] = []
    buffer: list[str] = []
    closer: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if closer is None and ch in _OPENERS:
            single = ch in "'‘"
            if not single or (not prev.isalnum() and (nxt.isalnum() or nxt in "…")):
                if buffer:
                    parts.append((False, "".join(buffer)))
                buffer, closer = [], _OPENERS[ch]
                i += 1
                continue
        elif (
            closer is not None
            and (ch == closer or (closer == "'" and ch == "’"))
            and (closer not in "'’" or not nxt.isalnum())
        ):
            parts.append((True, "".join(buffer).strip()))
            buffer, closer = [], None
            i += 1
            continue
        buffer.append(ch)
        i += 1
    if buffer:
        parts.append((closer is not None, "".join(buffer)))
    return [(q, t) for q, t in parts if t.strip()]


class _Speakers:
    """Who is speaking: attribution tags resolved to the story's characters."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = [c.strip() for c in characters if c and c.strip()]
        self.last_character = ""  # for he/she/they/I
        self.last_thing = ""  # for "it": a named ship, message, machine
        self.last_speaker = ""

    def canonical(self, name: str) -> str:
        """ "Maya" or "Captain Chen" -> "Maya Chen" when one character has that name."""
        words = set(name.split())
        for character in self.characters:
            if name == character or words & set(character.split()) - {"The", "Captain"}:
                return character
        return name

    def notice(self, narrative: str) -> str:
        """Remember who the narrative names, for the pronouns that follow; returns its actor.

        The actor is who the sentence is about: the first character it names, or the one
        its opening pronoun stands for. "Kai shook his head. 'Not yet.'" gives Kai the line.
        """
        actor = ""
        first = narrative.split()[0].lower().strip(",") if narrative.split() else ""
        if first in ("he", "she", "they", "i", "we"):
            actor = self.last_character
        for match in re.finditer(r"\b([A-Z][a-z][\w\-]*)(?:['’]s)?\b", narrative):
            name = match.group(1)
            if name in _FUNCTION_WORDS:
                continue
            canonical = self.canonical(name)
            if canonical in self.characters:
                self.last_character = canonical
                actor = actor or canonical
            else:
                self.last_thing = name
        return actor

    def resolve(self, who: str) -> str:
        if who.lower() in _PRONOUNS:
            if who.lower() == "it":
                return self.last_thing or self.last_character or "Unknown"
            return self.last_character or self.last_thing or "Unknown"
        name = self.canonical(who)
        if name in self.characters:
            self.last_character = name
        return name


def _attribution(narrative_after: str, narrative_before: str) -> tuple[str, str, str] | None:
    """(who, narrative_before, narrative_after) with the tag taken out, or None."""
    after = _ATTRIBUTION_AFTER.match(narrative_after)
    if after:
        who = after.group("who") or after.group("who2")
        return who, narrative_before, narrative_after[after.end() :]
    before = _ATTRIBUTION_BEFORE.search(narrative_before)
    if before:
        return before.group("who"), narrative_before[: before.start()], narrative_after
    return None


def _prose_sentences(paragraph: str, speakers: _Speakers) -> list[_Draft]:
    """One draft per sentence, quotes taken out as dialogue and attributed."""
    parts = split_quotes(paragraph)
    quotes: list[str] = []
    masked: list[str] = []
    for index, (is_quote, text) in enumerate(parts):
        if not is_quote:
            masked.append(text)
            continue
        following = next((t for q, t in parts[index + 1 :] if not q), "")
        ends = text.rstrip()[-1:] if text.strip() else ""
        # A quote that ends a sentence ends ours too, unless a tag follows ("…?" she asked).
        stop = ends in ".!?…" and not _ATTRIBUTION_AFTER.match(following)
        masked.append(f" Q{len(quotes)}Q{'.' if stop else ''} ")
        quotes.append(text.strip())
    drafts: list[_Draft] = []
    last_sentence_speaker = ""
    actor = ""  # who the last sentence without quotes was about
    for masked_sentence in english.split_sentences("".join(masked)):
        draft = _Draft(sentences=1)
        pieces = re.split(r"\s*Q(\d+)Q\.?\s*", masked_sentence)
        narrative_parts = pieces[0::2]
        quote_ids = [int(n) for n in pieces[1::2]]
        speaker_for_sentence = ""
        for k in range(len(quote_ids)):
            found = _attribution(narrative_parts[k + 1], narrative_parts[k])
            if found:
                who, narrative_parts[k], narrative_parts[k + 1] = found
                speaker_for_sentence = speakers.resolve(who)
        narrative = " ".join(p.strip(" ,;:—–-") for p in narrative_parts if p.strip(" ,;:—–-"))
        full_narrative = " ".join(p.strip() for p in pieces[0::2] if p.strip(" ,.;:—–-")).strip(
            " ,;:—–-"
        )
        for quote_id in quote_ids:
            speaker = speaker_for_sentence or (
                actor or last_sentence_speaker or speakers.last_speaker or speakers.last_character
            )
            line = quotes[quote_id].rstrip(",;:—–- ")
            draft.dialogue.append((speaker or "Unknown", english.sentence(line)))
        if draft.dialogue:
            last_sentence_speaker = draft.dialogue[-1][0]
            speakers.last_speaker = last_sentence_speaker
        if not quote_ids:
            draft.narration.append(english.sentence(masked_sentence))
            draft.visual = masked_sentence
        elif english.count_words(narrative) >= 3:
            # Around a quote the sentence's own words are kept as the book has them; a bare
            # tag ("it read") is not worth saying, nor showing.
            draft.narration.append(english.sentence(full_narrative))
            draft.visual = full_narrative
        noticed = speakers.notice(full_narrative)
        actor = noticed if not quote_ids else ""
        drafts.append(draft)
    return drafts


def _group(drafts: list[_Draft], *, max_sentences: int = 3, max_words: int = 45) -> list[_Draft]:
    """Sentences gathered into shots of up to `max_sentences` sentences and about `max_words`."""
    shots: list[_Draft] = []
    for draft in drafts:
        current = shots[-1] if shots else None
        words = english.count_words(draft.visual) + draft.spoken_words
        if (
            current is not None
            and current.sentences < max_sentences
            and english.count_words(current.visual) + current.spoken_words + words <= max_words
            and draft.transition_in is None
        ):
            _absorb(current, draft)
        else:
            shots.append(draft)
    return shots


def _absorb(into: _Draft, other: _Draft) -> None:
    into.visual = " ".join(v for v in (into.visual, other.visual) if v)
    into.narration += other.narration
    into.dialogue += other.dialogue
    into.notes += other.notes
    into.camera = into.camera or other.camera
    into.transition_out = other.transition_out or into.transition_out
    into.sentences += other.sentences


# --- screenplays ---------------------------------------------------------------------------


def _speaker_name(raw: str) -> str:
    name = re.sub(r"\s*\((?:V\.?O\.?|O\.?S\.?|O\.?C\.?|CONT'?D|cont'?d)\)\s*", "", raw).strip()
    return english.title_case(name.lower()) if name.isupper() else name


def _is_screenplay(lines: list[str]) -> bool:
    sluglines = sum(1 for ln in lines if _SLUGLINE.match(ln))
    caps_dialogue = sum(
        1 for ln in lines if (m := _INLINE_DIALOGUE.match(ln)) and m.group("name").strip().isupper()
    )
    return sluglines > 0 or caps_dialogue > 0


def _slug_place(rest: str) -> str:
    """ "KITCHEN - NIGHT" -> "Kitchen, night"."""
    pieces = [p.strip().lower() for p in re.split(r"\s+[-–—]\s+|\s*/\s*", rest) if p.strip()]
    return english.capitalise(", ".join(pieces))


def _parse_screenplay(lines: list[str]) -> list[_Draft]:
    drafts: list[_Draft] = []
    place = ""
    pending_transition: str | None = None
    pending_camera: str | None = None
    current: _Draft | None = None
    speaker = ""  # a character cue's speaker, for the lines under it

    def new_shot(visual: str) -> _Draft:
        nonlocal pending_transition, pending_camera
        draft = _Draft(visual=visual, transition_in=pending_transition, camera=pending_camera)
        pending_transition, pending_camera = None, None
        drafts.append(draft)
        return draft

    def add_line(name: str, line: str) -> None:
        nonlocal current
        if current is None or len(current.dialogue) >= 3:
            current = new_shot(f"{name} speaking" + (f". {place}" if place else ""))
        if name.lower() in _NARRATORS:
            current.narration.append(english.sentence(line))
        else:
            current.dialogue.append((name, line.strip()))

    for raw in lines:
        line = raw.strip()
        if not line:
            speaker = ""
            continue
        if slug := _SLUGLINE.match(line):
            place = _slug_place(slug.group("rest"))
            if drafts:
                pending_transition = pending_transition or "dissolve"
            current = None
            speaker = ""
            continue
        if transition := _TRANSITION_LINE.match(line):
            kind = transition.group("kind").lower()
            move = next(
                (m for word, m in (("fade", "fade"), ("dissolve", "dissolve"),
                                   ("crossfade", "dissolve"), ("wipe", "wipe")) if word in kind),
                "cut",
            )  # fmt: skip
            if kind != "fade in" and drafts:
                drafts[-1].transition_out = move
            continue
        if parenthetical := _PARENTHETICAL.match(line):
            if current is not None and speaker:
                current.notes.append(f"{speaker} {parenthetical.group('text').strip()}")
            continue
        if speaker:
            add_line(speaker, line)
            continue
        inline = _INLINE_DIALOGUE.match(line)
        if inline and (
            inline.group("name").strip().isupper() or len(inline.group("name").split()) <= 2
        ):
            name = _speaker_name(inline.group("name").strip())
            spoken = inline.group("line")
            if acting := re.match(r"^\(([^)]*)\)\s*", spoken):
                spoken = spoken[acting.end() :]
                if current is not None:
                    current.notes.append(f"{name} {acting.group(1).strip()}")
            if spoken.strip():
                add_line(name, spoken)
            continue
        cue = _CUE.match(line)
        if cue and len(cue.group("name").split()) <= 4 and not line.endswith((".", "!", "?")):
            camera = _camera_direction(line)
            if camera:
                pending_camera = camera
                continue
            speaker = _speaker_name(cue.group("name").strip())
            continue
        # An action line: what is seen.
        current = new_shot(f"{place}. {line}" if place else line)
        current.sentences = len(english.split_sentences(line))
    return [d for d in drafts if not d.is_empty()]


def _camera_direction(line: str) -> str | None:
    """A shot direction line ("CLOSE ON", "WIDE SHOT", "TRACKING SHOT") as a camera move."""
    lowered = line.lower()
    for words, camera in (
        (("close on", "close-up", "close up", "closeup"), "dolly_in"),
        (("wide shot", "wide on", "establishing"), "pan_right"),
        (("tracking",), "tracking"),
        (("handheld",), "handheld"),
        (("aerial", "overhead"), "tilt_down"),
        (("angle on", "insert"), "zoom_in"),
    ):
        if lowered.startswith(words):
            return camera
    return None


# --- durations, cameras, transitions ---------------------------------------------------------


def _quantise(value: float) -> float:
    return round(value / DURATION_QUANTUM) * DURATION_QUANTUM


def estimate_duration(draft_words: int, visual_words: int, max_seconds: float) -> float:
    """Seconds a shot needs on its own: its words at narration pace, or a look at the picture."""
    if draft_words:
        seconds = draft_words / WORDS_PER_SECOND + SPOKEN_PADDING_SECONDS
    else:
        seconds = 2.5 + 0.1 * visual_words
    return min(max_seconds, max(MIN_SHOT_SECONDS, _quantise(seconds)))


def allocate_durations(
    weights: list[float], total: float, minimum: float = MIN_SHOT_SECONDS
) -> list[float]:
    """`total` seconds shared in proportion to `weights`, each at least `minimum`, summed exactly.

    All but the last are multiples of DURATION_QUANTUM and the last takes the rest, so the
    sum is exact whenever `total` is a multiple of the quantum. Callers make sure
    len(weights) * minimum <= total.
    """
    n = len(weights)
    if n == 1:
        return [total]
    weights = [max(w, 1e-6) for w in weights]
    fixed: dict[int, float] = {}
    # Water-filling: shots whose share falls below the minimum get the minimum, and the rest
    # is shared again among the others.
    while True:
        free = [i for i in range(n) if i not in fixed]
        left = total - sum(fixed.values())
        weight = sum(weights[i] for i in free)
        shares = {i: left * weights[i] / weight for i in free}
        short = [i for i, share in shares.items() if share < minimum]
        if not short:
            break
        for i in short:
            fixed[i] = minimum
    raw = [fixed.get(i, shares.get(i, minimum)) for i in range(n)]
    durations: list[float] = []
    carried = 0.0
    for value in raw[:-1]:
        # Rounding errors are carried forward so they do not pile up on the last shot.
        quantised = max(minimum, _quantise(value + carried))
        carried += value - quantised
        durations.append(quantised)
    durations.append(total - sum(durations))
    if durations[-1] < minimum and n > 1:
        # Rounding pushed the last below the minimum: take the difference from the longest.
        longest = max(range(n - 1), key=durations.__getitem__)
        need = _quantise(minimum - durations[-1] + DURATION_QUANTUM / 2)
        durations[longest] -= need
        durations[-1] = total - sum(durations[:-1])
    return durations


def choose_camera(text: str, index: int, mood: str) -> str:
    """A camera move suggested by the shot's words, else the next gentle move in turn."""
    for pattern, camera in CAMERA_RULES:
        if pattern.search(text):
            return camera
    moves = TENSE_MOVES if mood in ("tense", "epic") else DEFAULT_MOVES
    return moves[index % len(moves)]


def _transition_between(before: _Draft, after: _Draft, mood: str) -> str:
    if before.transition_out:
        return before.transition_out
    if after.transition_in:
        return after.transition_in
    opening = " ".join(after.narration) or after.visual
    if _TIME_JUMP.match(opening):
        return "fade"
    if _SCENE_SHIFT.match(opening):
        return "dissolve"
    return "dissolve" if mood in _SOFT_MOODS else "cut"


def _merge_to(drafts: list[_Draft], max_shots: int) -> list[_Draft]:
    """At most `max_shots` drafts, neighbours merged in near-equal runs."""
    if len(drafts) <= max_shots:
        return drafts
    merged: list[_Draft] = []
    size = len(drafts) / max_shots
    for k in range(max_shots):
        run = drafts[math.floor(k * size) : math.floor((k + 1) * size)]
        head = run[0]
        for other in run[1:]:
            _absorb(head, other)
        merged.append(head)
    return merged


def _finish(
    drafts: list[_Draft],
    *,
    total_duration: float | None,
    mood: str,
    max_shots: int,
    max_prompt_chars: int,
) -> list[Shot]:
    """Durations, cameras and transitions for the drafts, as Shots."""
    limits = settings.MEDIA_LIMITS
    max_shot_seconds = float(limits["max_shot_seconds"])
    drafts = [d for d in drafts if not d.is_empty()]
    if not drafts:
        return []
    if total_duration is not None:
        fit = max(1, min(max_shots, math.floor(total_duration / MIN_SHOT_SECONDS)))
        drafts = _merge_to(drafts, fit)
    else:
        drafts = _merge_to(drafts, max_shots)
    estimates = [
        estimate_duration(d.spoken_words, english.count_words(d.visual), max_shot_seconds)
        for d in drafts
    ]
    if total_duration is None:
        durations = estimates
    else:
        # Each shot's share follows how much it has to say (or show).
        durations = allocate_durations(estimates, float(total_duration))
    shots: list[Shot] = []
    for index, (draft, duration) in enumerate(zip(drafts, durations, strict=True)):
        visual = (
            draft.visual
            or " ".join(draft.narration)
            or (f"{draft.dialogue[0][0]} speaking" if draft.dialogue else "")
        )
        if draft.notes:
            visual = f"{visual} ({'; '.join(draft.notes)})"
        visual = visual.strip()[:max_prompt_chars]
        camera = draft.camera or choose_camera(
            " ".join([draft.visual, *draft.narration]), index, mood
        )
        transition = (
            _transition_between(draft, drafts[index + 1], mood)
            if index + 1 < len(drafts)
            else (draft.transition_out or "cut")
        )
        shots.append(
            Shot(
                prompt=visual,
                narration=" ".join(draft.narration).strip(),
                dialogue=tuple(draft.dialogue),
                duration=duration,
                camera=camera,
                transition=transition,
            )
        )
    return _split_long(shots, max_shot_seconds, max_shots)


def _split_long(shots: list[Shot], max_seconds: float, max_shots: int) -> list[Shot]:
    """Shots longer than the longest allowed become several, while the shot count allows."""
    out: list[Shot] = []
    room = max_shots - len(shots)
    for shot in shots:
        pieces = math.ceil(shot.duration / max_seconds - 1e-9)
        if pieces <= 1 or pieces - 1 > room:
            out.append(shot)
            continue
        room -= pieces - 1
        sentences = english.split_sentences(shot.narration)
        lengths = allocate_durations([1.0] * pieces, shot.duration, minimum=MIN_SHOT_SECONDS)
        for k in range(pieces):
            said = sentences[len(sentences) * k // pieces : len(sentences) * (k + 1) // pieces]
            lines = shot.dialogue[
                len(shot.dialogue) * k // pieces : len(shot.dialogue) * (k + 1) // pieces
            ]
            out.append(
                Shot(
                    prompt=shot.prompt,
                    narration=" ".join(said),
                    dialogue=lines,
                    duration=lengths[k],
                    camera=shot.camera if k == 0 else DEFAULT_MOVES[k % len(DEFAULT_MOVES)],
                    transition=shot.transition if k == pieces - 1 else "dissolve",
                )
            )
    return out


# --- the language model's version ---------------------------------------------------------------

_SHOTS_SYSTEM = """You turn {what} into a shot list for a video generator.
Answer with one JSON object and nothing else, of this form:
{{"shots": [{{"prompt": "what the camera sees, for an image model",
  "narration": "words the narrator speaks in this shot, or an empty string",
  "dialogue": [{{"speaker": "name", "line": "words spoken"}}],
  "duration": seconds, "camera": "one of: {cameras}",
  "transition": "into the next shot, one of: {transitions}"}}]}}
Use at most {max_shots} shots{total}. Visual style: {style}. Mood: {mood}. Genre: {genre}.
Keep every character's name as the text gives it.{extra}"""

_CAMERA_SYNONYMS = {
    "pan": "pan_right",
    "zoom": "zoom_in",
    "dolly": "dolly_in",
    "track": "tracking",
    "tilt": "tilt_up",
    "none": "static",
    "still": "static",
    "fixed": "static",
    "push_in": "dolly_in",
    "pull_out": "dolly_out",
    "crossfade": "dissolve",
    "cross_dissolve": "dissolve",
    "fade_in": "fade",
    "fade_out": "fade",
    "fade_to_black": "fade",
    "hard_cut": "cut",
}


class ShotListInvalid(ValueError):
    """A language model's shot list that does not fit the Shot structure."""


def _choice(value: Any, allowed: tuple[str, ...], field_name: str) -> str:
    key = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    key = _CAMERA_SYNONYMS.get(key, key)
    if key not in allowed:
        raise ShotListInvalid(f"{field_name}: {value!r} is not one of {', '.join(allowed)}")
    return key


def parse_shot_list(content: str, *, max_shots: int) -> list[_Draft]:
    """Drafts from a model's JSON answer (code fences allowed); raises ShotListInvalid."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    try:
        payload = json.loads(text[start : end + 1] if start >= 0 and end > start else text)
    except ValueError as exc:
        raise ShotListInvalid(f"not JSON: {exc}") from exc
    raw_shots = payload.get("shots") if isinstance(payload, dict) else payload
    if not isinstance(raw_shots, list) or not raw_shots:
        raise ShotListInvalid("no shots array")
    if len(raw_shots) > max_shots:
        raise ShotListInvalid(f"{len(raw_shots)} shots, at most {max_shots} allowed")
    drafts = []
    for i, raw in enumerate(raw_shots):
        if not isinstance(raw, dict):
            raise ShotListInvalid(f"shots[{i}] is not an object")
        prompt = raw.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ShotListInvalid(f"shots[{i}].prompt is missing")
        narration = raw.get("narration") or ""
        if not isinstance(narration, str):
            raise ShotListInvalid(f"shots[{i}].narration is not a string")
        dialogue: list[tuple[str, str]] = []
        for line in raw.get("dialogue") or ():
            spoken = line.get("line", line.get("text")) if isinstance(line, dict) else None
            if isinstance(line, dict) and isinstance(spoken, str):
                dialogue.append((str(line.get("speaker") or "Unknown"), spoken))
            elif isinstance(line, list | tuple) and len(line) == 2:
                dialogue.append((str(line[0]), str(line[1])))
            else:
                raise ShotListInvalid(f"shots[{i}].dialogue has a line that is not speaker/line")
        duration = raw.get("duration")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int | float) or duration <= 0
        ):
            raise ShotListInvalid(f"shots[{i}].duration is not a positive number")
        draft = _Draft(
            visual=prompt.strip(),
            narration=[narration.strip()] if narration.strip() else [],
            dialogue=[(s.strip(), ln.strip()) for s, ln in dialogue if ln.strip()],
            camera=_choice(raw["camera"], CAMERA_MOVES, f"shots[{i}].camera")
            if raw.get("camera")
            else None,
            transition_out=_choice(raw["transition"], TRANSITIONS, f"shots[{i}].transition")
            if raw.get("transition")
            else None,
        )
        draft.seconds = float(duration) if duration else None
        drafts.append(draft)
    return drafts


def _llm_drafts(
    llm: OpenAICompatibleWriter,
    text: str,
    *,
    what: str,
    total_duration: float | None,
    style: str,
    mood: str,
    genre: str,
    max_shots: int,
    seed: int,
    reporter: Reporter,
    extra: str = "",
) -> list[_Draft] | None:
    """The model's shot list, or None (logged) when it fails or does not validate."""
    system = _SHOTS_SYSTEM.format(
        what=what,
        cameras=", ".join(CAMERA_MOVES),
        transitions=", ".join(TRANSITIONS),
        max_shots=max_shots,
        total=f", {total_duration:g} seconds in all" if total_duration else "",
        style=style,
        mood=mood,
        genre=genre,
        extra=extra,
    )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": text}]
    parameters = GenerationParameters(temperature=0.2, max_tokens=min(4096, 200 + 150 * max_shots))
    try:
        answer = llm.chat(
            messages, parameters=parameters, seed=seed, reporter=reporter, json_object=True
        )
        return parse_shot_list(answer.text, max_shots=max_shots)
    except Cancelled:
        raise
    except (TextGenerationError, ShotListInvalid) as exc:
        message = (
            f"The language model's shot list was not usable ({exc}); using the rule breakdown."
        )
        logger.warning(message)
        reporter.log(message, level="warning")
        return None


def _finish_llm(
    drafts: list[_Draft], *, total_duration: float | None, mood: str, max_prompt_chars: int
) -> list[Shot]:
    """The model's drafts as Shots, durations scaled to the total when one is given."""
    max_shot_seconds = float(settings.MEDIA_LIMITS["max_shot_seconds"])
    estimates = [
        d.seconds
        or estimate_duration(d.spoken_words, english.count_words(d.visual), max_shot_seconds)
        for d in drafts
    ]
    if total_duration is not None and len(drafts) * MIN_SHOT_SECONDS <= total_duration:
        durations = allocate_durations(estimates, float(total_duration))
    else:
        durations = [min(max_shot_seconds, max(MIN_SHOT_SECONDS, _quantise(e))) for e in estimates]
    return [
        Shot(
            prompt=d.visual[:max_prompt_chars],
            narration=" ".join(d.narration),
            dialogue=tuple(d.dialogue),
            duration=duration,
            camera=d.camera or choose_camera(d.visual, i, mood),
            transition=d.transition_out or "cut",
        )
        for i, (d, duration) in enumerate(zip(drafts, durations, strict=True))
    ]


def _canonical_mood(mood: str | None) -> str:
    words = (mood or "").lower()
    return next((m for m in MOODS if m in words), "neutral")


def _llm_for(writer: TextWriter | None) -> OpenAICompatibleWriter | None:
    chosen = writer if writer is not None else default_writer()
    return chosen if isinstance(chosen, OpenAICompatibleWriter) else None


# --- the two entry points ---------------------------------------------------------------------


def script_to_shots(
    script: str,
    *,
    total_duration: float | None,
    style: str = "cinematic",
    mood: str = "neutral",
    genre: str = "drama",
    max_shots: int | None = None,
    seed: int = 0,
    writer: TextWriter | None = None,
    reporter: Reporter | None = None,
) -> list[Shot]:
    """The film job's script as shots (see the module docstring); empty for an empty script.

    `writer` None: by settings (the language model when LLM_BASE_URL is set).
    """
    reporter = reporter or NullReporter()
    limits = settings.MEDIA_LIMITS
    max_shots = max(1, min(max_shots or limits["max_shots"], limits["max_shots"]))
    mood_name = _canonical_mood(mood)
    genre_name = genre if genre in GENRES else canonical_genre(genre)
    lines = [ln.rstrip() for ln in script.replace("\r\n", "\n").split("\n")]
    if not any(ln.strip() for ln in lines):
        return []
    llm = _llm_for(writer)
    if llm is not None:
        drafts = _llm_drafts(
            llm,
            script,
            what="a film script (each line or paragraph a scene)",
            total_duration=total_duration,
            style=style,
            mood=mood_name,
            genre=genre_name,
            max_shots=max_shots,
            seed=seed,
            reporter=reporter,
            extra=" Every scene description line is narrated.",
        )
        if drafts:
            return _finish_llm(
                drafts,
                total_duration=total_duration,
                mood=mood_name,
                max_prompt_chars=limits["max_prompt_chars"],
            )
    drafts = _parse_screenplay(lines) if _is_screenplay(lines) else _plain_script(lines)
    return _finish(
        drafts,
        total_duration=total_duration,
        mood=mood_name,
        max_shots=max_shots,
        max_prompt_chars=limits["max_prompt_chars"],
    )


def _plain_script(lines: list[str]) -> list[_Draft]:
    """One shot per line; paragraphs (blank-line separated, several lines) read as prose."""
    blocks = [b for b in re.split(r"\n\s*\n", "\n".join(lines)) if b.strip()]
    speakers = _Speakers([])
    drafts: list[_Draft] = []
    if len(blocks) > 1:
        for block in blocks:
            drafts += _group(_mark_jumps(_prose_sentences(" ".join(block.split()), speakers)))
        return drafts
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        sentences = _mark_jumps(_prose_sentences(line, speakers))
        shot = sentences[0]
        for other in sentences[1:]:
            _absorb(shot, other)
        if not shot.visual:
            shot.visual = line.strip(" .")
        if not shot.narration and not shot.dialogue:
            shot.narration = [english.sentence(line)]
        # A scene description is shown as written; its trailing full stop is for narration.
        shot.visual = shot.visual.rstrip(" .")
        drafts.append(shot)
    return drafts


def _mark_jumps(drafts: list[_Draft]) -> list[_Draft]:
    for draft in drafts:
        opening = " ".join(draft.narration) or draft.visual
        if _TIME_JUMP.match(opening):
            draft.transition_in = "fade"
        elif _SCENE_SHIFT.match(opening):
            draft.transition_in = "dissolve"
    return drafts


def expand_text_to_shots(
    text: str,
    *,
    style_guide: dict[str, Any] | None = None,
    characters: list[str] | None = None,
    total_duration: float | None = None,
    max_shots: int | None = None,
    seed: int = 0,
    writer: TextWriter | None = None,
    reporter: Reporter | None = None,
) -> list[Shot]:
    """StoryForge continuation prose as shots of one to three sentences (script_expansion).

    Quoted dialogue ("…," Maya said. / 'Do not come home,' it read.) becomes dialogue lines
    attributed to the speaker, names resolved to `characters` ("Maya" -> "Maya Chen"). The
    style guide's visualStyle is added to every prompt; its tone sets the mood and its genre
    the pacing, so every segment of a scene is shot alike.
    """
    reporter = reporter or NullReporter()
    guide = style_guide or {}
    limits = settings.MEDIA_LIMITS
    max_shots = max(1, min(max_shots or limits["max_shots"], limits["max_shots"]))
    mood_name = _canonical_mood(str(guide.get("tone") or ""))
    genre_name = canonical_genre(str(guide.get("genre") or ""))
    visual_style = str(guide.get("visualStyle") or guide.get("visual_style") or "").strip()
    names = [c for c in (characters or []) if c]
    if not text.strip():
        return []
    llm = _llm_for(writer)
    if llm is not None:
        drafts = _llm_drafts(
            llm,
            text,
            what="a passage of story prose",
            total_duration=total_duration,
            style=visual_style or "cinematic",
            mood=mood_name,
            genre=genre_name,
            max_shots=max_shots,
            seed=seed,
            reporter=reporter,
            extra=(f" Characters: {', '.join(names)}." if names else "")
            + " Quoted speech goes in dialogue; the rest of the prose is narration.",
        )
        if drafts:
            for draft in drafts:
                draft.visual = _styled(draft.visual, visual_style)
            return _finish_llm(
                drafts,
                total_duration=total_duration,
                mood=mood_name,
                max_prompt_chars=limits["max_prompt_chars"],
            )
    speakers = _Speakers(names)
    drafts = []
    context = ""
    for paragraph in re.split(r"\n\s*\n|\n", text):
        if not paragraph.strip():
            continue
        for draft in _group(_mark_jumps(_prose_sentences(paragraph, speakers))):
            if not draft.visual and draft.dialogue:
                # Dialogue alone: frame the speaker in the scene we were last shown.
                draft.visual = f"Close-up of {draft.dialogue[0][0]} speaking" + (
                    f". {context}" if context else ""
                )
                draft.camera = draft.camera or "dolly_in"
            else:
                context = english.split_sentences(draft.visual)[-1].rstrip(".")
            draft.visual = _styled(draft.visual, visual_style)
            drafts.append(draft)
    return _finish(
        drafts,
        total_duration=total_duration,
        mood=mood_name,
        max_shots=max_shots,
        max_prompt_chars=limits["max_prompt_chars"],
    )


def _styled(visual: str, visual_style: str) -> str:
    visual = visual.strip().rstrip(".")
    return f"{visual}, {visual_style}" if visual_style and visual else visual
