"""The offline writer: a template grammar that writes about what the prompt asks for.

It is not a language model. It reads the prompt for its subject (a character, what they
do or want, where), picks a structure by `context.length` (a short story has a beginning, a
turn and an ending; a poem has stanzas; an outline numbered beats) and fills it from genre
vocabulary. Every choice is drawn from a `random.Random(seed)`: the same prompt, parameters
and seed give the same text. Temperature, topK and topP narrow or widen each choice (the
lists are ordered most typical first), so temperature 0 always writes the most typical text.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from media_pipeline.backends.base import Reporter
from storytext import english
from storytext.core import GenerationParameters, TextResult, canonical_length
from storytext.english import VerbPhrase, capitalise
from storytext.vocabulary import GENRE_WORDS, canonical_genre

RULE_WRITER_ID = "rule-writer"

_INSTRUCTION = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+)?(?:now\s+)?"
    r"(?:write|tell|compose|create|generate|give|draft|imagine|describe|summari[sz]e|outline|"
    r"craft|make|produce|narrate|pen|invent)\b"
    r"(?:\s+(?:me|us))?"
    r"(?P<kind>(?:\s+[\w\-']+){0,4}?)"
    r"\s+(?:about|of|on|for|featuring|involving|where|in\s+which|set\s+in|called|titled)\s+",
    re.IGNORECASE,
)
_BARE_INSTRUCTION = re.compile(
    r"^(?:please\s+)?(?:describe|imagine|picture|show|depict)\s+", re.IGNORECASE
)
_RELATIVE = re.compile(
    r"\s+(?:who|that|which|whose)\s+(?P<clause>.+)$|,\s+(?P<gerund>\w+ing\b.*)$|"
    r"\s+(?P<with>with\s+.+)$",
    re.IGNORECASE,
)
_SETTING = re.compile(
    r"\b(?P<phrase>(?:in|on|at|aboard|inside|beneath|under|across|near|beyond)\s+"
    r"(?:the|a|an|[A-Z][\w']*)\s+[^,.;!?]*?)(?=\s+(?:who|that|which|where|and|but)\b|[,.;!?]|$)"
)
_ARTICLE = re.compile(r"^(?:a|an|the|one|two|three|some|my|our|his|her|their|its)\s+", re.I)
_SETTING_NOUNS = {
    "world", "city", "town", "village", "kingdom", "planet", "place", "future", "land",
    "island", "country", "galaxy", "universe", "forest", "house", "station", "society",
}  # fmt: skip
_NON_HUMAN = {
    "robot", "machine", "android", "ai", "computer", "ship", "starship", "spaceship",
    "drone", "dragon", "cat", "dog", "fox", "wolf", "bird", "owl", "tree", "house", "city",
    "creature", "monster", "car", "train", "clock", "toy", "doll", "star", "moon", "horse",
    "lighthouse", "mouse", "rabbit", "bear", "whale", "goat", "program", "cyborg", "golem",
}  # fmt: skip
_FEMALE = {"girl", "woman", "queen", "princess", "mother", "grandmother", "sister", "witch",
           "daughter", "wife", "lady", "aunt", "actress", "nun", "heroine", "mum"}  # fmt: skip
_MALE = {"boy", "man", "king", "prince", "father", "grandfather", "brother", "wizard",
         "son", "husband", "lord", "uncle", "actor", "monk", "hero", "dad", "knight"}  # fmt: skip
_NOT_NAMES = {"I", "The", "A", "An", "In", "On", "At", "It", "He", "She", "They", "We", "You",
              "Write", "Tell", "Once", "One", "When", "Then", "Please", "Earth", "God"}  # fmt: skip
# A relative clause that opens with one of these is not a verb phrase ("who she loves").
_NOT_VERBS = {
    "the", "a", "an", "his", "her", "their", "its", "my", "our", "your", "i", "we", "you",
    "he", "she", "they", "it", "everyone", "nobody", "no", "all", "every", "once", "in",
    "on", "at", "of", "to", "from", "with", "by", "for",
}  # fmt: skip


@dataclass(frozen=True)
class Pronouns:
    they: str
    them: str
    their: str
    self: str
    plural: bool  # verbs agree as with "they" (two friends; a singular they)


IT = Pronouns("it", "it", "its", "itself", False)
SHE = Pronouns("she", "her", "her", "herself", False)
HE = Pronouns("he", "him", "his", "himself", False)
THEY = Pronouns("they", "them", "their", "themselves", True)


@dataclass
class Topic:
    """What a prompt is about: who, doing or wanting what, where, and any theme."""

    hero: str  # how the story names the protagonist after introducing them: "the robot"
    hero_intro: str  # the first mention: "a robot", "Maya Chen"
    pronouns: Pronouns
    goal: VerbPhrase | None = None  # "learns to feel emotions"
    description: str = ""  # "with a secret", "learning to fly"
    setting: str = ""  # "in a world where dreams are currency"
    theme: str = ""  # "friendship" (a prompt about an idea, not a character)
    names: list[str] = field(default_factory=list)
    subject: str = ""  # the prompt's subject as written


def _pronouns_for(noun_phrase: str, *, named: bool) -> Pronouns:
    words = [w.lower().strip(",.") for w in noun_phrase.split()]
    head = words[-1] if words else ""
    if named:
        return THEY
    if (words and words[0] in ("two", "three", "some", "four", "five")) or (
        head.endswith("s") and not head.endswith("ss") and head not in _NON_HUMAN
    ):
        return THEY
    if head in _NON_HUMAN or head.rstrip("s") in _NON_HUMAN:
        return IT
    if head in _FEMALE:
        return SHE
    if head in _MALE:
        return HE
    return THEY


def _names(text: str) -> list[str]:
    """Capitalised names in `text` ("Maya Chen", "Aurora"), not words that open a sentence."""
    names: list[str] = []
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)", text):
        name = match.group(1)
        first = name.split()[0]
        if first in _NOT_NAMES:
            name = " ".join(name.split()[1:])
        if name and name not in names:
            names.append(name)
    return names


def analyse_prompt(prompt: str, *, genre: str, rng: random.Random) -> Topic:
    """Read the prompt's subject: the protagonist, their goal or description, the setting."""
    text = " ".join(prompt.split()).strip().rstrip(".!?")
    subject = text
    match = _INSTRUCTION.match(text) or _BARE_INSTRUCTION.match(text)
    if match:
        subject = text[match.end() :]
    subject = re.sub(r"^(?:a|an)\s+(?:story|tale|poem)\s+(?:about|of)\s+", "", subject, flags=re.I)
    names = _names(" " + text)
    words = GENRE_WORDS[genre]

    setting = ""
    setting_match = _SETTING.search(subject)
    if setting_match:
        setting = setting_match.group("phrase").strip()

    head, goal, description = subject, None, ""
    relative = _RELATIVE.search(subject)
    if relative:
        head = subject[: relative.start()].strip()
        clause = relative.group("clause")
        if clause and clause.split()[0].lower() not in _NOT_VERBS:
            goal = VerbPhrase(clause)
        elif clause:
            description = f"who {clause}"
        elif relative.group("gerund"):
            description = relative.group("gerund")
        else:
            description = relative.group("with") or ""
    if setting and head.endswith(setting):
        head = head[: -len(setting)].strip()

    head_words = head.split()
    head_noun = head_words[-1].lower().strip(",") if head_words else ""
    theme = ""
    if head_noun in _SETTING_NOUNS and (" where " in f" {subject} " or not goal):
        # "a world where dreams are currency": the subject is the place, the hero comes
        # from the genre.
        setting = setting or f"in {subject}"
        head = ""
    name_in_head = next((n for n in names if n in head), "")
    if name_in_head:
        # "Maya Chen, a starship captain": the apposition is kept, closed by a comma.
        hero_intro = head if len(head.split()) <= 6 else name_in_head
        if "," in hero_intro:
            hero_intro = hero_intro.rstrip(",") + ","
        return Topic(
            hero=name_in_head.split()[0],
            hero_intro=hero_intro,
            pronouns=_pronouns_for(head, named=True),
            goal=goal,
            description=description,
            setting=setting,
            names=names,
            subject=subject,
        )
    if head and _ARTICLE.match(head) and len(head_words) <= 6:
        head = head[0].lower() + head[1:]
        definite = _ARTICLE.sub("the ", head, count=1)
        if head.lower().startswith(("two ", "three ", "some ")):
            definite = "the " + head
        return Topic(
            hero=definite,
            hero_intro=head,
            pronouns=_pronouns_for(head, named=False),
            goal=goal,
            description=description,
            setting=setting,
            names=names,
            subject=subject,
        )
    if head:
        theme = head[0].lower() + head[1:] if head[:1].isupper() and not name_in_head else head
    fallback = _choose(rng, words["hero"], 0.0)
    return Topic(
        hero=_ARTICLE.sub("the ", fallback, count=1),
        hero_intro=fallback,
        pronouns=_pronouns_for(fallback, named=False),
        goal=goal,
        setting=setting,
        theme=theme,
        names=names,
        subject=subject,
    )


