"""World rules as structured constraints, and the sentences that break them.

A world rule is stored in the bible as the sentence the story states it in ("While the boat
runs silent, no one speaks above a whisper"). `parse_rule` reads it into a `Constraint`:

- who or what it binds (`subjects`: "radio", "fox"; `anyone` for "no one", "nobody"),
- the action it forbids (`action`: the verb's lemma and the words that say it happened, so
  "cross" is also "walked across", "waded"), its object ("the causeway", "a red stapler"),
- where it holds (`where`, with how: inside, outside, above, past), when it holds (`when`:
  "while the boat runs silent", "before landfall"; `window`: "between dusk and dawn"),
- its exception (`unless`: "without a red card"), a count ("more than twice"),
- or, for a rule that requires ("whoever eats a silver apple falls asleep"), the trigger and
  the consequence whose opposite breaks it.

`Checker` then walks a text's narration sentence by sentence, keeping the state the
conditions depend on (are we still inside the Quarter? has the night ended?), and reports a
sentence that does what a rule forbids, affirmatively (not negated, not hypothetical, not
reported speech, not the rule stated again). What it cannot see: a rule whose action is
described in words none of its classes know, and consequences told over several sentences.
"""
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from scenes.analysis import words as w

# --- vocabulary -----------------------------------------------------------------------------------

