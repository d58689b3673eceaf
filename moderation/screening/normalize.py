# ruff: noqa: RUF001 (the homoglyph table spells out look-alike letters on purpose)
"""Text normalisation that undoes common obfuscation before the rules look at it.

Steps, in order: unicode folding (NFKD without diacritics, confusable Cyrillic and Greek
letters, zero-width characters), joining letters spelt out one by one ("k i l l", "k.i.l.l"),
leetspeak (0→o 1→i/l 3→e 4→a 5→s 7→t @→a $→s !→i), letters stretched by repetition
("looooser") and masked vowels ("f*ck"). Joining and unstretching only produce words the
screen knows (its lexicon), so ordinary words are never glued together.

The rules also need to know whether a phrase is quoted dialogue inside narration (a villain's
threat in a thriller) or said to the reader; `split_units` cuts a text into such units.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)

# Letters from other scripts that look like Latin ones (the usual homoglyph tricks).
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ʏ": "y", "ɡ": "g",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
        "С": "c", "Т": "t", "У": "y", "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "γ": "y", "η": "n", "ω": "w",
        "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
        "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
        # Quotes and dashes in one form each
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip

# Leetspeak, with "1" and "|" read both ways (k1ll, 1oser): two variants are screened.
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                         "@": "a", "$": "s", "!": "i", "|": "l"})  # fmt: skip
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t",
                         "@": "a", "$": "s", "!": "i", "|": "i"})  # fmt: skip

_LETTERISH = "a-z0-9@$!|"
# Three or more single characters separated by one separator each: "k i l l", "k.i.l.l",
# "k-1-l-l". Two spaces end a word ("k i l l  y o u"). Runs longer than a phrase are left
# alone (and cost nothing to segment).
_SPACED = re.compile(
    rf"(?<![{_LETTERISH}'*])[{_LETTERISH}]"
    rf"(?:(?:[.\-_*·•,/+~:] ?| )[{_LETTERISH}](?![{_LETTERISH}'*])){{2,40}}"
)
# A token: letters, digits and leet symbols, with !, |, *, ' allowed only inside it.
_TOKEN = re.compile(r"@?[a-z0-9$@]+(?:[!|*'][a-z0-9$@]+)*")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|p|px|fps|gb|mb|kb|hz|ms|x|d)")
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_WHITESPACE = re.compile(r"[ \t\r\f\v]+")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: no zero-width characters, diacritics or homoglyphs."""
    text = text.translate(_ZERO_WIDTH)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.translate(_CONFUSABLES).lower()


class Lexicon:
    """The words the rules know, used to decide how to undo spacing, stretching and masks."""

    def __init__(self, words: Iterable[str], sensitive: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        self.sensitive = frozenset(w for w in sensitive if len(w) >= 3)
        # Pieces a spelt-out run may be cut into: real words, never stray letters.
        self.pieces = frozenset(
            w for w in self.words if len(w) >= 3 or w in _SHORT_WORDS or w == "kys"
        )
        by_length: dict[int, list[str]] = {}
        for word in sorted(self.sensitive):
            by_length.setdefault(len(word), []).append(word)
        self._sensitive_by_length = by_length

    def segment(self, letters: str) -> list[str] | None:
        """Cut a run of letters into the fewest known words, or None."""
        if letters in self.words:
            return [letters]
        return _segment(letters, self.pieces)

    def unstretch(self, token: str) -> str:
        """Shorten runs of 3+ repeated letters to the known word they stretch, if any."""
        runs = list(_LONG_RUN.finditer(token))
        if not runs:
            return token
        if len(runs) > 5:  # a wall of repeated characters: nothing to recover
            return _LONG_RUN.sub(r"\1\1", token)
        for lengths in itertools.product((1, 2), repeat=len(runs)):
            candidate, last = [], 0
            for run, length in zip(runs, lengths, strict=True):
                candidate.append(token[last : run.start()])
                candidate.append(run.group(1) * length)
                last = run.end()
            candidate.append(token[last:])
            word = "".join(candidate)
            if word in self.words:
                return word
        return _LONG_RUN.sub(r"\1\1", token)

    def unmask(self, token: str) -> str:
        """Fill masked letters ("f*ck", "n*gg*r") when exactly one sensitive word fits."""
        if "*" not in token or token.strip("*") == "":
            return token
        pattern = re.compile(re.escape(token).replace(r"\*", "[a-z]"))
        matches = [w for w in self._sensitive_by_length.get(len(token), []) if pattern.fullmatch(w)]
        return matches[0] if len(matches) == 1 else token


_SHORT_WORDS = frozenset(
    [
        "i",
        "a",
        "u",
        "of",
        "to",
        "me",
        "my",
        "ur",
        "go",
        "do",
        "in",
        "on",
        "at",
        "up",
        "so",
        "is",
        "an",
        "no",
        "be",
        "he",
        "we",
        "us",
        "it",
        "or",
        "by",
        "if",
        "am",
        "as",
    ]
)


def _segment(letters: str, pieces: frozenset[str]) -> list[str] | None:
    best: list[list[str] | None] = [None] * (len(letters) + 1)
    best[0] = []
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 20), end):
            head = best[start]
            if head is not None and letters[start:end] in pieces:
                candidate = [*head, letters[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(letters)]


def _deleet(token: str, table: dict[int, str]) -> str:
    if token.startswith("@") and len(token) > 1 and token[1].isalpha():
        return token  # an @mention, not leetspeak
    if not any(c.isalpha() for c in token) or _ORDINAL.fullmatch(token):
        return token
    return token.translate(table)


def variants(folded: str, lexicon: Lexicon) -> list[str]:
    """The normalised readings of folded text: plain, leet with 1→i, leet with 1→l."""
    joined = _join_spaced(folded, lexicon)
    readings = [_normalise_tokens(joined, lexicon, None)]
    if re.search(r"[0-9@$!|]", joined):
        readings.append(_normalise_tokens(joined, lexicon, _LEET_I))
        if re.search(r"[1|]", joined):
            readings.append(_normalise_tokens(joined, lexicon, _LEET_L))
    return list(dict.fromkeys(readings))


def _join_spaced(text: str, lexicon: Lexicon) -> str:
    def join(match: re.Match[str]) -> str:
        raw = match.group(0)
        letters = re.sub(rf"[^{_LETTERISH}]", "", raw)
        for table in (_LEET_I, _LEET_L):
            candidate = letters.translate(table)
            if not candidate.isalpha():
                continue
            words = lexicon.segment(candidate)
            if words:
                return " ".join(words)
        return raw

    return _SPACED.sub(join, text)


def _normalise_tokens(text: str, lexicon: Lexicon, table: dict[int, str] | None) -> str:
    def token(match: re.Match[str]) -> str:
        word = match.group(0)
        if table is not None:
            word = _deleet(word, table)
        word = lexicon.unmask(word)
        return lexicon.unstretch(word)

    text = _TOKEN.sub(token, text)
    return _WHITESPACE.sub(" ", text).strip()


# --- Dialogue: quoted speech inside narration --------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A piece of a text, and whether it is a character's speech framed by narration."""

    text: str
    dialogue: bool


_DOUBLE_QUOTED = re.compile(r'"([^"]{1,600})"')
# A single-quoted span: opens after a non-letter, closes before one ("'I'll go,' she said").
_SINGLE_QUOTED = re.compile(r"(?<![\w'])'(?=\S)(.{1,600}?)(?<=\S)'(?![\w'])", re.DOTALL)
_SCRIPT_LINE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z0-9 .'\-]{0,30}[A-Z0-9]|[A-Z][a-z]+)(?:[ \t]*\([^)\n]*\))?[ \t]*:"
    r"[ \t]*(\S.*)$",
    re.MULTILINE,
)
_NARRATION = re.compile(
    r"\b(?:said|says|say|asked|asks|replied|replies|answered|whispered|whispers|hissed|"
    r"snarled|growled|shouted|shouts|yelled|yells|screamed|screams|muttered|mutters|"
    r"murmured|spat|roared|warned|warns|told|tells|cried|called|sneered|barked|snapped|"
    r"declared|cackled|laughed|sobbed|hissed|pleaded|begged|added|continued|insisted|"
    r"threatened|vowed|promised|chanted|wrote|reads|read|he|she|they|his|her|him|them|"
    r"their|its|was|were|had|the [a-z]+'s|character|villain|hero|narrator|scene|story|"
    r"novel|chapter|film|script)\b",
    re.IGNORECASE,
)
_SCRIPT_CONTEXTS = frozenset({"script", "scene", "segment", "continuation", "screenplay"})


