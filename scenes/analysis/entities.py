"""Reading story prose by rule: who is in it, where, when, what rules its world keeps.

Everything here is deterministic pattern matching over sentences, tuned to be sure rather
than complete: a name becomes a character only on evidence that it is a person (a title,
a role, speech, a gesture), and a place only on evidence that it is a place (a ship noun,
"the Horizon", "on Earth"). What is not sure is left out, because the bible feeds the
continuity checks, and a wrong entry there would become a false alarm later.
"""
# Typographic quotes and apostrophes are what prose is written with; matched on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from storytext import english
from storytext.script import split_quotes

# --- vocabulary -----------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    """A word list written as text, one set."""
    return set(text.split())


# Titles as written -> the title they stand for.
TITLE_FORMS: dict[str, str] = {
    "first officer": "First Officer",
    "chief engineer": "Chief Engineer",
    "science officer": "Science Officer",
    "captain": "Captain",
    "capt.": "Captain",
    "commander": "Commander",
    "lieutenant": "Lieutenant",
    "lt.": "Lieutenant",
    "admiral": "Admiral",
    "general": "General",
    "colonel": "Colonel",
    "major": "Major",
    "sergeant": "Sergeant",
    "sgt.": "Sergeant",
    "ensign": "Ensign",
    "doctor": "Dr.",
    "dr.": "Dr.",
    "professor": "Professor",
    "prof.": "Professor",
    "mr.": "Mr.",
    "mrs.": "Mrs.",
    "ms.": "Ms.",
    "miss": "Miss",
    "king": "King",
    "queen": "Queen",
    "prince": "Prince",
    "princess": "Princess",
    "lord": "Lord",
    "lady": "Lady",
    "sir": "Sir",
    "dame": "Dame",
    "emperor": "Emperor",
    "empress": "Empress",
    "president": "President",
    "chancellor": "Chancellor",
    "detective": "Detective",
    "inspector": "Inspector",
    "agent": "Agent",
    "officer": "Officer",
    "duke": "Duke",
    "duchess": "Duchess",
    "baron": "Baron",
    "baroness": "Baroness",
    "count": "Count",
    "countess": "Countess",
    "earl": "Earl",
    "father": "Father",
    "sister": "Sister",
    "brother": "Brother",
    # More titles a cast is called by, across genres and languages (issue 17).
    "reverend": "Reverend",
    "pastor": "Pastor",
    "sheriff": "Sheriff",
    "deputy": "Deputy",
    "marshal": "Marshal",
    "coach": "Coach",
    "councillor": "Councillor",
    "councilor": "Councillor",
    "master": "Master",
    "mistress": "Mistress",
    "madame": "Madame",
    "monsieur": "Monsieur",
    "mademoiselle": "Mademoiselle",
    "uncle": "Uncle",
    "aunt": "Aunt",
    "auntie": "Auntie",
    "granny": "Granny",
    "grandma": "Grandma",
    "grandpa": "Grandpa",
    "mama": "Mama",
    "papa": "Papa",
    "mister": "Mister",
    "archmage": "Archmage",
    "bishop": "Bishop",
    "abbot": "Abbot",
    "judge": "Judge",
    "senator": "Senator",
    "governor": "Governor",
    "mayor": "Mayor",
    "leutnant": "Leutnant",
    "kapitänleutnant": "Kapitänleutnant",
    "hauptmann": "Hauptmann",
    "obersteuermann": "Obersteuermann",
    "señor": "Señor",
    "señora": "Señora",
    "herr": "Herr",
    "frau": "Frau",
    "signora": "Signora",
    "okami": "Okami",
    "sensei": "Sensei",
}
TITLE_KEYS = {form.rstrip(".") for form in TITLE_FORMS} | {
    t.lower().rstrip(".") for t in TITLE_FORMS.values()
}
# Titles one person holds at a time in a story's cast: a second name under one of these is
# a slip, not a new person (unless the text introduces them as such).
SINGULAR_TITLES = {
    "Captain",
    "First Officer",
    "Chief Engineer",
    "Science Officer",
    "Commander",
    "Admiral",
    "King",
    "Queen",
    "Emperor",
    "Empress",
    "President",
    "Chancellor",
}
# How a title reads as a description ("Mr." says nothing of who someone is).
TITLE_DESCRIPTIONS = {
    "Dr.": "Doctor",
    "Mr.": "",
    "Mrs.": "",
    "Ms.": "",
    "Miss": "",
    "Sir": "Knight",
}
# Titles whose one-word name is a given name ("King Arthur"), not a surname ("Dr. Patel").
GIVEN_NAME_TITLES = {"King", "Queen", "Prince", "Princess", "Sir", "Dame", "Lady", "Lord"}
GIVEN_NAME_TITLES |= {"Emperor", "Empress", "Father", "Sister", "Brother"}
GIVEN_NAME_TITLES |= {"Uncle", "Aunt", "Auntie", "Mama", "Papa", "Master", "Okami", "Mademoiselle"}

# Names in any Latin script ("Jóannes", "Bjørn", "Lucía"), hyphenated ("Abiodun-Park").
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
NAME_WORD = rf"(?:[{_UP}]['’])?[{_UP}][{_LO}]*[{_UP}]?[{_LO}]+(?:-[{_UP}{_LO}][{_LO}]+)?"
NAME = rf"{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}"
_TITLE_ALT = "|".join(
    re.escape(form.title()) if not form.endswith(".") else re.escape(form.capitalize())
    for form in sorted(TITLE_FORMS, key=len, reverse=True)
)
TITLED = re.compile(rf"\b(?P<title>{_TITLE_ALT})(?!\w)\s+(?P<name>{NAME})")