def _choose(rng: random.Random, options: tuple[str, ...] | list[str], spread: float) -> str:
    """One option; `spread` 0 takes the first (most typical), 1 any of them."""
    k = max(1, min(len(options), 1 + math.floor(spread * len(options))))
    return options[rng.randrange(k)]


@dataclass
class Unit:
    text: str
    priority: int = 0  # 0: never dropped to fit maxTokens; higher: dropped first


@dataclass
class Block:
    units: list[Unit]
    separator: str = " "  # between units: " " in prose, "\n" in verse and outlines


class _Composer:
    """Fills templates for one topic and genre, drawing every choice from one Random."""

    def __init__(
        self, topic: Topic, genre: str, rng: random.Random, params: GenerationParameters
    ) -> None:
        self.topic = topic
        self.words = GENRE_WORDS[genre]
        self.rng = rng
        # How far down each ordered list a choice may reach: temperature widens it (1.0
        # reaches every option), topP and topK narrow it as they do for a sampler.
        spread = min(1.0, params.temperature)
        spread = min(spread, params.top_p)
        self.spread = spread
        self.top_k = params.top_k
        self._used: set[str] = set()

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        pool = list(options)
        if self.top_k:
            pool = pool[: self.top_k]
        fresh = [o for o in pool if o not in self._used] or pool
        choice = _choose(self.rng, fresh, self.spread)
        self._used.add(choice)
        return choice

    def word(self, key: str) -> str:
        return self.pick(self.words[key])

    def fill(self, template: str) -> str:
        """Fill {slots}; `{is|are}` picks the form that agrees with the hero's pronoun."""
        t, p = self.topic, self.topic.pronouns

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if "|" in name:
                singular, plural = name.split("|")
                return plural if p.plural else singular
            values = {
                "hero": t.hero,
                "hero_intro": t.hero_intro,
                "they": p.they,
                "them": p.them,
                "their": p.their,
                "self": p.self,
                "setting": t.setting,
                "theme": t.theme,
                "description": t.description,
            }
            if t.goal:
                values |= {
                    "goal": t.goal.base,
                    "goal_past": t.goal.past_plural if p.plural else t.goal.past,
                    "goal_gerund": t.goal.gerund,
                    "goal_present": t.goal.present,
                }
            if name in values:
                return values[name]
            if name in self.words:
                return self.fill(self.word(name))
            raise KeyError(name)

        return re.sub(r"\{([\w|]+)\}", slot, template)

    def line(self, key: str) -> str:
        """A genre sentence (atmosphere, obstacle, closing), filled."""
        return english.sentence(self.fill(self.word(key)))

    def say(self, *templates: str) -> str:
        """One of `templates`, filled, as a sentence."""
        return english.sentence(self.fill(self.pick(templates)))

    def quote(self) -> str:
        line = self.word("dialogue")
        verb = self.pick(("said", "whispered", "said quietly", "murmured"))
        if line.endswith("."):
            line = line[:-1] + ","
        return f"\u201c{line}\u201d {self.fill('{hero}')} {verb}."


