"""Small English helpers for the rule writer and the script breakdown: tokens, sentences, verbs.

Tokens are counted the way `count_tokens` documents, the same for every writer, so a
`maxTokens` limit means one thing whichever writer honours it. Verb inflection covers
regular verbs and a table of common irregular ones; it is good enough for prompts like
"a robot who learns to feel emotions", not a grammar of English.
"""
# Typographic apostrophes and quotes are matched on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import re

# A token is a word (letters or digits, with inner apostrophes or hyphens: "wasn't",
# "sci-fi"), or one punctuation mark. Close to what LLM tokenizers count for plain English
# prose (they split rarer words further), and exactly reproducible.
TOKEN_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]|_")
WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def count_tokens(text: str) -> int:
    """Tokens in `text`: words and punctuation marks, each one token (see TOKEN_RE)."""
    return sum(1 for _ in TOKEN_RE.finditer(text))


def truncate_tokens(text: str, limit: int) -> str:
    """The longest prefix of `text` holding at most `limit` tokens, cut at a token's end."""
    if limit <= 0:
        return ""
    for i, match in enumerate(TOKEN_RE.finditer(text), start=1):
        if i == limit:
            return text[: match.end()]
    return text


def count_words(text: str) -> int:
    return sum(1 for _ in WORD_RE.finditer(text))


_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Capt.", "Lt.", "Sgt.", "Prof.", "vs.")
_SENTENCE_END = re.compile(r"""(?<=[.!?…])["'”’)]*\s+(?=["'“‘(]?[A-Z0-9])""")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph: ends at . ! ? … before a capital, abbreviations kept whole."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if candidate.endswith(_ABBREVIATIONS):
            continue
        end = match.end()
        sentences.append(text[start:end].strip())
        start = end
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str) -> str:
    """`text` as a sentence: first letter capital, ending in a full stop unless it has one."""
    text = text.strip()
    if not text:
        return text
    text = capitalise(text)
    return text if text[-1] in ".!?…\"'”’" else text + "."


def title_case(text: str) -> str:
    small = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with"}
    words = text.split()
    return " ".join(w if (i and w.lower() in small) else capitalise(w) for i, w in enumerate(words))


def join_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def indefinite(noun_phrase: str) -> str:
    article = "an" if noun_phrase[:1].lower() in "aeiou" else "a"
    return f"{article} {noun_phrase}"