# Capitalised words that are not names, wherever they stand.
NOT_NAMES = _words(
    """
    The A An It He She They We I His Her Their Its Our My Your You Me Us Him Them But
    And Or Then When While Later Now Nobody Someone Somebody Something Somewhere
    Everyone Everybody Everything Nothing None No Yes This That These Those There Here
    What Where Why How Who Whom Whose Which If As At In On For With After Before Still
    Meanwhile Once Suddenly Each Every All Both Few Many Most Some Any Another Other
    Such Even Just Only Not Never Always Perhaps Maybe Again Soon Today Tonight Tomorrow
    Yesterday Outside Inside Above Below Behind Beyond Beneath Across Around Through
    Together Finally Instead Yet So Because Although Though Until Since During From Into
    Onto Upon Without Within Over Under Between Among Against Toward Towards Let Do Does
    Did Don Can Could Would Should Will Shall May Might Must Is Are Was Were Be Been
    Have Has Had Oh Ah Hey Okay Ok Well Please Thanks Thank Sorry Good Hello Goodbye
    Look Listen Wait Stop Go Come Help Sir Madam Mom Dad God Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday January February March April June July August
    September October November December Day Year Chapter Part Act Scene Mystery Captain
    Commander Lieutenant Doctor Professor King Queen Officer First Chief English Yeah
    Nope Right Sure Fine Great Wow Damn Hell Whatever Also Besides Though Thus Hence
    Whoever Whatever Somehow Anyway Almost Already Ahead Away Back Down Up Out Off
    """
)
# Words after "the"/"a" before a name that say nothing of what the named one is.
STOP_KINDS = _words(
    """
    same other next last first old new young little great whole station hauler ship airship
    submarine city town village island planet moon colony port street river
    """
)
# Proper nouns that name groups, not places or people.
ORGANISATIONS = _words(
    """
    Council Empire Federation Alliance Guild Order Senate Republic Army Navy Fleet
    Resistance Company Church Crown Coalition Union Directorate Consortium Syndicate
    Legion Academy Institute Corporation Authority Command Collective Hegemony Dominion
    Insurance Bank Ltd Inc Agency Ministry Bureau Police Department Hospital Gym Club
    """
)
PLACES = {
    "Earth": "Planet",
    "Mars": "Planet",
    "Venus": "Planet",
    "Mercury": "Planet",
    "Jupiter": "Planet",
    "Saturn": "Planet",
    "Uranus": "Planet",
    "Neptune": "Planet",
    "Pluto": "Dwarf planet",
    "Titan": "Moon of Saturn",
    "Europa": "Moon of Jupiter",
    "Ganymede": "Moon of Jupiter",
    "Callisto": "Moon of Jupiter",
    "Luna": "Earth's moon",
    "Ceres": "Dwarf planet",
    "Proxima Centauri": "Star system",
    "Alpha Centauri": "Star system",
    "Sol": "Star system",
    "London": "City",
    "Paris": "City",
    "New York": "City",
    "Tokyo": "City",
    "Rome": "City",
    "Berlin": "City",
    "Cairo": "City",
    "Venice": "City",
}
SHIP_NOUNS = (
    r"(?:colony|generation|cargo|mining|research|science|star|space|war|rescue|supply|"
    r"passenger|deep-space|escape)?\s*(?:ship|vessel|freighter|cruiser|frigate|shuttle|"
    r"carrier|destroyer|battleship|starship|spaceship|station|space station|transport|"
    r"probe|submarine|yacht|airship|train)"
)
SHIP = re.compile(
    rf"\b(?P<kind>{SHIP_NOUNS})\s+(?:the\s+)?(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)"
)
SHIP_PREFIX = re.compile(
    rf"\b(?P<kind>Starship|Spaceship|Station|Colony|Planet|Moon|Fort|Mount|Lake|Port|Castle|"
    rf"Temple|Outpost)\s+(?P<name>{NAME_WORD})"
)
PLACE_SUFFIXES = (
    "Station|City|Base|Colony|Outpost|Castle|Forest|Mountains|Valley|Harbor|Harbour|Bay|"
    "Island|Sea|Desert|Street|Square|Market|Tower|Temple|Palace|Prison|Hospital|Spaceport|"
    "Port|Village|Town|Keep|Citadel|Ruins|Lake|River|Hills|Woods|Plains|Nebula|System|Belt"
)
PLACE_WITH_SUFFIX = re.compile(
    rf"\b(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?\s+(?:{PLACE_SUFFIXES}))\b"
)
PART_NOUNS = (
    "bridge|deck|hold|engine room|cargo bay|hangar|med bay|medbay|sickbay|airlock|corridor|"
    "observation deck|command deck|galley|quarters|hall|halls|temple|city|tower|gates|gate|"
    "house|palace|castle|ruins|streets|library|archives|archive|vault|chamber|throne room|"
    "core|heart|surface|dungeons|court|courtyard|docks"
)
PART_OF = re.compile(
    rf"\b(?P<part>(?i:{PART_NOUNS}))\s+of\s+(?P<article>the\s+)?"
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)"
)
THE_NAME = re.compile(
    rf"\b[Tt]he\s+(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)(?!['’]s\s+(?:hand|eyes|face|voice))"
)
PLACE_PREPOSITION = re.compile(
    rf"\b(?:aboard|landed on|landed in|arrived at|arrived on|arrived in|docked at|docked with|"
    rf"orbiting|in orbit around|the surface of|planet|back on)\s+"
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)"
)