def split_units(text: str, *, context: str = "") -> list[Unit]:
    """Cut `text` into narration and framed dialogue; text with no frame is one unit."""
    text = text.translate(_CONFUSABLES)  # one form for quotes before looking for them
    lines = list(_SCRIPT_LINE.finditer(text))
    if lines and (len(lines) >= 2 or context in _SCRIPT_CONTEXTS):
        speech = [Unit(m.group(1), dialogue=True) for m in lines]
        rest = _SCRIPT_LINE.sub("", text)
        return [Unit(rest, dialogue=False), *speech] if rest.strip() else speech
    spans: list[tuple[int, int]] = []
    for pattern in (_DOUBLE_QUOTED, _SINGLE_QUOTED):
        for match in pattern.finditer(text):
            if not any(match.start() < end and start < match.end() for start, end in spans):
                spans.append((match.start(), match.end()))
    if not spans:
        return [Unit(text, dialogue=False)]
    spans.sort()
    narration, quoted, last = [], [], 0
    for start, end in spans:
        narration.append(text[last:start])
        quoted.append(text[start + 1 : end - 1])
        last = end
    narration.append(text[last:])
    outside = " ".join(narration)
    if len(re.findall(r"[A-Za-z]+", outside)) >= 2 and _NARRATION.search(outside):
        return [Unit(outside, dialogue=False), *(Unit(q, dialogue=True) for q in quoted)]
    return [Unit(text, dialogue=False)]


_SENTENCE_END = re.compile(r"(?<=[.!?\n])(\s+)")
PASSAGE_CHARS = 400


def passages(text: str, *, size: int = PASSAGE_CHARS) -> list[str]:
    """Cut text into passages of whole sentences (and lines), about `size` characters each.

    Evidence is combined within a passage, not across a whole script, quotes are paired
    within it, and every pattern runs on short strings, so no input can make the rules slow.
    """
    if len(text) <= size:
        return [text]
    parts = _SENTENCE_END.split(text)  # sentence, separator, sentence, ...
    pieces: list[tuple[str, str]] = []
    for index in range(0, len(parts), 2):
        sentence = parts[index]
        separator = "\n" if index + 1 < len(parts) and "\n" in parts[index + 1] else " "
        while len(sentence) > size:  # one endless "sentence": cut at a space near the limit
            cut = sentence.rfind(" ", size // 2, size)
            cut = cut if cut > 0 else size
            pieces.append((sentence[:cut], " "))
            sentence = sentence[cut:]
        pieces.append((sentence, separator))
    chunks: list[str] = []
    current = ""
    for sentence, separator in pieces:
        if current and len(current) + len(sentence) > size:
            chunks.append(current)
            current = ""
        current += sentence + separator
    if current.strip():
        chunks.append(current)
    return chunks