# Words that say an action happened, by the verb (lemma) a rule names. Stems (words.stem) and
# a few phrases; general English, not any one story's.
ACTIONS: dict[str, tuple[str, ...]] = {
    "cross": ("cross", "across", "ford", "wad", "swim", "swam", "splash"),
    "enter": ("enter", "into", "inside", "came in", "walked in", "went in", "strode in"),
    "leave": ("leave", "left", "out through", "out of", "beyond", "past the gate", "outside"),
    "exit": ("step out", "stepped out", "went out", "walked out", "outside", "out onto",
             "out into", "out on"),
    "past": ("past", "beyond", "cross", "through"),
    "above": ("above", "higher", "over the top", "up through", "atop", "top of"),
    "touch": ("touch", "pick", "grab", "take", "took", "hold", "held", "use", "move", "borrow",
              "lift", "handl", "snatch"),
    "eat": ("eat", "ate", "bite", "bit", "tast", "chew", "swallow", "spoonful", "devour",
            "munch", "nibbl", "gobbl"),
    "work": ("work", "lit up", "light up", "lights up", "answer", "ping", "connect", "sync",
             "flicker", "glow", "beep", "ring", "buzz", "display", "online", "came back to life",
             "on the radio", "call", "clear as"),
    "cast": ("cast", "spell", "charm", "conjur", "enchant", "magic", "glow", "hex", "incant"),
    "light": ("light", "lit", "ignit", "kindl", "strike", "struck", "match", "flame", "burn",
              "spark", "smok"),
    "wake": ("wak", "woke", "reviv", "thaw", "rous", "awaken", "sat up", "opened her eyes",
             "opened his eyes"),
    "grow": ("grow", "grew", "sprout", "bloom", "thriv", "flourish", "green", "ripen",
             "took root", "came up"),
    "fly": ("fly", "flew", "climb", "soar", "rise", "rose", "glid", "rac"),
    "speak_loud": ("shout", "bellow", "yell", "scream", "roar", "holler", "call out",
                   "called out", "loud", "cry out", "cried out", "sang", "sing", "laugh"),
    "go_dark": ("dark", "went out", "go out", "extinguish", "dous", "blew out", "blow out",
                "turn down", "turned down", "snuff"),
    "carry": ("carry", "strap", "hip", "holster", "sash", "belt", "armed", "wear", "wore",
              "bring", "brought", "still in", "still on", "in his hand", "in her hand",
              "with his", "with her"),
    "bring": ("bring", "brought", "carry", "took out", "take out", "pocket", "scroll",
              "in his hand", "in her hand", "with him", "with her", "with his", "still on",
              "still in", "on his belt", "on her belt", "strapped"),
    "dance": ("danc", "waltz", "cotillion", "reel", "quadrill", "took his hand",
              "took captain", "hand for"),
    "spar": ("spar", "round", "box", "fought"),
    "speak": ("speak", "spoke", "said", "talk", "whisper", "say"),
}  # fmt: skip
# A verb a rule may name, and the class above that says it happened.
VERB_CLASS = {
    "cross": "cross", "ford": "cross", "swim": "cross",
    "enter": "enter", "leave": "leave", "exit": "exit", "pass": "past",
    "touch": "touch", "use": "touch", "take": "touch", "handle": "touch",
    "eat": "eat", "drink": "eat", "taste": "eat",
    "work": "work", "function": "work", "reach": "work", "transmit": "work",
    "cast": "cast", "light": "light", "burn": "light", "kindle": "light",
    "wake": "wake", "woken": "wake", "awaken": "wake", "revive": "wake",
    "grow": "grow", "fly": "fly", "speak": "speak", "carry": "carry", "bring": "bring",
    "dance": "dance", "spar": "spar", "fight": "spar", "box": "spar",
}  # fmt: skip
# Weak verbs take their meaning from the preposition that follows ("gets into", "goes outside").
WEAK_VERBS = {"go", "get", "come", "be", "pass", "move", "walk", "set", "step", "travel"}
PREPOSITION_CLASS = {
    "into": "enter", "inside": "enter", "in": "enter", "within": "enter", "through": "past",
    "outside": "exit", "out": "exit", "past": "past", "beyond": "past", "across": "cross",
    "over": "cross", "above": "above", "higher": "above",
}  # fmt: skip
# Kinds of things a rule may name, and the words that mean one of them.
NOUN_CLASSES: dict[str, tuple[str, ...]] = {
    "gun": ("gun", "colt", "revolver", "pistol", "rifle", "shotgun", "iron", "six-shooter",
            "firearm", "winchester"),
    "sword": ("sword", "blade", "katana", "sabre", "saber", "dagger", "knife", "steel"),
    "weapon": ("weapon", "gun", "sword", "blade", "knife", "pistol", "rifle", "spear", "bow"),
    "flame": ("flame", "fire", "match", "lamp", "candl", "cigarett", "pipe", "torch", "lantern",
              "spark", "lighter"),
    "fire": ("fire", "flame", "match", "lamp", "candl", "torch", "lantern", "spark"),
    "phone": ("phone", "mobil", "smartphon", "cellphon", "devic", "handset"),
    "radio": ("radio", "transmitter", "comm", "hail", "call"),
    "implant": ("implant", "overlay", "neural", "link", "optic", "ping", "cyberwar", "chrome"),
    "spell": ("spell", "charm", "magic", "hex", "enchant", "incantat"),
    "magic": ("magic", "spell", "charm", "hex", "enchant"),
    "lamp": ("lamp", "light", "lantern", "beam", "wick"),
    "plant": ("plant", "seed", "seedl", "crop", "wheat", "bean", "flower", "tree"),
    "food": ("food", "pie", "cake", "bread", "fruit", "meat", "soup", "honey", "appl", "plum",
             "stew", "sweet", "biscuit", "pastry", "dumpling", "rice", "feast", "meal", "bite"),
    "ship": ("ship", "boat", "vessel", "trawler", "ferry", "barge", "schooner", "freighter",
             "tanker", "yacht", "sloop", "galleon", "submarin", "hauler", "craft", "skiff"),
    "boat": ("boat", "ship", "vessel", "trawler", "ferry", "barge", "skiff", "dinghy", "canoe"),
    "car": ("car", "truck", "van", "taxi", "cab", "bus", "lorry", "motorbik", "vehicl"),
    "nothing": ("plant", "seed", "seedl", "crop", "wheat", "bean", "flower"),
}  # fmt: skip
_NOUN_CLASS_BY_STEM = {w.stem(k): v for k, v in NOUN_CLASSES.items()}
MACHINES = {"rover", "ship", "hauler", "car", "truck", "drone", "probe", "station", "robot", "boat"}
PERSON_SUBJECTS = {
    "one", "body", "man", "woman", "person", "people", "villag", "fighter", "lady", "gentleman",
    "citizen", "walker", "soldier", "guest", "passenger", "crew", "child", "rider", "stranger",
    "pilgrim", "mortal", "human", "sailor", "student", "officer", "visitor", "member", "player",
    "trader", "merchant", "driver", "worker", "miner", "priest", "knight", "servant", "prisoner",
    "outsider", "foreigner", "girl", "boy", "men", "women", "hunter", "fisherman", "farmer",
    "thief", "customer", "patron", "employee", "staff", "pupil", "novice", "monk", "nun",
    "apprentice", "slave", "subject", "resident", "tenant", "traveller", "traveler", "worshipper",
}  # fmt: skip
# Leaving a place: the state "inside X" ends.
LEAVING = re.compile(
    r"\b(?:out of|left|leav\w*|outside|beyond|past|far side of|clear of|cleared|away from|"
    r"crossed the [\w-]+ line|walked out|once (?:they|we|he|she) (?:were|was) past)\b",
    re.I,
)
ENTERING = re.compile(r"\b(?:inside|within|into|deep in|in the heart of|entered|back in)\b", re.I)
ABSENCE = re.compile(
    r"\b(?:without|no|empty|bare[- ]?\w*|shirtsleeves|naked|tossed|took off|taken off|"
    r"left behind|forgot|unarmed|nothing)\b|\w+less\b",
    re.I,
)
CLAUSES = re.compile(r";|:|,\s+(?:and|but|so|yet|while|though)\s+|\s+but\s+|,\s+(?=nobody|no one)")
ORDINALS = re.compile(
    r"\b(?:third|fourth|fifth|sixth|three times|four times|five times|once more|yet again)\b",
    re.I,
)
TIME_TRANSITION = re.compile(
    r"^(?:at (?:dawn|first light|sunrise|daybreak|noon|midday)|the next|the following|by "
    r"(?:dawn|morning|noon|midday|six|seven|eight|nine|then)|(?:\w+ )?(?:hours?|days?|weeks?|"
    r"months?|years?) later|when (?:the sun rose|morning came|dawn came)|in the morning|"
    r"after (?:the|a|an|two|three|several|many)\b)",
    re.I,
)
OPPOSITES: dict[str, tuple[str, ...]] = {
    "asleep": ("awak", "woke", "stayed awake", "wide awake", "did not sleep", "never slept"),
    "sleep": ("awak", "woke", "stayed awake", "wide awake", "did not sleep", "never slept"),
    "die": ("alive", "surviv", "unharmed", "lived"),
    "dead": ("alive", "surviv", "unharmed", "lived"),
    "freez": ("unharmed", "warm", "unscathed"),
    "burn": ("unharmed", "unburn", "unscathed"),
    "turn": ("unchanged", "same as ever"),
}
PARTS_OF_DAY = ("dawn", "morning", "midday", "afternoon", "evening", "night")
WINDOWS = {
    "night": {"evening", "night"},
    "dark": {"evening", "night"},
    "sundown": {"evening", "night"},
    "dusk": {"evening", "night", "dawn"},
    "day": {"dawn", "morning", "midday", "afternoon"},
}