def _compose_story(c: _Composer, *, long: bool) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    c.topic.setting = setting
    opening = [
        Unit(
            c.say(
                f"{capitalise(setting)}, {{hero_intro}} spent {{their}} days {{routine}}",
                f"{{hero_intro}} lived {setting}, {{routine}}",
                f"there {{was|were}} once {{hero_intro}} {setting}",
            ),
            0,
        ),
        Unit(c.line("atmosphere"), 2),
    ]
    if t.goal:
        opening.append(
            Unit(
                c.say(
                    "nobody expected {hero} to {goal}, least of all {hero} {self}",
                    "{hero} had never imagined that {they} might one day {goal}",
                    "if anyone had said that {hero} would {goal}, {they} would not have "
                    "believed it",
                ),
                1,
            )
        )
    elif t.description:
        opening.append(Unit(c.say("{hero} {was|were} {description}, though few had noticed"), 1))
    elif t.theme:
        opening.append(Unit(c.say("{hero} had never given much thought to {theme}"), 1))
    else:
        opening.append(Unit(c.say("{hero} wanted little more than an ordinary life"), 1))

    incident = [
        Unit(
            c.say(
                "then, one {time}, {incident}",
                "it all began one {time}, when {incident}",
                "everything was ordinary until the {time} when {incident}",
            ),
            0,
        ),
        Unit(
            c.say(
                "{hero} did not know what to make of it, but {they} could not look away",
                "at first {hero} told no one",
                "{hero} stood very still and listened",
            ),
            1,
        ),
    ]
    if t.goal:
        incident.append(
            Unit(
                c.say(
                    "it stirred something {hero} had no word for, the first step toward "
                    "{goal_gerund}",
                    "without knowing it, {hero} had taken the first step toward {goal_gerund}",
                ),
                1,
            )
        )
    elif t.theme:
        incident.append(
            Unit(c.say("it would teach {them} more about {theme} than {they} expected"), 1)
        )

    struggle = [
        Unit(
            c.say(
                "{goal_gerund} turned out to be harder than {hero} had imagined",
                "{hero} set out to {goal}, one careful step at a time",
            )
            if t.goal
            else c.say(
                "{hero} set out to understand what had happened",
                "{hero} followed the trail wherever it led",
            ),
            1,
        ),
        Unit(c.line("obstacle"), 1),
        Unit(
            c.say(
                "still, {hero} kept going, because turning back felt worse than failing",
                "more than once {hero} almost gave up",
            ),
            2,
        ),
    ]
    blocks = [Block(opening), Block(incident), Block(struggle)]
    if long:
        blocks.append(
            Block(
                [
                    Unit(c.say("days turned into weeks", "the seasons changed around {them}"), 2),
                    Unit(c.line("obstacle"), 2),
                    Unit(c.line("atmosphere"), 2),
                    Unit(c.quote(), 2),
                ]
            )
        )
    blocks.append(
        Block(
            [
                Unit(
                    c.say(
                        "everything changed when {turn}",
                        "then, just when it seemed hopeless, {turn}",
                    ),
                    0,
                ),
                Unit(c.quote(), 2),
                Unit(c.say("for the first time, {hero} understood {realisation}"), 1),
            ]
        )
    )
    if t.goal:
        ending_first = c.say(
            "in the end, {hero} {goal_past}, not all at once, but one small moment at a time",
            "in the end, {hero} {goal_past}, and nothing looked quite the same again",
        )
    elif t.theme:
        ending_first = c.say("in the end, {hero} came to see {theme} in a new light")
    else:
        ending_first = c.say(
            "in the end, {hero} found {their} way, changed in ways {they} could not yet name"
        )
    blocks.append(
        Block(
            [
                Unit(ending_first, 0),
                Unit(
                    c.say(
                        "it was not the ending anyone had planned, but it was the right one",
                        "what had begun as an accident had become {their} own story",
                    ),
                    2,
                ),
                Unit(c.line("closing"), 0),
            ]
        )
    )
    return blocks