# Verbs a person (and seldom a thing) is the subject of.
SPECIFIC_PERSON_VERBS = _words(
    """
    said asked replied answered whispered muttered murmured shouted yelled nodded smiled
    frowned laughed chuckled sighed shrugged grinned winced gasped hesitated swallowed
    blinked scowled smirked wept sobbed exclaimed insisted protested admitted agreed
    promised explained demanded pleaded cursed groaned cried told spoke says asks nods
    smiles
    """
)
GENERAL_PERSON_VERBS = SPECIFIC_PERSON_VERBS | _words(
    """
    stared glanced looked turned walked ran stood sat reached grabbed felt thought knew
    remembered watched listened leaned stepped paced typed pointed raised entered knelt
    froze decided wondered realised realized noticed studied read wrote called began
    continued added argued interrupted joined arrived returned followed handed took gave
    pulled pushed held caught touched tapped squeezed hugged kissed slammed shook
    exhaled inhaled breathed waited checked scanned adjusted activated pressed decoded
    examined opened climbed jumped rushed hurried stumbled trembled keyed studied
    gripped clenched crossed ordered commanded tried managed refused
    """
)
BODY_PARTS = (
    "hand|hands|eyes|face|voice|heart|fingers|jaw|lips|mouth|shoulders|gaze|breath|hair|arm|"
    "arms|smile|expression|mind|brow|throat|stomach|chest|knuckles|cheeks|head|legs|knees|"
    "pulse|tears|frown|laugh|grip"
)
PERSON_NOUNS = (
    "man|woman|boy|girl|child|stranger|officer|engineer|pilot|soldier|doctor|scientist|guard|"
    "merchant|priest|priestess|knight|wizard|witch|mage|thief|hunter|farmer|sailor|captain|"
    "lieutenant|technician|mechanic|medic|navigator|cadet|kid|teenager|figure|alien|android|"
    "robot|researcher|linguist|analyst|hacker|smuggler|trader|diplomat|envoy|courier|nurse|"
    "student|teacher|colonist|crewman|crewmember|crew member|recruit|stowaway|survivor"
)
INTRODUCED = re.compile(
    rf"\b(?:a|an|the)\s+(?P<desc>(?:[a-z\-]+\s+){{0,3}}?(?:{PERSON_NOUNS}))\s+(?:named|called)\s+"
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)"
)
ROLES = (
    "first officer|chief engineer|science officer|security chief|second-in-command|co-pilot|"
    "navigator|pilot|engineer|doctor|medic|commander|lieutenant|captain|sister|brother|mother|"
    "father|daughter|son|wife|husband|best friend|friend|mentor|apprentice|rival|partner|"
    "assistant|bodyguard|advisor|adviser|uncle|aunt|cousin|grandmother|grandfather|lover|"
    "fiancée|fiancé|protégé|old friend|mechanic|navigator"
)
_ROLE_ADJECTIVES = r"(?:(?:young|old|loyal|new|trusted|only|faithful|former|late|ship's)\s+)?"
_OWNER = rf"(?P<owner>(?i:her|his|their|the)|(?P<owner_name>{NAME_WORD})['’]s)"
ROLE_BEFORE = re.compile(
    rf"\b{_OWNER}\s+{_ROLE_ADJECTIVES}(?P<role>(?i:{ROLES})),?\s+"
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)\b"
)
ROLE_AFTER = re.compile(
    rf"(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?),\s+{_OWNER}\s+{_ROLE_ADJECTIVES}(?P<role>{ROLES})\b"
)
# Roles that are also titles: "first officer, Kai Okonkwo" gives "First Officer Okonkwo".
ROLE_TITLES = {
    "first officer": "First Officer",
    "chief engineer": "Chief Engineer",
    "science officer": "Science Officer",
    "commander": "Commander",
    "lieutenant": "Lieutenant",
    "captain": "Captain",
    "doctor": "Dr.",
}
CREW_ROLES = {
    "first officer", "chief engineer", "science officer", "security chief",
    "second-in-command", "co-pilot", "navigator", "pilot", "engineer", "doctor", "medic",
    "mechanic", "lieutenant", "commander",
}  # fmt: skip

DEATH = (
    r"(?:died|dies|perished|passed away|was killed|was murdered|was slain|was executed|"
    r"were killed|is dead|was dead|lay dead|fell dead|breathed (?:his|her|their) last|"
    r"left (?:the \w+|\w+) forever|was gone forever|vanished forever|was lost forever|"
    r"never returned|was buried|drew (?:his|her|their) last breath)"
)
DEATH_AFTER = re.compile(rf"^,?\s+(?:who\s+)?(?:had\s+)?(?:\w+ly\s+)?{DEATH}\b")
KILLED_BEFORE = re.compile(r"\b(?:killed|murdered|executed|slew|assassinated|shot dead)\s+$")
NOT_REAL = re.compile(
    r"\b(?:almost|nearly|not|never|n't|would|could|might|may|if|thought|feared|believed|"
    r"pretended|seemed|supposed|rumou?red|reported|unless|whether|afraid|worried|dreamed|"
    r"dreamt|imagined|wished|wanted|tried to|planned|plotted|threatened)\b",
    re.I,
)
REVIVED = re.compile(
    r"\b(?:alive|survived|came back to life|returned from the dead|rose from the dead|"
    r"resurrected|revived|not dead|wasn't dead|hadn't died)\b",
    re.I,
)

TIME_RELATIVE = re.compile(
    r"\b(?:(?:the\s+)?next\s+(?:morning|day|night|evening|week|month|year)|"
    r"(?:the\s+)?following\s+(?:morning|day|night|evening|week)|"
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|a few|\d+)\s+"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\s+later|"
    r"(?:hours|days|weeks|months|years|moments|minutes)\s+later|"
    r"later\s+that\s+(?:morning|day|night|evening|afternoon)|"
    r"that\s+(?:night|evening|afternoon|morning)|"
    r"at\s+(?:dawn|dusk|noon|midnight|sunrise|sunset|nightfall)|"
    r"by\s+(?:morning|nightfall|dawn|noon|evening)|"
    r"the\s+day\s+after|day\s+\d+|"
    r"after\s+(?:\d+|a|one|two|three|several|many|a few|hundreds of|thousands of)\s+"
    r"(?:\w+\s+)?(?:years|centuries|decades|months|weeks|days|hours)(?:\s+of\s+[a-z]+)?)\b",
    re.I,
)
YEAR = re.compile(r"\b(?:[Yy]ear|[Ii]n)\s+(?P<year>\d{3,4})\b")
ERAS = re.compile(
    r"\b(?P<era>medieval|victorian|ancient|prehistoric|present[- ]day|modern[- ]day|"
    r"far future|distant future|near future|\d{2}(?:st|nd|rd|th) century|\d{4}s)\b",
    re.I,
)
PART_OF_DAY = {
    "dawn": "morning", "sunrise": "morning", "morning": "morning", "noon": "midday",
    "midday": "midday", "afternoon": "afternoon", "evening": "evening", "dusk": "evening",
    "sunset": "evening", "nightfall": "night", "night": "night", "midnight": "night",
}  # fmt: skip
PART_OF_DAY_STATED = re.compile(
    r"\b(?:it\s+was|by\s+now\s+it\s+was)\s+(?:already\s+|now\s+|still\s+)?(?:early\s+|late\s+)?"
    r"(?P<part>morning|noon|midday|afternoon|evening|dusk|dawn|night|midnight)\b",
    re.I,
)

