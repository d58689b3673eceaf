"""Small English word tools the continuity reader shares: lemmas, negation, hypotheticals.

Deliberately dictionary-light: a lemma is what the verb's written forms say it is (the
irregular table of `storytext.english` plus the regular suffixes), and the word
classes here are the ones the checks need, not a thesaurus.
"""
# ruff: noqa: RUF001

from __future__ import annotations

import re
from functools import cache

from storytext import english

WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

_IRREGULAR_BACK: dict[str, str] = {}
for _base, (_past, _participle) in english.IRREGULAR.items():
    _IRREGULAR_BACK.setdefault(_past, _base)
    _IRREGULAR_BACK.setdefault(_participle, _base)
_IRREGULAR_BACK.update(
    {
        "lit": "light", "woke": "wake", "woken": "wake", "brought": "bring", "ate": "eat",
        "eaten": "eat", "flew": "fly", "flown": "fly", "grew": "grow", "grown": "grow",
        "swam": "swim", "rode": "ride", "ridden": "ride", "strode": "stride", "struck": "strike",
        "crept": "creep", "slid": "slide", "bit": "bite", "bitten": "bite", "spoke": "speak",
        "spoken": "speak", "fought": "fight", "caught": "catch", "held": "hold", "left": "leave",
        "stood": "stand", "sat": "sit", "knelt": "kneel", "lay": "lie", "fell": "fall",
        "fallen": "fall", "drove": "drive", "driven": "drive", "ran": "run", "rose": "rise",
        "risen": "rise", "threw": "throw", "thrown": "throw", "wore": "wear", "worn": "wear",
        "hung": "hang", "shook": "shake", "took": "take", "taken": "take", "came": "come",
        "went": "go", "gone": "go", "saw": "see", "seen": "see", "gave": "give", "given": "give",
        "told": "tell", "said": "say", "made": "make", "got": "get", "felt": "feel",
        "kept": "keep", "sang": "sing", "sung": "sing", "began": "begin", "begun": "begin",
        "cast": "cast", "put": "put", "cut": "cut", "hit": "hit", "shut": "shut", "set": "set",
        "carried": "carry", "died": "die", "lying": "lie", "dying": "die", "bent": "bend",
        "leapt": "leap", "swept": "sweep", "wept": "weep", "slept": "sleep", "lent": "lend",
        "sent": "send", "spent": "spend", "built": "build", "dealt": "deal", "meant": "mean",
        "led": "lead", "fed": "feed", "fled": "flee", "bled": "bleed", "sped": "speed",
        "stuck": "stick", "swung": "swing", "clung": "cling",
        "found": "find", "dug": "dig",
        "spun": "spin", "won": "win", "hid": "hide", "shone": "shine", "tore": "tear",
        "bore": "bear", "drew": "draw", "knew": "know", "blew": "blow",
        "sought": "seek", "bought": "buy", "taught": "teach", "thought": "think",
        "limped": "limp",
    }
)  # fmt: skip


@cache
def lemma(word: str) -> str:
    """ "crossed" -> "cross", "woken" -> "wake", "fires" -> "fire" (a best guess, no POS)."""
    w = word.lower().strip("'’")
    if w in _IRREGULAR_BACK:
        return _IRREGULAR_BACK[w]
    if len(w) <= 3:
        return w
    if w.endswith("ied") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ed") and len(w) > 4:
        stem = w[:-2]
        if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
            return stem[:-1]  # stopped -> stop
        return stem  # "raised" -> "rais": `stem` drops a final "e" so "raise" meets it
    if w.endswith("ing") and len(w) > 5:
        stem = w[:-3]
        if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
            return stem[:-1]
        return stem
    return english.base_form(w)


def _split(text: str) -> set[str]:
    return set(text.split())


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def lemmas(text: str) -> list[str]:
    return [lemma(w) for w in WORD.findall(text)]


def stem(word: str) -> str:
    """A coarse key for nouns and verbs alike: "stapler" and "staplers" and "stapled" differ,
    "foxes" and "fox" do not."""
    w = lemma(word)
    if w.endswith("es") and len(w) > 4 and w[-3] in "sxz":
        w = w[:-2]
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


STOP = _split(
    """
    a an the of to in on at for with from by and or but its their his her our my your no not
    any all one can may must be is are was were been being have has had do does did will would
    shall should could might this that these those there here it they them he she we you i
    every each some such than then so as into onto upon over under through across about never
    ever only just also very much more most less own same other again still yet up down out off
    away back who whom whose which what when where while whoever whatever anyone anybody nobody
    someone everyone everybody nothing something everything none
    """
)


def content(text: str) -> list[str]:
    """The content words of `text`, as stems, in order."""
    return [stem(w) for w in WORD.findall(text) if w.lower() not in STOP and len(w) > 2]


NEGATION = re.compile(
    r"\b(?:not|never|no longer|nothing|nobody|no one|none|neither|nor|cannot|can't|couldn't|"
    r"didn't|don't|doesn't|won't|wouldn't|wasn't|weren't|isn't|aren't|hasn't|haven't|hadn't|"
    r"failed to|refused to|without success|in vain)\b|\bn['’]t\b",
    re.I,
)
HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|whether|would|could|might|should|may|wanted to|wants to|tried to|tries to|"
    r"meant to|about to|going to|planned|plans|hoped|hopes|wished|wishes|imagined|imagines|"
    r"dreamed|dreamt|feared|fears|almost|nearly|pretended|threatened|swore|claimed|rumou?red|"
    r"asked whether|asked if|what would|suppose|supposed|maybe|perhaps|as if|as though|"
    r"reminded|warned|explained|knew that|know that|learns|learned that|told (?:him|her|them|"
    r"us|me) (?:that|how|about)|said that|says that)\b",
    re.I,
)
GENERIC_MODAL = re.compile(
    r"\b(?:can|cannot|can't|may|may not|must|must not|mustn't|never|always|no one|nobody|"
    r"nothing|whoever|allowed|forbidden|rule|law)\b",
    re.I,
)