# --- the constraint -------------------------------------------------------------------------------


@dataclass
class Constraint:
    """One world rule, read into its parts (see the module docstring)."""

    text: str
    polarity: str = "forbidden"  # or "required"
    subjects: set[str] = field(default_factory=set)
    anyone: bool = False  # no one, nobody, nothing: any agent
    person: bool = False  # the agent must be a person (no one, nobody, no villager)
    passive: bool = False  # "no spell can be cast": the subject is what is acted on
    action: str = ""  # the verb's lemma
    action_class: str = ""
    objects: set[str] = field(default_factory=set)
    where: set[str] = field(default_factory=set)
    where_kind: str = ""  # inside, outside, above, past, on ...
    when: set[str] = field(default_factory=set)
    when_kind: str = ""  # while, when, before, until, after, between
    window: set[str] = field(default_factory=set)  # parts of day the rule holds in
    unless: set[str] = field(default_factory=set)
    count: int = 0  # "more than twice": 2
    consequence: set[str] = field(default_factory=set)  # required rules: what must follow
    context: set[str] = field(default_factory=set)  # the rule's elaboration's words

    def action_keys(self) -> tuple[str, ...]:
        keys = ACTIONS.get(self.action_class, ())
        return (*keys, w.stem(self.action)) if self.action else keys

    def described(self) -> str:
        parts = [f"forbids '{self.action}'" if self.polarity == "forbidden" else "requires"]
        if self.where:
            parts.append(f"{self.where_kind} {' '.join(sorted(self.where))}")
        return " ".join(parts)