RULE_DURATION = re.compile(
    r"^(?:in this (?:world|universe|age|era|galaxy),\s*)?(?P<subject>[^,;:]{2,60}?)\s+"
    r"(?:always\s+|still\s+)?(?:takes?|required?|requires|lasts?)\s+"
    r"(?P<amount>(?:many\s+|several\s+|at least\s+|\w+\s+)?"
    r"(?:months|years|weeks|decades|centuries|days|generations))\b",
    re.I,
)
RULE_NO_ONE = re.compile(
    r"\b(?P<subject>no one|nobody|nothing|no ship|no human|no living (?:thing|soul)|no \w+)\s+"
    r"(?:can|may|is able to|is allowed to|ever)\s+(?P<act>[a-z][^,;.!?]{2,80})",
    re.I,
)
RULE_CANNOT = re.compile(
    r"^(?:in this (?:world|universe|age|era|galaxy),\s*)?(?P<subject>[^,;:]{2,60}?)\s+"
    r"(?:cannot|can not|can't|can never|are unable to|is unable to)\s+(?P<act>[a-z][^,;.!?]{2,80})",
    re.I,
)
RULE_IMPOSSIBLE = re.compile(r"^(?P<subject>[^,;:]{2,60}?)\s+(?:is|are)\s+impossible\b", re.I)
RULE_FORBIDDEN = re.compile(
    r"^(?:in this (?:world|kingdom|city|empire|age|era),\s*)?(?P<subject>[^,;:]{2,60}?)\s+"
    r"(?:is|are|was|were|has been|had been)\s+(?:strictly\s+|long\s+)?"
    r"(?:forbidden|banned|outlawed|illegal|prohibited)\b",
    re.I,
)
_PRONOUN_SUBJECT = re.compile(r"\b(?:he|she|they|it|we|i|you|his|her|their|my|our)\b", re.I)

THREAD_FAMILIES: dict[str, tuple[str, ...]] = {
    "signal": ("message", "signal", "transmission", "warning", "broadcast", "distress call",
               "beacon"),
    "disappearance": ("disappearance", "vanished", "missing"),
    "murder": ("murder", "killer"),
    "artifact": ("artifact", "artefact", "relic", "device"),
    "prophecy": ("prophecy", "omen"),
    "secret": ("secret",),
    "map": ("map",),
    "curse": ("curse",),
    "letter": ("letter",),
    "stranger": ("stranger",),
}  # fmt: skip
MYSTERY_CUES = re.compile(
    r"\b(?:didn't match|did not match|doesn't match|no one knew|nobody knew|unknown|"
    r"mysterious|strange|impossible|couldn't explain|could not explain|no idea|warning|"
    r"secret|hidden|vanished|disappeared|missing|unexplained|cryptic|encrypted|why|who)\b|"
    r"\.\.\.|…|\?",
    re.I,
)
RESOLVED_CUES = re.compile(
    r"\b(?:solved|resolved|finally understood|finally made sense|the truth was|explained "
    r"everything|mystery was over)\b",
    re.I,
)

TONE_WORDS: dict[str, tuple[str, ...]] = {
    "tense": ("trembl", "danger", "fear", "afraid", "alarm", "warning", "urgent", "panic",
              "threat", "flicker", "sweat", "pound", "dread", "hold her breath",
              "held his breath", "held her breath", "tense", "nervous", "shaking"),
    "mysterious": ("myster", "unknown", "strange", "silence", "signal", "message", "secret",
                   "didn't match", "coordinates", "shadow", "whisper", "cryptic", "riddle",
                   "puzzle", "enigma", "eerie", "..."),
    "dark": ("death", "dead", "blood", "ruin", "grim", "corpse", "kill", "murder", "despair"),
    "hopeful": ("hope", "smil", "laugh", "warm", "sunlight", "bright", "joy", "cheer"),
    "melancholy": ("loss", "grief", "tears", "lonely", "alone", "mourn", "sorrow", "regret"),
    "romantic": ("love", "kiss", "heartbeat", "embrace", "longing"),
    "epic": ("battle", "army", "empire", "war", "legend", "destiny", "armada", "fleet"),
    "whimsical": ("giggl", "silly", "whimsic", "mischiev", "playful", "funny"),
}  # fmt: skip
VISUAL_STYLES = {
    "tense": "dark, atmospheric",
    "mysterious": "dark, atmospheric",
    "dark": "dark, high contrast",
    "hopeful": "bright, warm light",
    "melancholy": "muted colours, soft light",
    "romantic": "warm, soft focus",
    "epic": "sweeping, grand scale",
    "whimsical": "colourful, playful",
    "neutral": "cinematic, naturalistic",
}
GENRE_LABELS = {
    "scifi": "science fiction",
    "drama": "drama",
    "comedy": "comedy",
    "thriller": "thriller",
    "horror": "horror",
    "fantasy": "fantasy",
    "romance": "romance",
    "documentary": "documentary",
    "adventure": "adventure",
    "mystery": "mystery",
}
TRAITS = _words(
    """
    determined analytical loyal clever idealistic stern compassionate brave cautious
    reckless curious stubborn calm nervous anxious kind cold cheerful optimistic
    pessimistic resourceful proud quiet gentle fierce ambitious honest cunning weary
    haunted wise arrogant shy bold patient impatient grim steady sarcastic decisive
    fearless ruthless methodical impulsive warm stoic
    """
)
TRAIT_ADVERBS = {
    "calmly": "calm", "nervously": "nervous", "bravely": "brave", "coldly": "cold",
    "gently": "gentle", "patiently": "patient", "impatiently": "impatient",
    "fiercely": "fierce", "stubbornly": "stubborn", "curiously": "curious",
    "anxiously": "anxious", "cautiously": "cautious", "proudly": "proud", "grimly": "grim",
    "steadily": "steady", "sarcastically": "sarcastic", "decisively": "decisive",
    "warmly": "warm", "methodically": "methodical", "boldly": "bold",
}  # fmt: skip
PLOT_VERBS = re.compile(
    r"\b(?:sent|received|arrived|discovered|found|decoded|attacked|died|killed|escaped|"
    r"revealed|destroyed|launched|landed|vanished|disappeared|broke|exploded|betrayed|"
    r"captured|rescued|stole|learned|decided|warned|appeared|opened|answered|jumped|"
    r"fled|reached|lost|won|crashed|woke|began|ended|realised|realized)\b",
    re.I,
)


