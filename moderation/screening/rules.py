"""The offline screen: curated term lists, obfuscation undone, and rules that read context.

Every rule adds a piece of evidence (a category, a weight in 0-1, a message, the matched
words); a category's score combines its evidence as independent signals (noisy-or:
1 - Π(1 - w)). What a rule matches inside quoted dialogue framed by narration ("'I'll kill
you,' he snarled") weighs a third as much, so fiction's threats and insults stay fiction;
sexual content involving minors and weapon instructions weigh the same everywhere.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from moderation.screening import terms as t
from moderation.screening.normalize import (
    Lexicon,
    Unit,
    fold,
    passages,
    split_units,
    variants,
)
from moderation.screening.result import CATEGORIES, Evidence, Reason

# How much a rule's evidence counts inside framed dialogue, per kind of rule.
DIALOGUE = 0.35
HATE_IN_DIALOGUE = 0.5
# How much hate-speech evidence counts in a text that reports on hate (history, analysis).
REPORTING = 0.4


def _alt(items: Iterable[str]) -> str:
    return "(?:" + "|".join(items) + ")"


def _words(pattern: str) -> re.Pattern[str]:
    """A pattern matched between word boundaries (letters and digits; @ starts a mention)."""
    return re.compile(rf"(?<![a-z0-9@])(?:{pattern})(?![a-z0-9])")


@dataclass(frozen=True)
class Rule:
    """A pattern that, where it matches, is evidence of a category."""

    name: str
    category: str
    pattern: re.Pattern[str]
    weight: float
    message: str
    in_dialogue: float = DIALOGUE


@dataclass(frozen=True)
class Hit:
    """One piece of evidence: its weight as matched, and the factor of where it was found."""

    category: str
    weight: float
    factor: float
    message: str
    excerpt: str
    unit: int  # the passage (a unit of one passage, or the passage's spam signals)


class _Add(Protocol):
    """The evidence collector the screening steps are given."""

    def __call__(
        self, category: str, weight: float, message: str, excerpt: str, factor: float = 1.0
    ) -> None: ...


_W = r"(?:[\w'@-]+,? )"  # one word and the space after it, in a pattern's gap

_RULES: list[Rule] = [
    # --- harassment -----------------------------------------------------------------------
    Rule(
        "suicide_bait",
        "harassment",
        _words(_alt(t.SUICIDE_BAIT)),
        0.9,
        "Tells someone to kill or hurt themselves, or wishes them dead",
    ),
    Rule(
        "threat",
        "harassment",
        _words(
            rf"{t.I_WILL} {_W}{{0,4}}?{t.THREAT_VERBS} (?:{_W}{{0,1}})?"
            rf"(?:you|u|ya|your (?:family|kids|wife|husband|mother|mom|dog|face|neck|legs|"
            rf"head|bones|teeth|jaw|skull|arms|nose|fingers))"
        ),
        0.85,
        "Threatens a person with violence",
    ),
    Rule(
        "soft_threat",
        "harassment",
        _words(rf"{t.I_WILL} {_W}{{0,2}}?{t.SOFT_THREAT_VERBS} (?:you|u)(?= *(?:$|[.!?,;]| and))"),
        0.5,
        "Threatens a person",
    ),
    Rule("threat_phrase", "harassment", _words(_alt(t.THREATS)), 0.8, "Threatens a person"),
    Rule(
        "insult",
        "harassment",
        _words(rf"{t.YOU_ARE} (?:{t.FILLER} ){{0,4}}{_alt(t.INSULTS)}"),
        0.6,
        "Insults the person it addresses",
    ),
    Rule(
        "severe_insult",
        "harassment",
        _words(rf"{t.YOU_ARE} (?:{t.FILLER} ){{0,4}}{_alt(t.SEVERE_INSULTS)}"),
        0.8,
        "Abuses the person it addresses",
    ),
    Rule(
        "you_are_nothing",
        "harassment",
        _words(rf"{t.YOU_ARE} (?:a |just |absolutely )?(?:nothing|nobody)(?= *(?:$|[.!?,;]| and))"),
        0.6,
        "Insults the person it addresses",
    ),
    Rule(
        "superlative_insult",
        "harassment",
        _words(rf"{t.YOU_ARE} (?:the |a )?{t.SUPERLATIVE_INSULTS}"),
        0.6,
        "Insults the person it addresses",
    ),
    Rule(
        "trailing_vocative",
        "harassment",
        _words(
            rf"(?:you|your|ur)\b[^.!?\n]{{0,120}}, (?:you )?(?:(?:little|stupid|fat|ugly|pathetic|"
            rf"worthless|absolute|total|complete|fucking|dumb|utter) ){{0,2}}"
            rf"{_alt(t.INSULT_NOUNS)}"
            r"(?= *(?:$|[.!?]))"
        ),
        0.5,
        "Calls the person it addresses names",
    ),
    Rule(
        "vocative",
        "harassment",
        _words(
            rf"(?:you|u) (?:{t.FILLER} ){{0,3}}{_alt(t.INSULT_NOUNS + t.SEVERE_INSULTS)}"
            r"(?! (?:me|him|her|them|us|out|on|up)\b)"
        ),
        0.6,
        "Calls the person it addresses names",
    ),
    Rule(
        "vocative_adjective",
        "harassment",
        _words(rf"(?:you|u) {t.INSULT_ADJECTIVES}(?= *(?:$|[.!?,;]))"),
        0.5,
        "Calls the person it addresses names",
    ),
    Rule(
        "target_insult",
        "harassment",
        _words(
            rf"{t.PLATFORM_TARGET} (?:is|are) (?:{t.FILLER} ){{0,4}}"
            rf"{_alt(t.INSULTS + t.SEVERE_INSULTS)}"
        ),
        0.6,
        "Insults a member of the community",
    ),
    Rule(
        "hostile",
        "harassment",
        _words(_alt(t.HOSTILE_SENTENCES)),
        0.45,
        "Hostile remark aimed at a person",
    ),
    # --- hate_speech ---------------------------------------------------------------------
    Rule("slur", "hate_speech", _words(_alt(t.SLURS)), 0.9, "Uses a slur", HATE_IN_DIALOGUE),
    Rule(
        "ambiguous_slur",
        "hate_speech",
        _words(_alt(t.AMBIGUOUS_SLURS)),
        0.45,
        "Uses a word that is often a slur",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "dehumanising",
        "hate_speech",
        _words(
            rf"(?<!my )(?<!our )(?<!his )(?<!her )(?<!their )(?<!your )"
            rf"(?:all )?{t.GROUPS} (?:are|r|is) (?:all |just |nothing but |like |literally "
            rf"|no better than |worse than |a bunch of )*{t.DEHUMANISING}"
        ),
        0.85,
        "Dehumanises a protected group",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "eliminationist",
        "hate_speech",
        _words(
            rf"(?:(?:all|every|the|those|these) )?{t.GROUPS} (?:should|must|need to|needs to|"
            rf"deserve to|ought to|have to|will|shall) (?:all )?(?:never )?{t.ELIMINATION}"
        ),
        0.9,
        "Calls for harm to a protected group",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "kill_group",
        "hate_speech",
        _words(
            rf"(?:kill|gas|exterminate|shoot|hang|lynch|deport|burn|nuke|eradicate|"
            rf"wipe out|get rid of) (?:all )?(?:of )?(?:the |those |these )?{t.GROUPS}"
        ),
        0.9,
        "Calls for harm to a protected group",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "death_to",
        "hate_speech",
        _words(rf"death to (?:all )?(?:the )?{t.GROUPS}"),
        0.9,
        "Calls for harm to a protected group",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "no_rights",
        "hate_speech",
        _words(
            rf"{t.GROUPS} (?:don'?t|do not|dont|shouldn'?t|should not) (?:deserve|have|get) "
            r"(?:to live|rights|to exist|to breathe|human rights)"
        ),
        0.85,
        "Denies a protected group's rights",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "hate_group",
        "hate_speech",
        _words(rf"i (?:hate|despise) (?:all )?(?:the )?{t.GROUPS}"),
        0.6,
        "Expresses hatred of a protected group",
        HATE_IN_DIALOGUE,
    ),
    Rule(
        "go_back",
        "hate_speech",
        _words(r"go back to (?:your|ur) (?:own )?(?:country|land)"),
        0.45,
        "Tells someone to leave the country",
        HATE_IN_DIALOGUE,
    ),
    # --- violence ------------------------------------------------------------------------
    Rule(
        "weapon_instructions",
        "violence",
        _words(rf"{t.INSTRUCTION_CUE} {_W}{{0,4}}?{t.MAKE_VERBS} {_W}{{0,4}}?{t.WEAPONS}"),
        0.9,
        "Asks for or gives instructions to make a weapon",
        1.0,
    ),
    Rule(
        "weapon_use",
        "violence",
        _words(
            rf"{t.INSTRUCTION_CUE} {_W}{{0,3}}?(?:use|detonate|deploy|plant|hide|smuggle) "
            rf"{_W}{{0,3}}?{t.WEAPONS}"
        ),
        0.7,
        "Asks for or gives instructions to use a weapon",
        1.0,
    ),
    Rule(
        "harm_instructions",
        "violence",
        _words(
            rf"{t.INSTRUCTION_CUE} {_W}{{0,2}}?{t.HARM_VERBS} {t.VICTIMS}(?! off)"
            r"(?: \w+){0,4}(?: without (?:getting caught|being caught|a trace|leaving a "
            r"trace|anyone knowing))?"
        ),
        0.75,
        "Asks how to hurt or kill a person",
        1.0,
    ),
    Rule(
        "mass_violence",
        "violence",
        _words(rf"(?:{t.I_WILL}|{t.INCITE}) {_W}{{0,3}}?{t.MASS_VERBS} {t.PLACES}"),
        0.9,
        "Plans or incites an attack on a place or crowd",
    ),
    Rule(
        "incite_killing",
        "violence",
        _words(
            rf"(?:{t.I_WILL}|{t.INCITE}) {_W}{{0,6}}?(?:kill|shoot|stab|slaughter|massacre|"
            r"murder) (?:as many|them all|all of them|every (?:last )?one of them|everyone|"
            r"every one)"
        ),
        0.85,
        "Incites killing",
    ),
    # --- self_harm -----------------------------------------------------------------------
    Rule(
        "self_harm_means",
        "self_harm",
        _words(
            rf"(?:{t.INSTRUCTION_CUE}|(?:the )?(?:most |least )?(?:painless|quickest|fastest|"
            rf"easiest|surest|simplest|quietest) ways? to) {_W}{{0,4}}?"
            r"(?:kill myself|killing myself|end my life|commit suicide|hang myself|"
            r"cut myself|cutting myself|hurt myself|harm myself|slit my wrists|"
            r"starve myself|shoot myself|overdose|od)"
        ),
        0.85,
        "Asks for or gives ways to self-harm or suicide",
        1.0,
    ),
    Rule(
        "overdose_amount",
        "self_harm",
        _words(
            r"how (?:many|much) (?:\w+ ){0,6}?(?:to |and )?(?:overdose|od|die|not wake up|"
            r"kill myself|end it)"
        ),
        0.85,
        "Asks for a lethal dose",
        1.0,
    ),
    Rule(
        "self_harm_mix",
        "self_harm",
        _words(
            r"(?:mix|take|use|buy|drink|swallow|combine|need) (?:\w+ ){0,4}?to "
            r"(?:commit suicide|kill myself|end my life|overdose)"
        ),
        0.8,
        "Asks for means of suicide",
        1.0,
    ),
    Rule(
        "self_harm_intent",
        "self_harm",
        _words(
            rf"{t.SELF_INTENT} (?:\w+ ){{0,2}}?(?:kill myself|end my life|end it all|"
            r"commit suicide|hang myself|cut myself|hurt myself|slit my wrists|overdose|"
            r"shoot myself|jump off (?:a|the) (?:bridge|building|roof))"
        ),
        0.8,
        "Expresses intent to self-harm or die by suicide",
    ),
    Rule(
        "wish_to_die",
        "self_harm",
        _words(
            rf"{t.SELF_INTENT} die(?! (?:laughing|of|happy|for|when|if|on|alone|in (?:a|the) "
            r"(?:game|movie|story|film)|trying|before))|i wish i (?:was|were) dead"
        ),
        0.6,
        "Expresses a wish to die",
    ),
    Rule(
        "self_harm_promotion",
        "self_harm",
        _words(_alt(t.SELF_HARM_PROMOTION)),
        0.8,
        "Encourages self-harm or eating disorders",
        0.5,
    ),
    # --- sexual_content ------------------------------------------------------------------
    Rule(
        "sexual_explicit",
        "sexual_content",
        _words(_alt(t.SEXUAL_STRONG)),
        0.8,
        "Explicit sexual content",
        1.0,
    ),
    Rule(
        "sexual_possessive",
        "sexual_content",
        _words(
            r"(?:her|his|my|your|their) (?:wet |hard |big |tight |throbbing |little )?"
            r"(?:cocks?|dicks?|puss(?:y|ies)|clit|tits|boobs|penis|vagina|nipples?)"
        ),
        0.5,
        "Sexual description",
        1.0,
    ),
    # --- copyright_violation ---------------------------------------------------------------
    Rule(
        "verbatim",
        "copyright_violation",
        _words(
            rf"{t.VERBATIM} (?:[\w:',-]+ ){{0,8}}?{t.WORKS}|{t.WORKS} (?:[\w:',-]+ ){{0,8}}?"
            rf"{t.VERBATIM}"
        ),
        0.8,
        "Asks to reproduce a work verbatim",
        1.0,
    ),
    Rule(
        "full_lyrics",
        "copyright_violation",
        _words(r"(?:full|complete|entire|whole|all the) (?:song )?lyrics (?:of|to|from|for)"),
        0.75,
        "Asks for the full lyrics of a song",
        1.0,
    ),
    Rule(
        "reproduce_work",
        "copyright_violation",
        _words(
            r"(?:paste|copy|reproduce|post|print|write out|type out|transcribe|give me) "
            r"(?:\w+ ){0,3}?(?:full|complete|entire|whole) (?:text|lyrics|script|screenplay|"
            r"chapter|book|novel|transcript)s? (?:of|from|to)(?! my\b| our\b)"
        ),
        0.7,
        "Asks to reproduce a work in full",
        1.0,
    ),
    Rule(
        "piracy",
        "copyright_violation",
        _words(_alt(t.PIRACY)),
        0.5,
        "Piracy or unauthorised copies",
        1.0,
    ),
]

_PILING_RULES = frozenset(
    {
        "insult",
        "severe_insult",
        "you_are_nothing",
        "vocative",
        "vocative_adjective",
        "target_insult",
        "superlative_insult",
    }
)
_INSULT_WORD = _words(
    _alt([*t.INSULTS, *t.SEVERE_INSULTS, *t.INSULT_NOUNS, r"fucking|fuckin|fking|lying|filthy"])
)
_SEXUAL_MEDIUM = _words(_alt(t.SEXUAL_MEDIUM))
_SEXUAL_AMBIGUOUS = _words(_alt(t.SEXUAL_AMBIGUOUS))
_SEXUAL_SAFE = _words(t.SEXUAL_SAFE)
_SEXUAL_STRONG = _words(_alt(t.SEXUAL_STRONG))
_SEXUAL_POSSESSIVE = next(r.pattern for r in _RULES if r.name == "sexual_possessive")
_NUDITY = _words(r"naked|nude|nudes|nudity|topless|undress\w*|strip(?:s|ped|ping)? (?:naked|off)")
_IMAGERY = _words(r"pics?|pictures?|photos?|images?|videos?|films?|show|generate|describe|draw|"
                  r"render|clips?|slowly")  # fmt: skip
_MINORS = _words(t.MINORS)
_TEENS = _words(t.TEENS)
_SEXUALISED_MINOR_TERMS = _words(r"loli|lolis|shota|jailbait")
_CSAM = _words(_alt(t.CSAM_TERMS))
_REPORTING = _words(t.REPORTING_CUES)
_SENTENCES = re.compile(r"[.!?;\n]+")
_MEDIUM_WEIGHTS = {"sex scene": 0.5, "have sex": 0.5, "having sex": 0.5, "had sex": 0.5,
                   "has sex": 0.5, "nsfw": 0.6, "sexual": 0.3, "sex": 0.3, "sexy": 0.3}  # fmt: skip

# Spam: links, contacts, promotions, repetition.
_LINK = re.compile(
    rf"https?://\S+|www\.\S+|(?<![\w@.])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*"
    rf"(?:\.|\[\.\]|\(\.\)| dot | \. ){t.TLDS}(?![a-z0-9])(?:/\S*)?"
)
_EMAIL = re.compile(rf"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.{t.TLDS}\b")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ().-]{7,}\d(?!\w)")
_STRONG_PROMO = _words(
    r"earn \$? ?\d+\w* (?:a|per|every) (?:day|week|hour|month)|earn \$ ?\d+|"
    r"free (?:followers|likes|views|v-?bucks|robux|gift ?cards?|iphone|money|bitcoin|crypto|"
    r"spins)|crypto (?:giveaway|signals|investment)|double your (?:money|bitcoin|crypto|btc)|"
    r"cheap (?:viagra|cialis|pills|followers|likes|meds|watches|rolex)|viagra|cialis|"
    r"replica (?:watches|bags|rolex)|loan approved|no credit check|online casino|"
    r"casino bonus|(?:discount|promo|coupon) code|\d+ ?% (?:off|bonus)|"
    r"(?:real|instant) followers|followers? for \$|make money (?:fast|online|from home|quick)|"
    r"work from home|no prescription|discreet shipping|make \$+ (?:fast|quick|online)|"
    r"crypto (?:trading )?bots?|guaranteed (?:returns|profits?|income)|hot singles"
)
_WEAK_PROMO = _words(_alt(t.PROMO))
_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "is",
        "are",
        "was",
        "were",
        "it",
        "i",
        "you",
        "he",
        "she",
        "they",
        "we",
        "my",
        "your",
        "his",
        "her",
        "their",
        "for",
        "with",
        "as",
        "that",
        "this",
        "be",
        "by",
        "not",
        "but",
        "so",
    ]
)


class RuleBackend:
    """The default screen: no network, no model, a few milliseconds per text."""

    name = "rules"

    def __init__(self) -> None:
        self.lexicon = _build_lexicon()

    def evaluate(self, texts: Sequence[str], *, context: str = "") -> list[Evidence]:
        return [self._evaluate_one(text, context=context) for text in texts]

    def _evaluate_one(self, text: str, *, context: str) -> Evidence:
        hits: dict[tuple[int, str, str], Hit] = {}
        passage_index = 0

        def add(
            category: str, weight: float, message: str, excerpt: str, factor: float = 1.0
        ) -> None:
            key = (passage_index, message, excerpt)
            if key not in hits or hits[key].weight * hits[key].factor < weight * factor:
                hits[key] = Hit(category, weight, factor, message, excerpt, passage_index)

        for passage in passages(text):
            # Each unit's normalised readings, read by the content rules and the spam rules.
            units = [
                (unit, variants(fold(unit.text), self.lexicon))
                for unit in split_units(passage, context=context)
            ]
            for unit, readings in units:
                passage_index += 1
                self._screen_unit(unit, readings, add)
            passage_index += 1
            self._screen_spam(passage, units, add)

        # Evidence from one passage at one factor is combined first and then scaled, so that
        # a villain's speech full of threats still weighs as one framed speech. A category's
        # score is its best passage's: weak signals scattered over a long script (a "naked"
        # in one scene, a "sexy" in another) do not add up to a rejection.
        groups: dict[tuple[int, str, float], float] = {}
        for hit in hits.values():
            key = (hit.unit, hit.category, hit.factor)
            groups[key] = groups.get(key, 1.0) * (1.0 - hit.weight)
        passage_miss: dict[tuple[int, str], float] = {}
        for (where, category, factor), miss in groups.items():
            place = (where, category)
            passage_miss[place] = passage_miss.get(place, 1.0) * (1.0 - factor * (1.0 - miss))
        scores = dict.fromkeys(CATEGORIES, 0.0)
        for (_, category), miss in passage_miss.items():
            scores[category] = max(scores[category], round(min(0.99, 1.0 - miss), 3))
        ordered = sorted(hits.values(), key=lambda h: (-h.weight * h.factor, h.category))
        reasons = [
            Reason(category=h.category, message=h.message, excerpt=h.excerpt) for h in ordered
        ]
        return Evidence(categories=scores, reasons=reasons)

    def _screen_unit(self, unit: Unit, readings: list[str], add: _Add) -> None:
        reporting = any(_REPORTING.search(r) for r in readings)
        for rule in _RULES:
            factor = rule.in_dialogue if unit.dialogue else 1.0
            if rule.category == "hate_speech" and reporting:
                factor *= REPORTING
            for reading in readings:
                for match in rule.pattern.finditer(reading):
                    add(rule.category, rule.weight, rule.message, _excerpt(match), factor)
                    if rule.name in _PILING_RULES:
                        self._pile_insults(reading, match.start(), factor, add)
        for reading in readings:
            self._screen_sexual(_SEXUAL_SAFE.sub(" ", reading), add)

    def _pile_insults(self, reading: str, start: int, factor: float, add: _Add) -> None:
        """Every further insult in the sentence aimed at someone adds evidence."""
        end = _SENTENCES.search(reading, start)
        sentence = reading[start : end.start() if end else len(reading)]
        words = dict.fromkeys(m.group(0) for m in _INSULT_WORD.finditer(sentence))
        for word in list(words)[1:]:
            add("harassment", 0.4, "Piles insults on the person it addresses", word, factor)

    def _screen_sexual(self, reading: str, add: _Add) -> None:
        for match in _SEXUAL_MEDIUM.finditer(reading):
            word = match.group(0)
            weight = _MEDIUM_WEIGHTS.get(
                word, 0.5 if "erotic" in word or "orgasm" in word else 0.35
            )
            add("sexual_content", weight, "Sexual content", word)
        possessive = [m.span() for m in _SEXUAL_POSSESSIVE.finditer(reading)]
        evident = bool(
            _SEXUAL_STRONG.search(reading) or _SEXUAL_MEDIUM.search(reading) or possessive
        )
        if evident:
            for match in _SEXUAL_AMBIGUOUS.finditer(reading):
                if not any(a <= match.start() < b for a, b in possessive):
                    add("sexual_content", 0.4, "Sexual content", match.group(0))
        for match in _CSAM.finditer(reading):
            add("sexual_minors", 1.0, "Sexual content involving minors", match.group(0))
        for sentence in _SENTENCES.split(reading):
            minor = _MINORS.search(sentence)
            teen = _TEENS.search(sentence)
            if not (minor or teen):
                continue
            sexual = (
                _SEXUAL_STRONG.search(sentence)
                or _SEXUAL_POSSESSIVE.search(sentence)
                or _SEXUAL_MEDIUM.search(_NUDITY.sub(" ", sentence))
            )
            nudity = _NUDITY.search(sentence)
            sexualised = _SEXUALISED_MINOR_TERMS.search(sentence)
            excerpt = sentence.strip()[:80]
            if minor and (sexual or (sexualised and (nudity or evident))):
                add("sexual_minors", 0.95, "Sexual content involving minors", excerpt)
            elif minor and nudity and _IMAGERY.search(sentence):
                add("sexual_minors", 0.9, "Nudity involving minors", excerpt)
            elif teen and (sexual or nudity):
                add("sexual_minors", 0.5, "Sexual content that may involve minors", excerpt)

    def _screen_spam(self, text: str, units: list[tuple[Unit, list[str]]], add: _Add) -> None:
        folded = fold(text)
        links = {m.group(0) for m in _LINK.finditer(folded)}
        links |= {m.group(0) for m in _EMAIL.finditer(folded)}
        if links:
            weight = 0.3 if len(links) == 1 else 0.5 if len(links) == 2 else 0.75
            add("spam", weight, "Contains links", ", ".join(sorted(links))[:80])
        phone = _PHONE.search(folded)
        if phone:
            add("spam", 0.35, "Contains a phone number", phone.group(0))
        for unit, readings in units:
            factor = DIALOGUE if unit.dialogue else 1.0
            for reading in readings:
                for match in _STRONG_PROMO.finditer(reading):
                    add("spam", 0.45, "Promotional spam", _excerpt(match), factor)
                for match in _WEAK_PROMO.finditer(reading):
                    add("spam", 0.25, "Promotional wording", _excerpt(match), factor)
        if re.search(r"[!?]{3,}", text):
            add("spam", 0.15, "Excessive punctuation", "!!!")
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) >= 0.7:
            add("spam", 0.2, "Mostly capital letters", text[:40])
        words = re.findall(r"[a-z0-9']{2,}", variants(folded, self.lexicon)[0])
        self._screen_repetition(words, add)

    def _screen_repetition(self, words: list[str], add: _Add) -> None:
        if len(words) < 6:
            return
        longest, run, repeated = 1, 1, words[0]
        for previous, current in itertools.pairwise(words):
            run = run + 1 if current == previous else 1
            if run > longest:
                longest, repeated = run, current
        if longest >= 5:
            add("spam", 0.75, "Repeats a word over and over", repeated)
        elif longest >= 3:
            add("spam", 0.3, "Repeats a word", repeated)
        best, best_gram = 0.0, ""
        for size in (1, 2, 3, 4):
            grams = Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
            gram, count = grams.most_common(1)[0]
            if count < 3 or (size == 1 and gram[0] in _STOPWORDS):
                continue
            coverage = count * size / len(words)
            if coverage > best:
                best, best_gram = coverage, " ".join(gram)
        if best >= 0.4:
            add("spam", 0.8 if best >= 0.75 else 0.6, "Repeats the same words", best_gram)


def _excerpt(match: re.Match[str]) -> str:
    return match.group(0)[:80]


def _build_lexicon() -> Lexicon:
    sources: list[str] = [rule.pattern.pattern for rule in _RULES]
    sources += [
        t.YOU,
        t.YOU_ARE,
        t.I_WILL,
        t.GROUPS,
        t.DEHUMANISING,
        t.MINORS,
        t.TEENS,
        *t.PROMO,
        *t.SEXUAL_MEDIUM,
        *t.SEXUAL_AMBIGUOUS,
        *t.SEXUAL_STRONG,
        *t.CSAM_TERMS,
        *t.PIRACY,
        t.SEXUAL_SAFE,
        _STRONG_PROMO.pattern,
    ]
    words: set[str] = set(t.SENSITIVE_WORDS)
    for source in sources:
        for word in re.findall(r"[a-z]+(?:'[a-z]+)?", source.replace("\\s", " ")):
            words.add(word)
            if word.endswith("s") and len(word) > 3:
                words.add(word[:-1])
    sensitive = set(t.SENSITIVE_WORDS)
    for group in (t.INSULTS, t.SEVERE_INSULTS, t.SLURS, t.AMBIGUOUS_SLURS, t.SEXUAL_STRONG,
                  t.SEXUAL_AMBIGUOUS, t.INSULT_NOUNS):  # fmt: skip
        for item in group:
            for word in re.findall(r"[a-z]+", item):
                sensitive.add(word)
                if word.endswith("s") and len(word) > 3:
                    sensitive.add(word[:-1])
    # Regex escapes leave single letters ("s" of \s, "d" of \d): they are not words.
    return Lexicon(
        {w for w in words if len(w) > 1 or w in {"a", "i", "u"}},
        {w for w in sensitive if len(w) > 2},
    )