_NEG_QUANT = r"(?:no one|nobody|nothing|none|no\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)??)"
_NEG_AUX = (
    r"(?:cannot|can not|can't|can never|may not|may never|must not|must never|mustn't|"
    r"shall not|shall never|will never|never|are never|is never|do not|does not|is not allowed"
    r" to|are not allowed to|are forbidden to|is forbidden to|are unable to|is unable to)"
)
_AUX = r"(?:can|may|must|shall|will|is allowed to|are allowed to|is able to|are able to|ever)"
PASSIVE_AUX = {"is", "are", "be", "been", "get", "gets"}
LEAD_CONDITION = re.compile(
    r"^(?P<kind>when|while|whenever|once|after|before|until|as long as|during)\s+"
    r"(?P<cond>.+?),?\s+(?=" + _NEG_QUANT + r"\s|whoever\s)",
    re.I,
)
LEAD_COMMA_CONDITION = re.compile(
    r"^(?P<kind>when|while|whenever|once|after|before|until|as long as|during)\s+(?P<cond>[^,]+),"
    r"\s*(?P<rest>.+)$",
    re.I,
)
LEAD_PLACE = re.compile(
    r"^(?P<kind>inside|within|in|on|aboard|outside|beyond|above|below|at)\s+(?P<place>[^,]+?),?"
    r"\s+(?=" + _NEG_QUANT + r"\s|whoever\s|the\s|\w+s\s)",
    re.I,
)
QUANTIFIED = re.compile(
    rf"^(?P<subj>{_NEG_QUANT})(?:\s+and\s+(?P<subj2>{_NEG_QUANT}))?"
    rf"(?:\s+(?:in|to|of|on|at|from|with|inside|outside)\s+(?:the\s+)?[\w'’-]+)?\s+"
    rf"(?:(?P<aux>{_AUX}|{_NEG_AUX})\s+(?P<be>(?:be|is|are|gets?)\s+)?(?P<verb>[a-z][\w-]*)|"
    rf"(?P<be2>(?:is|are|gets?)\s+)(?P<verb2>[a-z][\w-]*)|"
    rf"(?P<verb3>[a-z][\w-]*(?:s|es)))(?P<rest>(?:\s.*)?)$",
    re.I,
)
NEGATED = re.compile(
    rf"^(?P<subj>[^,;:]{{2,60}}?)\s+{_NEG_AUX}\s+(?P<be>be\s+)?(?P<verb>[a-z][\w-]*)(?P<rest>.*)$",
    re.I,
)
BANNED = re.compile(
    r"^(?P<subj>[^,;:]{2,60}?)\s+(?:is|are)\s+(?:strictly\s+|always\s+)?(?:forbidden|banned|"
    r"prohibited|outlawed|illegal|impossible|not allowed)(?P<rest>.*)$",
    re.I,
)
WHOEVER = re.compile(
    r"^(?:whoever|anyone who|anybody who|everyone who|all who|any\s+\w+\s+(?:who|that))\s+"
    r"(?P<tverb>[a-z]+)\s+(?P<tobj>.+?)\s+(?P<cverb>[a-z]+s)\s+(?P<crest>.*)$",
    re.I,
)
PREP_SPLIT = re.compile(
    r"\b(?P<prep>inside|within|outside|above|below|beyond|past|into|across|over|through|"
    r"aboard|higher than|in|on|at|from)\s+(?P<np>.+)$",
    re.I,
)
WHEN_SPLIT = re.compile(
    r"\b(?P<kind>before|after|until|while|when|whenever|during|between|once)\s+(?P<cond>.+)$",
    re.I,
)
UNLESS_SPLIT = re.compile(
    r"\b(?:without|except|but|"
    r"unless (?:they|he|she|you|it) (?:has|have|carr\w+|wear\w*|show\w*))\s+"
    r"(?P<item>.+?)(?=$|\s+(?:in|on|at|inside|past|before|after|while|when|until|into)\b)",
    re.I,
)
COUNT = re.compile(r"\bmore than (?P<n>once|twice|three times|\w+ times)\b", re.I)
WINDOW_WORDS = re.compile(
    r"\b(?:between dusk and dawn|between sunset and sunrise|at night|every night|after dark|"
    r"after sundown|after nightfall|after midnight|by night|during the night|by day|"
    r"during the day)\b",
    re.I,
)


def _head(phrase: str) -> set[str]:
    """The content stems of a noun phrase, its head (last word) first in importance."""
    return set(w.content(re.sub(r"['’]s\b", "", phrase)))


def _lemma_verb(verb: str) -> str:
    return w.lemma(verb)


def parse_rule(text: str) -> Constraint | None:
    """The constraint a rule sentence states, or None when it states none we can read."""
    clauses = [c.strip() for c in re.split(r"[:;]", text) if c.strip()]
    for i, clause in enumerate(clauses):
        for part in _parts(clause):
            constraint = _parse_clause(part, text)
            if constraint is not None:
                elaboration = " ".join(clauses[i + 1 :])
                constraint.context = set(w.content(elaboration)) - constraint.subjects
                # "no implant works: no optic overlay, no neural link" lists what it covers.
                for item in re.findall(
                    r"\bno\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", elaboration, re.I
                ):
                    constraint.subjects |= _head(item)
                return constraint
    return None


FRONTED_PLACE = re.compile(
    r"^(?P<where>(?:within|inside|in|on|at|aboard|beneath|under|below|above)\s+[^,]+?),?\s+"
    r"(?P<rest>(?:no|nobody|no one|none|not a|not one)\b.*)$",
    re.I,
)


def _parts(clause: str) -> list[str]:
    """The clause itself, then what follows ", and" / " and" / ", but" in it."""
    out = [clause]
    fronted = FRONTED_PLACE.match(clause)
    if fronted:
        # "Within these walls no spell is cast": the place read last.
        out.append(f"{fronted.group('rest')} {fronted.group('where')}")
    for piece in re.split(
        r",\s*(?:and|but|so)\s+|\s+and\s+(?=(?:while|when|no|nobody|whoever)\b)", clause
    ):
        if piece.strip() and piece.strip() != clause:
            out.append(piece.strip())
    return out