# --- text -----------------------------------------------------------------------------------------


@dataclass
class Passage:
    """A piece of prose read once: its sentences with and without the quoted speech."""

    text: str
    sentences: list[str] = field(default_factory=list)  # quotes included
    narration: list[str] = field(default_factory=list)  # quotes taken out
    quotes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, text: str) -> Passage:
        passage = cls(text=text)
        for paragraph in re.split(r"\n\s*\n|\n", text or ""):
            if not paragraph.strip():
                continue
            passage.sentences += english.split_sentences(paragraph)
            narrative: list[str] = []
            for is_quote, part in split_quotes(paragraph):
                if is_quote:
                    passage.quotes.append(part.strip())
                    # A quote that ends its sentence still ends it without the quote.
                    narrative.append(". " if part.rstrip()[-1:] in ".!?…" else " ")
                else:
                    narrative.append(part)
            joined = re.sub(r"([.!?…])(?:\s*\.)+", r"\1", "".join(narrative))
            for sentence in english.split_sentences(joined):
                cleaned = sentence.strip(" ,;:—–-.")
                if english.count_words(cleaned) >= 2:
                    passage.narration.append(sentence.strip(" ,;:—–-"))
        return passage


def narrative_text(passage: Passage) -> str:
    return " ".join(passage.narration)


# --- the cast -------------------------------------------------------------------------------------


def split_title(name: str) -> tuple[str, str]:
    """ "Captain Chen" -> ("Captain", "Chen"); "Maya Chen" -> ("", "Maya Chen")."""
    match = TITLED.fullmatch(name.strip())
    if match:
        return TITLE_FORMS[match.group("title").lower()], match.group("name")
    return "", name.strip()


def name_words(name: str) -> list[str]:
    return split_title(name)[1].split()