# Irregular verbs: base -> (past, past participle). Regular ones follow the spelling rules.
IRREGULAR: dict[str, tuple[str, str]] = {
    "be": ("was", "been"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "go": ("went", "gone"),
    "become": ("became", "become"),
    "begin": ("began", "begun"),
    "break": ("broke", "broken"),
    "bring": ("brought", "brought"),
    "build": ("built", "built"),
    "buy": ("bought", "bought"),
    "catch": ("caught", "caught"),
    "choose": ("chose", "chosen"),
    "come": ("came", "come"),
    "dig": ("dug", "dug"),
    "draw": ("drew", "drawn"),
    "dream": ("dreamed", "dreamed"),
    "drink": ("drank", "drunk"),
    "drive": ("drove", "driven"),
    "eat": ("ate", "eaten"),
    "fall": ("fell", "fallen"),
    "feel": ("felt", "felt"),
    "fight": ("fought", "fought"),
    "find": ("found", "found"),
    "fly": ("flew", "flown"),
    "forget": ("forgot", "forgotten"),
    "forgive": ("forgave", "forgiven"),
    "freeze": ("froze", "frozen"),
    "get": ("got", "got"),
    "give": ("gave", "given"),
    "grow": ("grew", "grown"),
    "hear": ("heard", "heard"),
    "hide": ("hid", "hidden"),
    "hold": ("held", "held"),
    "keep": ("kept", "kept"),
    "know": ("knew", "known"),
    "lead": ("led", "led"),
    "leave": ("left", "left"),
    "lose": ("lost", "lost"),
    "make": ("made", "made"),
    "mean": ("meant", "meant"),
    "meet": ("met", "met"),
    "pay": ("paid", "paid"),
    "read": ("read", "read"),
    "ride": ("rode", "ridden"),
    "ring": ("rang", "rung"),
    "rise": ("rose", "risen"),
    "run": ("ran", "run"),
    "say": ("said", "said"),
    "see": ("saw", "seen"),
    "seek": ("sought", "sought"),
    "sell": ("sold", "sold"),
    "send": ("sent", "sent"),
    "shake": ("shook", "shaken"),
    "shine": ("shone", "shone"),
    "sing": ("sang", "sung"),
    "sink": ("sank", "sunk"),
    "sit": ("sat", "sat"),
    "sleep": ("slept", "slept"),
    "speak": ("spoke", "spoken"),
    "spend": ("spent", "spent"),
    "stand": ("stood", "stood"),
    "steal": ("stole", "stolen"),
    "swim": ("swam", "swum"),
    "take": ("took", "taken"),
    "teach": ("taught", "taught"),
    "tell": ("told", "told"),
    "think": ("thought", "thought"),
    "throw": ("threw", "thrown"),
    "understand": ("understood", "understood"),
    "wake": ("woke", "woken"),
    "wear": ("wore", "worn"),
    "win": ("won", "won"),
    "write": ("wrote", "written"),
}
_MODALS = {
    "can": "be able to",
    "could": "be able to",
    "must": "have to",
    "will": "",
    "would": "",
    "should": "",
    "may": "",
    "might": "",
}
_VOWELS = "aeiou"


def _doubles_final_consonant(base: str) -> bool:
    # stop -> stopped, run -> running; short consonant-vowel-consonant words only.
    return (
        len(base) <= 4
        and len(base) >= 3
        and base[-1] not in _VOWELS + "wxy"
        and base[-2] in _VOWELS
        and base[-3] not in _VOWELS
    )


def base_form(verb: str) -> str:
    """learns -> learn, watches -> watch, flies -> fly, is -> be, has -> have."""
    v = verb.lower()
    if v in ("is", "are", "was", "were", "am"):
        return "be"
    if v in ("has", "had"):
        return "have"
    if v == "does":
        return "do"
    if v == "goes":
        return "go"
    if v.endswith("ies") and len(v) > 4:
        return v[:-3] + "y"
    if v.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return v[:-2]
    if v.endswith("s") and not v.endswith("ss"):
        return v[:-1]
    return v


def past(base: str) -> str:
    if base in IRREGULAR:
        return IRREGULAR[base][0]
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        return base[:-1] + "ied"
    if _doubles_final_consonant(base):
        return base + base[-1] + "ed"
    return base + "ed"


def participle(base: str) -> str:
    return IRREGULAR[base][1] if base in IRREGULAR else past(base)


def gerund(base: str) -> str:
    if base in ("be", "see", "flee", "agree"):
        return base + "ing"
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith("ee"):
        return base[:-1] + "ing"
    if _doubles_final_consonant(base):
        return base + base[-1] + "ing"
    return base + "ing"


def present_third(base: str) -> str:
    if base == "be":
        return "is"
    if base == "have":
        return "has"
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        return base + "es"
    if base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
        return base[:-1] + "ies"
    return base + "s"


class VerbPhrase:
    """A verb phrase held by its head verb, so it can be said in every tense the writer uses.

    Built from a third-person clause ("learns to feel emotions", "can fly", "doesn't believe
    in magic"): `base` "learn to feel emotions", `past` "learned to feel emotions", `gerund`
    "learning to feel emotions", `present` "learns to feel emotions". Only the head verb is
    inflected ("learns to cook and travels" keeps its second verb as written).
    """

    def __init__(self, clause: str) -> None:
        words = clause.split()
        self.negative = False
        first = words[0].lower()
        if first in ("doesn't", "don't") or (
            first in ("does", "do") and len(words) > 2 and words[1].lower() == "not"
        ):
            self.negative = True
            words = words[1:] if first.endswith("n't") else words[2:]
            self.verb = words[0].lower()
        elif first in _MODALS:
            replacement = _MODALS[first]
            words = replacement.split() + words[1:] if replacement else words[1:]
            self.verb = words[0].lower()
        else:
            self.verb = base_form(words[0])
        self.rest = " ".join(words[1:])

    def _with(self, head: str) -> str:
        return f"{head} {self.rest}".strip()

    @property
    def base(self) -> str:
        return self._with(("not " if self.negative else "") + self.verb)

    @property
    def past(self) -> str:
        if self.negative:
            return self._with(f"did not {self.verb}")
        return self._with(past(self.verb))

    @property
    def past_plural(self) -> str:
        return self._with("were") if self.verb == "be" and not self.negative else self.past

    @property
    def gerund(self) -> str:
        return self._with(("not " if self.negative else "") + gerund(self.verb))

    @property
    def present(self) -> str:
        if self.negative:
            return self._with(f"does not {self.verb}")
        return self._with(present_third(self.verb))