def _parse_clause(clause: str, text: str) -> Constraint | None:
    core = clause.strip().rstrip(".!")
    core = re.sub(r"^(?:in this (?:world|kingdom|city|house|town|land),?\s*)", "", core, flags=re.I)
    constraint = Constraint(text=text)
    lead = LEAD_COMMA_CONDITION.match(core)
    if lead and not QUANTIFIED.match(core):
        constraint.when_kind, constraint.when = (
            lead.group("kind").lower(),
            _head(lead.group("cond")),
        )
        core = lead.group("rest")
    else:
        lead2 = LEAD_CONDITION.match(core)
        if lead2:
            constraint.when_kind = lead2.group("kind").lower()
            constraint.when = _head(lead2.group("cond"))
            core = core[lead2.end() :]
    place = LEAD_PLACE.match(core)
    if place:
        constraint.where_kind = place.group("kind").lower()
        constraint.where = _head(place.group("place"))
        core = core[place.end() :]
    window = WINDOW_WORDS.search(core)
    if window:
        phrase = window.group(0).lower()
        key = "day" if "day" in phrase else "dusk" if "dusk" in phrase else "night"
        constraint.window = set(WINDOWS[key])
        core = (core[: window.start()] + core[window.end() :]).strip()

    whoever = WHOEVER.match(core)
    if whoever:
        constraint.polarity = "required"
        constraint.anyone = True
        constraint.action = _lemma_verb(whoever.group("tverb"))
        constraint.action_class = VERB_CLASS.get(constraint.action, "")
        constraint.objects = _head(whoever.group("tobj"))
        constraint.consequence = set(
            w.content(whoever.group("cverb") + " " + whoever.group("crest"))
        )
        return constraint

    quantified = QUANTIFIED.match(core)
    negated = None if quantified else NEGATED.match(core)
    banned = None if quantified or negated else BANNED.match(core)
    if quantified:
        aux = (quantified.group("aux") or "").lower()
        verb = (
            quantified.group("verb") or quantified.group("verb2") or quantified.group("verb3")
        ).lower()
        if verb in ("had", "was", "were", "did", "knew", "could", "would", "has", "does", "is"):
            return None
        if aux == "ever" or verb in ("else", "less", "longer"):
            return None
        if quantified.group("be") or quantified.group("be2"):
            constraint.passive = True
        subject = quantified.group("subj").lower()
        for subj in filter(None, (subject, (quantified.group("subj2") or "").lower())):
            if subj in ("no one", "nobody", "none", "nothing"):
                constraint.anyone = True
                constraint.person = subj != "nothing"
                if subj == "nothing":
                    constraint.subjects |= set(NOUN_CLASSES["nothing"])
            else:
                head = _head(subj.removeprefix("no "))
                constraint.subjects |= head
                if head & PERSON_SUBJECTS:
                    constraint.anyone = constraint.person = True
        rest = quantified.group("rest")
    elif negated:
        verb = negated.group("verb").lower()
        aux = core[negated.end("subj") : negated.start("verb")].strip().lower()
        if aux == "never" and (
            verb.endswith("ed") or (w.lemma(verb) != verb and not verb.endswith("s"))
        ):
            return None  # "the music never stopped": what happened, not a law
        head = _head(negated.group("subj"))
        if not head or _personal(negated.group("subj")):
            return None
        constraint.subjects = head
        constraint.anyone = constraint.person = bool(head & PERSON_SUBJECTS)
        constraint.passive = bool(negated.group("be")) or bool(
            re.search(r"\b(?:are|is) never$", core[: negated.start("verb")].strip(), re.I)
        )
        rest = negated.group("rest")
    elif banned:
        head = _head(banned.group("subj"))
        if not head or _personal(banned.group("subj")):
            return None
        constraint.action = sorted(head)[0]
        constraint.action_class = next(
            (VERB_CLASS[h] for h in head if h in VERB_CLASS),
            next((c for c in ("cast",) if head & set(NOUN_CLASSES["magic"])), ""),
        )
        constraint.subjects = head
        constraint.anyone = True
        _read_rest(constraint, banned.group("rest"), head_verb="")
        return constraint
    else:
        return None
    if verb in ("be", "is", "are") and constraint.passive:
        return None
    constraint.action = _lemma_verb(verb)
    _read_rest(constraint, rest, head_verb=constraint.action)
    if constraint.action in WEAK_VERBS and not constraint.action_class:
        return None
    return constraint


def _personal(subject: str) -> bool:
    words = subject.split()
    if len(words) == 1 and words[0][:1].isupper() and not words[0].lower().endswith("s"):
        return True  # "Maya cannot sleep": one person, not a kind of thing
    return bool(re.search(r"\b(?:he|she|they|i|we|you|his|her|my|our|their)\b", subject, re.I)) or (
        bool(re.search(r"\b[A-Z][a-z]+\b", subject.strip()[1:]))
        and not re.match(r"^(?:the|a|an)\b", subject.strip(), re.I)
    )