class Cast:
    """A bible's characters, looked up by any of their names."""

    def __init__(self, characters: list[dict[str, Any]]) -> None:
        self.characters = characters
        self._reindex()

    def _reindex(self) -> None:
        self.by_name: dict[str, dict[str, Any]] = {}
        words: dict[str, list[dict[str, Any]]] = {}
        for character in self.characters:
            for name in self.names(character):
                self.by_name.setdefault(name.lower(), character)
                for word in name_words(name):
                    if word not in NOT_NAMES and character not in words.setdefault(word, []):
                        words[word].append(character)
        # A lone first name or surname stands for a character only when one has it.
        self.by_word = {word: chars[0] for word, chars in words.items() if len(chars) == 1}
        self.pattern = self._pattern()

    def _pattern(self) -> re.Pattern[str] | None:
        forms = set(self.by_name) | {w.lower() for w in self.by_word}
        if not forms:
            return None
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return re.compile(rf"(?<![\w'’])(?:{alternatives})(?![\w])", re.I)

    @staticmethod
    def names(character: dict[str, Any]) -> list[str]:
        return [character["canonicalName"], *character.get("aliases", [])]

    def add(self, character: dict[str, Any]) -> None:
        self.characters.append(character)
        self._reindex()

    def changed(self) -> None:
        self._reindex()

    def resolve(self, mention: str) -> dict[str, Any] | None:
        """The character a name stands for ("Captain Chen", "Maya", "Chen"), or None."""
        mention = " ".join(mention.split())
        found = self.by_name.get(mention.lower())
        if found:
            return found
        title, bare = split_title(mention)
        words = bare.split()
        if title:
            # A title with a known name: it is that person if they hold the title, or if
            # they have no title on record ("Dr. Okonkwo" for Kai Okonkwo is a new title).
            holder = self.by_word.get(words[-1]) if words else None
            holds = holder is not None and (title in self.titles(holder) or not self.titles(holder))
            if holds and (len(words) == 1 or self.resolve(bare) is holder):
                return holder
            return None
        if len(words) == 1:
            return self.by_word.get(words[0])
        exact = self.by_name.get(bare.lower())
        return exact

    def mentions(self, sentence: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """(start, end, character) for each known name in `sentence`, in order."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(sentence):
            text = match.group(0)
            if not text[:1].isupper():
                continue  # "kai" inside a word or a lower-case common noun
            character = self.resolve(text)
            if character is not None:
                yield match.start(), match.end(), character

    def titles(self, character: dict[str, Any]) -> set[str]:
        return {t for t in (split_title(n)[0] for n in self.names(character)) if t}

    def holders(self, title: str) -> list[dict[str, Any]]:
        return [c for c in self.characters if title in self.titles(c)]

    @staticmethod
    def surname(character: dict[str, Any]) -> str:
        words = name_words(character["canonicalName"])
        return words[-1] if words else ""

    @staticmethod
    def given_name(character: dict[str, Any]) -> str:
        words = name_words(character["canonicalName"])
        return words[0] if len(words) > 1 else ""


# --- finding people -------------------------------------------------------------------------------


@dataclass
class PersonFound:
    """A person the prose names, with what it says of them."""

    name: str  # the full name as found, without title ("Maya Chen", "Williams")
    title: str = ""  # "Captain", "Dr."
    role: str = ""  # "first officer"
    description: str = ""
    owner: str = ""  # whose role it is: a name, "her"/"his", "the"
    sentence: int = 0
    strong: bool = False  # titled, introduced or given a role: a person for sure


def _is_name(candidate: str) -> bool:
    words = candidate.split()
    return (
        bool(words)
        and not any(w in NOT_NAMES or w in ORGANISATIONS for w in words)
        and words[0].lower() not in TITLE_KEYS  # titled names are read by find_titled
    )


def find_titled(passage: Passage) -> Iterator[tuple[int, re.Match[str]]]:
    """Titled names anywhere, quotes included ("Captain Williams wants you")."""
    for index, sentence in enumerate(passage.sentences):
        for match in TITLED.finditer(sentence):
            name = _trim_name(match.group("name"))
            if name:
                yield index, match


def _trim_name(name: str) -> str:
    """Drop trailing capitalised words that are not names ("Chen Then" -> "Chen")."""
    words = name.split()
    while words and (words[-1] in NOT_NAMES or words[-1] in ORGANISATIONS):
        words.pop()
    return " ".join(words)


def find_people(
    passage: Passage, places: set[str], speakers: Iterable[str] = ()
) -> list[PersonFound]:
    """People the prose names, on evidence (see the module docstring), in order of appearance."""
    found: list[PersonFound] = []
    for index, match in find_titled(passage):
        name = _trim_name(match.group("name"))
        title = TITLE_FORMS[match.group("title").lower()]
        after = passage.sentences[index][match.end() :]
        affiliation = re.match(
            r"\s+of\s+(?P<the>the\s+)(?:[a-z\-]+\s+){0,3}(?P<name>" + NAME_WORD + r")", after
        ) or re.match(r"\s+of\s+(?P<the>)(?P<name>" + NAME_WORD + r")", after)
        role = TITLE_DESCRIPTIONS.get(title, title)
        if affiliation and role:
            role += f" of {'the ' if affiliation.group('the') else ''}{affiliation.group('name')}"
        description = role
        found.append(PersonFound(name, title=title, description=description, sentence=index,
                                 strong=True))  # fmt: skip
    for index, sentence in enumerate(passage.narration):
        for match in ROLE_BEFORE.finditer(sentence):
            name = _trim_name(match.group("name"))
            if _is_name(name) and name not in places:
                role = match.group("role").lower()
                found.append(PersonFound(name, role=role, owner=match.group("owner"),
                                         description=english.capitalise(role), sentence=index,
                                         strong=True))  # fmt: skip
        for match in ROLE_AFTER.finditer(sentence):
            name = _trim_name(match.group("name"))
            if _is_name(name) and name not in places and not TITLED.fullmatch(name):
                role = match.group("role").lower()
                found.append(PersonFound(name, role=role, owner=match.group("owner"),
                                         description=english.capitalise(role), sentence=index,
                                         strong=True))  # fmt: skip
        for match in INTRODUCED.finditer(sentence):
            name = _trim_name(match.group("name"))
            if _is_name(name) and name not in places:
                found.append(PersonFound(name, description=english.capitalise(match.group("desc")),
                                         sentence=index, strong=True))  # fmt: skip
        for match in re.finditer(rf"(?<![\w'’])(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)", sentence):
            name = _trim_name(match.group("name"))
            if not _is_name(name) or name in places or _after_article(sentence, match.start()):
                continue
            if _preceded_by_title(sentence, match.start()):
                continue
            if _person_evidence(sentence, match, name):
                found.append(PersonFound(name, sentence=index))
    for speaker in speakers:
        speaker = " ".join(str(speaker).split())
        if (
            speaker
            and speaker.lower() not in ("unknown", "narrator")
            and re.fullmatch(rf"{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}", speaker)
            and _is_name(speaker)
            and speaker not in places
        ):
            found.append(PersonFound(speaker, sentence=len(passage.narration)))
    return found


def _after_article(sentence: str, start: int) -> bool:
    """ "the Horizon", "of Veyra", "in Paris": a name after these is not a person's."""
    return bool(
        re.search(
            r"\b(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat|[Oo]ur|[Tt]heir|of|from|in|at|on|into|onto|near|"
            r"across|through|beyond|under|over)\s+$",
            sentence[:start],
        )
    )


def _preceded_by_title(sentence: str, start: int) -> bool:
    before = sentence[:start].rstrip()
    last = before.split()[-1].lower().rstrip(".") if before.split() else ""
    return last in TITLE_KEYS


def _person_evidence(sentence: str, match: re.Match[str], name: str) -> bool:
    after = sentence[match.end() :]
    at_start = not sentence[: match.start()].strip(" \"'“‘")
    if re.match(rf"['’]s\s+(?:\w+\s+)?(?:{BODY_PARTS})\b", after):
        return True
    verb = re.match(r"\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)\b", after)
    if verb:
        word = verb.group("verb")
        if word in SPECIFIC_PERSON_VERBS:
            return True
        if re.match(
            r"\s+(?:\w+ly\s+)?(?:shook|cleared|bit|rubbed|crossed)\s+(?:his|her|their)\b", after
        ):
            return True
        if word in GENERAL_PERSON_VERBS and (not at_start or len(name.split()) > 1):
            return True
    # "…," said Lena / asked Kai
    before = sentence[: match.start()]
    return bool(
        re.search(r"\b(?:said|asked|replied|whispered|answered|shouted|muttered)\s+$", before)
    )


# --- finding places -------------------------------------------------------------------------------


@dataclass
class PlaceFound:
    name: str
    description: str
    sentence: int


def find_places(passage: Passage, person_names: set[str]) -> list[PlaceFound]:
    """Ships, planets and places the prose names (quotes included: "Earth is no longer Earth")."""
    found: list[PlaceFound] = []

    def add(name: str, description: str, index: int) -> None:
        name = _trim_name(name) if not re.search(PLACE_SUFFIXES, name) else name
        if not name or name in person_names or any(w in ORGANISATIONS for w in name.split()):
            return
        if any(w.lower().rstrip(".") in TITLE_KEYS for w in name.split()):
            return  # "the Duke of Marrow" is a person without a name
        if any(w in NOT_NAMES for w in name.split()) and name not in PLACES:
            return
        found.append(PlaceFound(name, description, index))

    for index, sentence in enumerate(passage.sentences):
        for match in PART_OF.finditer(sentence):
            part = match.group("part").lower()
            article = "the " if match.group("article") else ""
            target = _trim_name(match.group("name"))
            if target and target not in person_names:
                add(f"{english.title_case(part)} of {article}{target}", "", index)
        for match in SHIP.finditer(sentence):
            kind = " ".join(match.group("kind").split())
            add(match.group("name"), english.capitalise(kind.lower()), index)
        for match in SHIP_PREFIX.finditer(sentence):
            kind = match.group("kind")
            # "Starship Horizon" is the Horizon; "Port Haven" is the place's whole name.
            if kind in ("Fort", "Mount", "Lake", "Port", "Castle", "Temple", "Outpost"):
                add(f"{kind} {match.group('name')}", "", index)
            else:
                add(match.group("name"), kind, index)
        for match in PLACE_WITH_SUFFIX.finditer(sentence):
            add(match.group("name"), "", index)
        for match in THE_NAME.finditer(sentence):
            name = _trim_name(match.group("name"))
            if (
                name
                and not _preceded_by_title(sentence, match.start("name"))
                and not TITLED.match(name)
            ):
                add(name, "", index)
        for match in PLACE_PREPOSITION.finditer(sentence):
            add(match.group("name"), "", index)
        for place, description in PLACES.items():
            if re.search(rf"(?<![\w'’]){re.escape(place)}(?!\w)(?!\s*\d)", sentence):
                add(place, description, index)
    return found


# --- time, rules, threads, tone -------------------------------------------------------------------


def find_time_phrases(passage: Passage) -> list[str]:
    """Time expressions in the narration, in order ("After 500 years of silence")."""
    phrases = []
    for sentence in passage.narration:
        for match in TIME_RELATIVE.finditer(sentence):
            phrases.append(english.capitalise(" ".join(match.group(0).split())))
        for match in PART_OF_DAY_STATED.finditer(sentence):
            phrases.append(english.capitalise(match.group("part").lower()))
    return phrases


def find_time_period(*texts: str) -> str:
    for text in texts:
        match = YEAR.search(text or "")
        if match:
            return f"Year {match.group('year')}"
    for text in texts:
        match = ERAS.search(text or "")
        if match:
            return english.capitalise(match.group("era").lower())
    return ""


def _generic_subject(subject: str, cast: Cast | None) -> bool:
    """A rule is about kinds of things ("FTL travel"), not about a person or "she"."""
    subject = subject.strip()
    if not subject or english.count_words(subject) > 7 or _PRONOUN_SUBJECT.search(subject):
        return False
    if cast is not None and any(True for _ in cast.mentions(subject)):
        return False
    return not TITLED.search(subject)


def find_world_rules(passage: Passage, cast: Cast | None = None) -> list[str]:
    """Statements of how the world works, from narration in the present tense or a ban."""
    rules: list[str] = []
    for sentence in passage.narration:
        if sentence.rstrip().endswith("?"):
            continue
        clause = sentence.strip().rstrip(".!…")
        for pattern in (RULE_DURATION, RULE_CANNOT, RULE_IMPOSSIBLE, RULE_FORBIDDEN):
            match = pattern.match(clause)
            if match and _generic_subject(match.group("subject"), cast):
                rules.append(english.capitalise(clause))
                break
        else:
            match = RULE_NO_ONE.search(clause)
            if match and not re.search(r"\b(?:could|was|were|had)\b", clause[: match.start()]):
                rules.append(english.capitalise(clause))
    return rules


def find_threads(passage: Passage, places: dict[str, str], cast: Cast) -> list[dict[str, str]]:
    """Plot threads: a message, a secret, an open question, and whose they are."""
    threads: list[dict[str, str]] = []
    sentences = passage.narration
    for index, sentence in enumerate(sentences):
        lowered = sentence.lower()
        nearby = " ".join(sentences[index : index + 2])
        for family, nouns in THREAD_FAMILIES.items():
            noun = next((n for n in nouns if re.search(rf"\b{re.escape(n)}\b", lowered)), None)
            if noun is None:
                continue
            resolved = bool(RESOLVED_CUES.search(sentence))
            if not resolved and not MYSTERY_CUES.search(nearby):
                continue
            owner = _thread_owner(sentence, places, cast)
            threads.append(
                {
                    "family": family,
                    "description": f"Mystery of {owner}{noun}"
                    if owner
                    else f"Mystery of the {noun}",
                    "status": "resolved" if resolved else "active",
                }
            )
            break
        if sentence.rstrip().endswith("?") and english.count_words(sentence) >= 3:
            threads.append(
                {
                    "family": "",
                    "description": f"Open question: {sentence.strip()}",
                    "status": "active",
                }
            )
    return threads


def _thread_owner(sentence: str, places: dict[str, str], cast: Cast) -> str:
    """ "the Aurora's " for a sentence about what the Aurora sent."""
    for place in sorted(places, key=len, reverse=True):
        where = re.search(rf"(?<![\w'’])(?P<article>[Tt]he\s+)?{re.escape(place)}(?!\w)", sentence)
        if where:
            ship = re.search(SHIP_NOUNS, places[place].lower()) if places[place] else None
            article = "the " if where.group("article") or ship else ""
            return f"{article}{place}'s "
    for _start, _end, character in cast.mentions(sentence):
        return f"{character['canonicalName']}'s "
    return ""


def tone_of(text: str) -> list[str]:
    """Mood words for a passage, strongest first (at most two)."""
    lowered = text.lower()
    scores = {tone: sum(lowered.count(w) for w in words) for tone, words in TONE_WORDS.items()}
    ranked = sorted((tone for tone in scores if scores[tone]), key=lambda t: -scores[t])
    return ranked[:2]


def traits_in(sentence: str, end: int) -> list[str]:
    """Trait words about the person named just before `end` in `sentence`."""
    window = sentence[end:].lower().split()[:8]
    traits = []
    for word in (w.strip(",.;:!?—–-\"'“”‘’") for w in window):
        if word in TRAITS:
            traits.append(word)
        elif word in TRAIT_ADVERBS:
            traits.append(TRAIT_ADVERBS[word])
    return traits


# --- deaths and whereabouts -----------------------------------------------------------------------


def find_deaths(passage: Passage, cast: Cast) -> list[tuple[int, dict[str, Any]]]:
    """(narration sentence index, character) for each death the narration states as fact.

    "Kai died", "Kai was killed", "the blast killed Kai", "He died" (the last one named);
    not "Kai almost died", "if Kai died", "she feared Kai was dead", nor questions.
    """
    deaths: list[tuple[int, dict[str, Any]]] = []
    last: dict[str, Any] | None = None
    for index, sentence in enumerate(passage.narration):
        mentioned = list(cast.mentions(sentence))
        if sentence.rstrip().endswith("?"):
            continue
        pronoun = re.match(r"^(?:He|She|They)\b", sentence)
        death = DEATH_AFTER.match(sentence[pronoun.end() :]) if pronoun else None
        said = sentence[: pronoun.end() + death.end()] if pronoun and death else ""
        if said and last is not None and not NOT_REAL.search(said):
            deaths.append((index, last))
        for start, end, character in mentioned:
            # Only the clause that says it counts: "Kai almost died", "if Kai died", "she
            # feared Kai was dead" are no deaths; "she could not sleep, thinking of Oren,
            # who had died" is one.
            clause = max(sentence.rfind(mark, 0, start) for mark in ",;:—") + 1
            after = DEATH_AFTER.match(sentence[end:])
            if after:
                said = sentence[clause : end + after.end()]
            elif KILLED_BEFORE.search(sentence[clause:start]):
                said = sentence[clause:end]
            else:
                continue
            if not NOT_REAL.search(said):
                deaths.append((index, character))
        if mentioned:
            last = mentioned[-1][2]
    return deaths


def find_revivals(passage: Passage, cast: Cast) -> list[tuple[int, dict[str, Any]]]:
    """Characters the narration says are alive after all ("Kai had survived")."""
    found = []
    for index, sentence in enumerate(passage.narration):
        if sentence.rstrip().endswith("?") or not REVIVED.search(sentence):
            continue
        if re.search(r"\b(?:no longer|not alive|wasn't alive|never|if|hoped|wished)\b", sentence):
            continue
        found += [(index, character) for _s, _e, character in cast.mentions(sentence)]
    return found


MOVE_WORDS = (
    r"arriv\w*|land\w*|dock\w*|return\w*|reach\w*|enter\w*|travel\w*|flew|fly\w*|went|go|"
    r"goes|going|came|come|head\w*|walk\w*|ran|run\w*|step\w*|mov\w*|hurr\w*|rush\w*|"
    r"board\w*|beam\w*|teleport\w*|jump\w*|sail\w*|rode|drove|climb\w*|transport\w*|back|"
    r"left|leav\w*|set off|set out|made (?:his|her|their|our) way|took (?:a|the) \w+ to"
)
PRESENCE_VERBS = (
    r"was|were|is|are|stood|sat|waited|remained|stayed|lay|knelt|paced|worked|slept|"
    r"gathered|lived|hid|woke|sits|stands|waits"
)


def _place_pattern(name: str) -> str:
    escaped = re.escape(name)
    # "Bridge of the Horizon" is also written "the bridge of the Horizon".
    if " of " in name:
        head, tail = name.split(" of ", 1)
        escaped = f"(?i:{re.escape(head)}) of {re.escape(tail)}"
    return rf"(?:[Tt]he\s+)?{escaped}(?!\w)"


def find_presences(sentence: str, places: Iterable[str]) -> list[tuple[int, str, bool]]:
    """(position, place, moved) where the sentence puts its people at a known place.

    `moved` when they go there ("arrived at", "back on", "boarded") rather than are there
    ("aboard the Horizon", "On Earth, …", "stood on the bridge of the Horizon"). A place
    merely named ("a message from the Aurora", "Earth is no longer Earth") is neither.
    """
    found: list[tuple[int, str, bool]] = []
    taken: list[tuple[int, int]] = []
    for place in sorted(set(places), key=len, reverse=True):
        if not place:
            continue
        where = _place_pattern(place)
        patterns = (
            (rf"\b(?:{MOVE_WORDS})\b[^.;!?]{{0,40}}?\b(?:to|into|onto|on|at|in|for|toward|"
             rf"towards|aboard|reach\w*|board\w*)\s+{where}", True),
            (rf"\b(?:reached|boarded|entered)\s+{where}", True),
            (rf"\b(?:aboard|inside|within)\s+{where}", False),
            (rf"^(?:On|In|At|Aboard|Inside)\s+{where}", False),
            (rf"\b(?:{PRESENCE_VERBS})\s+(?:\w+\s+){{0,2}}?(?:on|in|at|aboard|inside)\s+{where}",
             False),
        )  # fmt: skip
        for pattern, moved in patterns:
            match = re.search(pattern, sentence)
            if match and not any(s <= match.end() and match.end() <= e for s, e in taken):
                found.append((match.end(), place, moved))
                taken.append((match.start(), match.end()))
                break
    return sorted(found)


def same_place(a: str, b: str) -> bool:
    """ "Bridge of the Horizon" is on the "Horizon"; one place contains the other."""
    a, b = a.lower(), b.lower()
    return (
        a == b
        or re.search(rf"\b{re.escape(a)}\b", b) is not None
        or (re.search(rf"\b{re.escape(b)}\b", a) is not None)
    )