def _compose_paragraph(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    units = [
        Unit(c.say(f"{capitalise(setting)}, {{hero_intro}} spent {{their}} days {{routine}}"), 0),
        Unit(c.say("then, one {time}, {incident}", "it all began one {time}, when {incident}"), 0),
    ]
    if t.goal:
        units.append(Unit(c.say("{goal_gerund} turned out to be harder than anyone imagined"), 1))
    elif t.theme:
        units.append(
            Unit(c.say("it would teach {them} more about {theme} than {they} expected"), 1)
        )
    units.append(Unit(c.line("obstacle"), 2))
    units.append(Unit(c.say("everything changed when {turn}"), 1))
    if t.goal:
        units.append(Unit(c.say("in the end, {hero} {goal_past}"), 0))
    elif t.theme:
        units.append(Unit(c.say("in the end, {hero} came to see {theme} in a new light"), 0))
    else:
        units.append(Unit(c.say("in the end, {hero} understood {realisation}"), 0))
    units.append(Unit(c.line("closing"), 2))
    return [Block(units)]


def _compose_description(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    subject = t.subject if _ARTICLE.match(t.subject) else t.hero_intro
    where = "" if setting in subject else f", {setting}"
    return [
        Block(
            [
                Unit(english.sentence(f"{capitalise(subject)}{where}")),
                Unit(c.line("atmosphere"), 1),
                Unit(c.say("everything about it felt {adjective}, as if it held a secret"), 1),
                Unit(c.say("close by lay {image}, and beyond it {image}"), 2),
                Unit(c.line("atmosphere"), 2),
            ]
        )
    ]


def _compose_summary(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    if t.goal:
        first = c.say(
            f"this is the story of {{hero_intro}} {setting}, and of how {{they}} {{goal_past}}"
        )
    elif t.theme:
        first = c.say(f"this is a story about {{theme}}, told through {{hero_intro}} {setting}")
    else:
        first = c.say(f"this is the story of {{hero_intro}} {setting}")
    return [
        Block(
            [
                Unit(first, 0),
                Unit(c.say("it began when {incident}, and it turned when {turn}"), 1),
                Unit(c.say("in the end, {hero} came to understand {realisation}"), 0),
            ]
        )
    ]


def _compose_sentence(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    if t.goal:
        return [Block([Unit(c.say(f"{capitalise(setting)}, {{hero_intro}} {{goal_past}}"), 0)])]
    return [Block([Unit(c.say(f"{capitalise(setting)}, {{hero_intro}} found {{realisation}}"))])]


def _title(c: _Composer) -> str:
    t = c.topic
    if t.goal:
        return english.title_case(f"{t.hero} who {t.goal.past}")
    if t.theme:
        return english.title_case(f"{c.word('adjective')} {t.theme}")
    return english.title_case(f"{t.hero} and the {c.word('adjective')} {c.word('time')}")


def _compose_outline(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    goal = (
        "{hero} set out to {goal}. {obstacle}"
        if t.goal
        else "{hero} set out to understand what had happened. {obstacle}"
    )
    beats = [
        ("Opening", f"{capitalise(setting)}, {{hero_intro}} spent {{their}} days {{routine}}."),
        ("Inciting incident", "One {time}, {incident}."),
        ("Rising action", goal),
        ("Turning point", "Everything changed when {turn}."),
        ("Climax", "{hero} understood {realisation}."),
        ("Resolution", ("{hero} {goal_past}. " if t.goal else "") + "{closing}"),
    ]
    units = [Unit(f"Title: {_title(c)}", 1)]
    for i, (name, template) in enumerate(beats, start=1):
        filled = " ".join(english.sentence(s) for s in english.split_sentences(c.fill(template)))
        units.append(Unit(f"{i}. {name}: {filled}", 0 if name in ("Opening", "Resolution") else 1))
    return [Block(units, separator="\n")]


def _compose_poem(c: _Composer) -> list[Block]:
    t = c.topic
    setting = t.setting or c.word("setting")
    stanzas = [
        [
            f"{capitalise(setting)},",
            c.fill("{hero_intro} kept {their} quiet watch,"),
            c.fill("with {image} for company,"),
            "and waited for a sign.",
        ],
        [
            c.fill("What would it mean to {goal}?")
            if t.goal
            else c.fill("What was {theme}?")
            if t.theme
            else c.fill("What was it {they} waited for?"),
            c.fill("{hero} asked the {adjective} {time}."),
            "The answer did not come at once,",
            c.fill("only {image}."),
        ],
        [
            c.fill("Then {turn},"),
            "and something stirred inside,",
            c.fill("a {adjective} and unfamiliar light"),
            c.fill("that would not be denied."),
        ],
        [
            c.fill("Now {hero} {goal_past},")
            if t.goal
            else c.fill("Now {hero} knew {realisation},"),
            c.fill("and {image} remained,"),
            "and all the world looked different,",
            "though nothing else had changed.",
        ],
    ]
    return [
        Block([Unit(capitalise(line), 0 if i in (0, 3) else 1) for line in stanza], "\n")
        for i, stanza in enumerate(stanzas)
    ]


COMPOSERS = {
    "story": lambda c: _compose_story(c, long=True),
    "short_story": lambda c: _compose_story(c, long=False),
    "paragraph": _compose_paragraph,
    "summary": _compose_summary,
    "sentence": _compose_sentence,
    "outline": _compose_outline,
    "poem": _compose_poem,
}


def _render(blocks: list[Block]) -> str:
    return "\n\n".join(
        b.separator.join(u.text for u in b.units if u.text) for b in blocks if b.units
    ).strip()


def fit_to_budget(blocks: list[Block], max_tokens: int) -> tuple[str, int, str]:
    """The text within `max_tokens`: optional sentences dropped first, then a hard cut.

    Returns the text, its token count and the finish reason ("stop", or "length" when the
    text had to be cut mid-way).
    """
    costs = {id(u): english.count_tokens(u.text) for b in blocks for u in b.units}
    total = sum(costs.values())
    for priority in (2, 1):
        for block in reversed(blocks):
            for unit in reversed(list(block.units)):
                if total <= max_tokens:
                    break
                if unit.priority == priority:
                    block.units.remove(unit)
                    total -= costs[id(unit)]
    text = _render(blocks)
    if total <= max_tokens:
        return text, total, "stop"
    text = english.truncate_tokens(text, max_tokens)
    return text, english.count_tokens(text), "length"


class RuleWriter:
    """The offline, deterministic template writer (see the module docstring)."""

    name = RULE_WRITER_ID

    def generate(
        self,
        prompt: str,
        *,
        parameters: GenerationParameters,
        context: dict[str, Any],
        seed: int,
        reporter: Reporter,
    ) -> TextResult:
        genre = canonical_genre(context.get("genre"), prompt)
        length = canonical_length(context.get("length"), prompt)
        if length == "paragraph" and re.match(r"^\s*(?:please\s+)?describe\b", prompt, re.I):
            length = "description"
        # The seed alone fixes every choice; the prompt and settings shape the same draw.
        rng = random.Random(f"{seed}:{prompt}:{genre}:{length}")  # noqa: S311 (not for secrets)
        reporter.check_cancelled()
        topic = analyse_prompt(prompt, genre=genre, rng=rng)
        composer = _Composer(topic, genre, rng, parameters)
        compose = _compose_description if length == "description" else COMPOSERS[length]
        blocks = compose(composer)
        reporter.progress(0.5, "Composed")
        reporter.check_cancelled()
        text, completion_tokens, finish_reason = fit_to_budget(blocks, parameters.max_tokens)
        reporter.progress(1.0, "Written")
        return TextResult(
            text=text,
            tokens_used=english.count_tokens(prompt) + completion_tokens,
            model=self.name,
            finish_reason=finish_reason,
            completion_tokens=completion_tokens,
        )