def _read_rest(constraint: Constraint, rest: str, *, head_verb: str) -> None:
    rest = re.split(r",\s*(?:or|and|but|so)\s+", rest)[0]
    rest = " " + rest.strip() + " "
    count = COUNT.search(rest)
    if count:
        n = count.group("n").lower()
        constraint.count = {"once": 1, "twice": 2, "three times": 3}.get(n, 2)
        rest = rest[: count.start()] + " " + rest[count.end() :]
    unless = UNLESS_SPLIT.search(rest)
    if unless:
        constraint.unless = _head(unless.group("item"))
        rest = rest[: unless.start()] + " " + rest[unless.end() :]
    when = WHEN_SPLIT.search(rest)
    if when and not constraint.when:
        constraint.when_kind, constraint.when = (
            when.group("kind").lower(),
            _head(when.group("cond")),
        )
        rest = rest[: when.start()]
    elif when:
        rest = rest[: when.start()]
    rest = rest.strip()
    # A complement right after the verb: "go dark", "speak above a whisper".
    if head_verb == "go" and re.match(r"^(?:dark|out)\b", rest):
        constraint.action_class = "go_dark"
        rest = rest.split(None, 1)[1] if " " in rest else ""
    if head_verb == "speak" and re.match(r"^(?:above a whisper|aloud|loudly|out loud)", rest):
        constraint.action_class = "speak_loud"
        rest = re.sub(r"^(?:above a whisper|aloud|loudly|out loud)", "", rest).strip()
    prep = PREP_SPLIT.search(rest)
    obj = rest[: prep.start()] if prep else rest
    if prep:
        kind = prep.group("prep").lower()
        if not constraint.where:
            constraint.where_kind = "above" if kind == "higher than" else kind
            constraint.where = _head(prep.group("np"))
        if head_verb in WEAK_VERBS or (head_verb == "fly" and kind in ("higher than", "above")):
            constraint.action_class = constraint.action_class or PREPOSITION_CLASS.get(
                kind.split()[0], ""
            )
            if head_verb == "fly":
                constraint.action_class = "fly"
    obj = re.split(r"\s+of\s+", obj)[0]
    if re.fullmatch(r"\s*(?:it|them)\s*", obj):
        obj = " ".join(sorted(constraint.when))  # "cross it": the thing the condition names
    constraint.objects |= _head(obj)
    if not constraint.action_class:
        constraint.action_class = VERB_CLASS.get(head_verb, "")
    if head_verb in ("get", "go", "come") and not constraint.action_class and constraint.objects:
        constraint.action_class = "enter"


# --- checking -------------------------------------------------------------------------------------


def _has_any(sentence: str, stems: set[str], keys: Iterable[str]) -> bool:
    lowered = sentence.lower()
    for key in keys:
        if " " in key:
            if key in lowered:
                return True
        else:
            root = w.stem(key)
            if any(s in (key, root) or (len(root) >= 4 and s.startswith(root)) for s in stems):
                return True
    return False


def _first_key(text: str, keys: Iterable[str]) -> int:
    """Where the first word or phrase of `keys` stands in `text` (its end when none does)."""
    lowered = text.lower()
    best = len(text)
    for key in keys:
        if " " in key:
            at = lowered.find(key)
            if at >= 0:
                best = min(best, at)
            continue
        root = w.stem(key)
        for match in w.WORD.finditer(text):
            s = w.stem(match.group(0))
            if s in (key, root) or (len(root) >= 4 and s.startswith(root)):
                best = min(best, match.start())
                break
    return best


def _noun_keys(nouns: set[str]) -> set[str]:
    keys = set(nouns)
    for noun in nouns:
        keys |= set(_NOUN_CLASS_BY_STEM.get(noun, ()))
    return keys


def part_of_day(text: str) -> str:
    """The part of the day a sentence's words put it in, or "" (see `reading.time_cues`)."""
    from scenes.analysis.reading import time_cues

    cues = time_cues(text)
    return cues[-1][1] if cues else ""


@dataclass
class Breach:
    """A sentence that breaks a constraint."""

    constraint: Constraint
    sentence: str


# "Long before the bell", "while she was still at the table": the rule's trigger is
# named, but as what has not happened yet.
STILL_BEFORE = re.compile(r"\b(?:before|until|till|ahead of|not yet|still|yet to)\b", re.I)


def _trigger_keys(c: Constraint) -> set[str]:
    """What must happen for a "before"/"until" rule to lapse: its words less the names in it
    ("Nobody eats before Grandfather Ade sits down": the sitting, not the name)."""
    names = {w.stem(x) for x in re.findall(r"(?<!^)(?<![.!?]\s)\b[A-ZÀ-ÖØ-Þ][\w'’-]*", c.text)}
    keys = set(c.when) - names
    return keys or set(c.when)


def _place_of(c: Constraint) -> set[str]:
    """Where a rule holds: its `where`, or what a rule against leaving names ("the grounds")."""
    return c.where or (c.objects if c.action_class in ("leave", "exit") else set())


class Checker:
    """Reads a text's narration in order against the bible's rules."""

    def __init__(
        self,
        rules: list[str],
        *,
        kinds: dict[str, set[str]] | None = None,
        here: str = "",
        day_part: str = "",
        place_known: bool = True,
    ) -> None:
        self.constraints = [c for c in (parse_rule(r) for r in rules) if c is not None]
        self.kinds = kinds or {}  # character name -> what they are ("fox", "dragon")
        self.here = set(w.content(here))
        self.day_part = day_part
        self.place_known = place_known  # does the bible say where the scene is?

    def breaches(self, sentences: list[str]) -> list[Breach]:
        found: list[Breach] = []
        inside = {
            id(c): bool(_place_of(c) & self.here)
            # Nowhere on record: a rule against leaving or bringing something into a place
            # is stated where the story is.
            or (
                not self.place_known
                and (c.action_class in ("leave", "exit") or c.where_kind == "into")
            )
            for c in self.constraints
        }
        holds = {id(c): True for c in self.constraints}
        part = self.day_part
        previous = ""
        for index, sentence in enumerate(sentences):
            stems = {w.stem(x) for x in w.WORD.findall(sentence)}
            cue = part_of_day(sentence)
            if TIME_TRANSITION.search(sentence.strip()):
                for key in holds:
                    holds[key] = False
            part = cue or part
            for constraint in self.constraints:
                key = id(constraint)
                if constraint.where and constraint.where_kind in (
                    "inside",
                    "within",
                    "in",
                    "on",
                    "at",
                    "aboard",
                ):
                    if _has_any(sentence, stems, constraint.where | constraint.context):
                        if LEAVING.search(sentence) and not ENTERING.search(sentence):
                            inside[key] = False
                        elif ENTERING.search(sentence) or not LEAVING.search(sentence):
                            inside[key] = True
                    elif LEAVING.search(sentence) and re.search(
                        r"\bthe \w+ line\b|\bpast the\b", sentence
                    ):
                        inside[key] = False
                if (
                    constraint.when
                    and constraint.when_kind in ("before", "until")
                    and _has_any(sentence, stems, _trigger_keys(constraint))
                    and not w.NEGATION.search(sentence)
                    and not STILL_BEFORE.search(sentence)
                ):
                    holds[key] = False
                if self._breaks(
                    constraint, sentence, stems, previous, inside[key], holds[key], part
                ):
                    found.append(Breach(constraint, sentence))
                elif constraint.polarity == "required" and index + 1 < len(sentences):
                    pass
            previous = sentence
        # Required rules: the trigger in one sentence, the opposite of the consequence in the
        # same or the next one.
        for constraint in (c for c in self.constraints if c.polarity == "required"):
            for index, sentence in enumerate(sentences):
                stems = {w.stem(x) for x in w.WORD.findall(sentence)}
                if not self._affirmative(sentence):
                    continue
                if not (
                    _has_any(sentence, stems, constraint.action_keys())
                    and _has_any(sentence, stems, _noun_keys(constraint.objects))
                ):
                    continue
                window = " ".join(sentences[index : index + 2])
                opposites = {o for c in constraint.consequence for o in OPPOSITES.get(c, ())}
                window_stems = {w.stem(x) for x in w.WORD.findall(window)}
                if opposites and _has_any(window, window_stems, opposites):
                    found.append(Breach(constraint, sentence))
        return found

    def _person_acts(self, sentence: str, stems: set[str]) -> bool:
        """Someone (not a vehicle or a machine) is in the sentence to do what the rule forbids."""
        if re.search(r"\b(?:he|she|they|i|we|you|someone|everyone|anyone)\b", sentence, re.I):
            return True
        if stems & PERSON_SUBJECTS or stems & {"cook", "guard", "stranger", "clerk", "merchant"}:
            return True
        for name, kinds in self.kinds.items():
            if (
                re.search(rf"(?<![\w'’]){re.escape(name)}(?![\w'’])", sentence)
                and not kinds & MACHINES
            ):
                return True
        for match in re.finditer(r"(?:^|\s)[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+\s+([a-z]+)\b", sentence):
            verb = match.group(1)
            if verb.endswith(("ed", "t")) or (w.lemma(verb) != verb and not verb.endswith("s")):
                return True
        return False

    def _affirmative(self, sentence: str) -> bool:
        if sentence.rstrip().endswith("?"):
            return False
        if w.HYPOTHETICAL.search(sentence):
            return False
        return parse_rule(sentence) is None  # the rule stated again is not its breach

    def _acted_clause(self, c: Constraint, sentence: str) -> bool:
        """Some clause of the sentence does the forbidden action, affirmatively: negation and
        "would", "tried to" count in their own clause only ("Lou walked in, and nobody
        stopped him" breaks a rule; "nobody walked in" does not)."""
        if sentence.rstrip().endswith("?") or parse_rule(sentence.strip().rstrip(".!")):
            return False
        if re.match(r"^\W*(?:if|unless|whether|suppose|maybe|perhaps)\b", sentence, re.I):
            return False
        for clause in CLAUSES.split(sentence):
            stems = {w.stem(x) for x in w.WORD.findall(clause)}
            if not _has_any(clause, stems, c.action_keys()):
                continue
            # What the clause says up to its action ("so the merchant could read" after it
            # is a purpose, not a doubt about the act).
            head = clause[: _first_key(clause, c.action_keys()) + 1]
            if w.HYPOTHETICAL.search(head):
                continue
            if w.NEGATION.search(head) and not (c.unless and ABSENCE.search(clause)):
                continue
            return True
        return False

    def _breaks(
        self,
        c: Constraint,
        sentence: str,
        stems: set[str],
        previous: str,
        inside: bool,
        holds: bool,
        part: str,
    ) -> bool:
        if c.polarity != "forbidden" or not self._acted_clause(c, sentence):
            return False
        if re.search(
            r"\bhad\s+(?:\w+ly\s+)?(?:been\s+)?[a-z]+(?:ed|en|t)\b", sentence
        ) and not re.search(r"\b(?:now|suddenly|then)\b", sentence):
            return False  # "Colin had touched the stapler in 2019": what was, not what happens
        leaving_here = (
            c.action_class in ("leave", "exit") and not c.where and inside
        )  # "Spirits may not leave the grounds", told there: "drifted out through the gate"
        if (
            c.objects
            and not leaving_here
            and not _has_any(sentence, stems, _noun_keys(c.objects) | c.where | c.context)
        ):
            return False
        if c.person and not self._person_acts(sentence, stems):
            return False
        if (
            c.subjects
            and not c.anyone
            and not _has_any(sentence, stems, _noun_keys(c.subjects))
            and not any(
                _has_any(sentence, stems, {n.lower()} if " " in n else set(w.content(n)))
                for n, kinds in self.kinds.items()
                if kinds & c.subjects
            )
        ):
            return False
        if c.where:
            if c.where_kind in ("inside", "within", "in", "on", "at", "aboard"):
                mentioned = _has_any(sentence, stems, c.where | c.context)
                if not (inside or mentioned) or (
                    mentioned and LEAVING.search(sentence) and not ENTERING.search(sentence)
                ):
                    return False
            elif c.where_kind in (
                "outside",
                "beyond",
                "past",
                "above",
                "below",
                "across",
                "over",
                "through",
                "into",
            ):
                markers = {
                    "outside": (
                        "outside",
                        "out onto",
                        "out into",
                        "out on",
                        "stepped out",
                        "walked out",
                    ),
                    "beyond": ("beyond", "past", "cross"),
                    "past": ("past", "beyond", "cross"),
                    "above": ("above", "higher", "over", "up through", "top of", "atop"),
                    "below": ("below", "beneath", "under"),
                    "into": ("into", "inside", "in"),
                }.get(c.where_kind, (c.where_kind,))
                lowered = sentence.lower()
                if not any(re.search(rf"\b{re.escape(m)}\b", lowered) for m in markers):
                    return False
                if (
                    c.where_kind not in ("outside",)
                    and not _has_any(sentence, stems, c.where | c.context)
                    and not (c.where_kind == "into" and inside)
                ):
                    return False  # ("into" the place the scene is in: into a room of it)
        if c.window and part and part not in c.window:
            return False
        if (
            c.when
            and not c.window
            and c.when_kind in ("while", "when", "whenever", "during", "once")
            and not holds
            and not _has_any(sentence, stems, c.when)
        ):
            return False
        if c.when and c.when_kind in ("before", "until") and not holds:
            return False
        if c.count and not ORDINALS.search(sentence):
            return False
        if c.unless:
            item_here = _has_any(sentence, stems, _noun_keys(c.unless)) or _has_any(
                previous, {w.stem(x) for x in w.WORD.findall(previous)}, _noun_keys(c.unless)
            )
            if item_here and not ABSENCE.search(sentence):
                return False
        return True
