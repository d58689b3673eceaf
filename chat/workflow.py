"""The workflow's choices, written offline from the decisions so far and the project's assets.

Pure functions: no database, no HTTP. `offer(step, context, references)` answers 2 to 4
choices for a step; `decide(step, choice, custom_input)` turns a picked choice into what
`contextData` records. A choice's `metadata` carries the structured decision (`value`), so a
client sees what picking it means, and the reference images it draws on (`referenceIds`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chat.choices import STEPS

MIN_CHOICES, MAX_CHOICES = 2, 4

# Which context key each step's decision fills.
DECISION_KEYS: dict[str, str] = {
    "concept-development": "concept",
    "genre-selection": "genre",
    "setting-selection": "setting",
    "character-development": "characters",
    "plot-outline": "plot",
    "episode-breakdown": "episodes",
    "visual-style": "style",
    "sound-design": "sound",
    "storyboard": "storyboard",
    "production": "production",
}

GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "action": ("action", "chase", "fight", "explosion", "rooftop", "heist", "combat"),
    "thriller": ("thriller", "spy", "conspiracy", "detective", "crime", "night", "dark"),
    "science fiction": ("space", "robot", "future", "alien", "ship", "planet", "ai", "cyber"),
    "fantasy": ("dragon", "magic", "wizard", "kingdom", "sword", "forest", "myth"),
    "drama": ("family", "loss", "love", "grief", "friendship", "home"),
    "comedy": ("funny", "comedy", "absurd", "prank", "wedding", "bright"),
    "horror": ("ghost", "haunted", "monster", "fear", "blood", "shadow"),
    "adventure": ("journey", "treasure", "island", "quest", "explore", "ocean", "mountain"),
}
GENRE_SETTINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "action": (
        ("Rain-slick megacity", "Rooftops, freeways and neon alleys"),
        ("Desert border town", "Heat haze, dust roads and a dam"),
    ),
    "thriller": (
        ("Harbour city at night", "Container docks, ferries and rain"),
        ("Alpine research station", "Snowed in, one road out"),
    ),
    "science fiction": (
        ("Generation ship", "Decks of gardens, engines and cold sleep"),
        ("Orbital port", "Docking rings above a storm planet"),
    ),
    "fantasy": (
        ("River kingdom", "Stone bridges, barges and a drowned temple"),
        ("Ancient forest", "Roots taller than towers and a hidden court"),
    ),
    "drama": (
        ("Coastal village", "A harbour, a failing cannery and one pub"),
        ("Family farmhouse", "Fields at harvest and a kitchen table"),
    ),
    "comedy": (
        ("Seaside hotel", "Faded grandeur and too many guests"),
        ("Small-town bakery", "Flour, gossip and a contest"),
    ),
    "horror": (
        ("Abandoned sanatorium", "Tiled corridors and a locked wing"),
        ("Fog-bound island", "A lighthouse and a ferry that stopped coming"),
    ),
    "adventure": (
        ("Uncharted archipelago", "Reefs, ruins and a volcano"),
        ("Mountain pass", "Glaciers, rope bridges and a monastery"),
    ),
}
PLOTS: tuple[tuple[str, str], ...] = (
    ("Three-act rise", "A call, a costly middle, a final choice"),
    ("Race against time", "A deadline drives every scene"),
    ("Mystery unfolding", "Each scene answers one question and asks a new one"),
    ("Ensemble converging", "Separate threads meet in the last act"),
)
SOUNDS: dict[str, tuple[str, str]] = {
    "action": ("Driving percussion", "Taiko drums, synth bass and hard cuts"),
    "thriller": ("Low pulsing synths", "Sparse piano over a heartbeat pulse"),
    "science fiction": ("Ambient electronics", "Wide pads and processed chimes"),
    "fantasy": ("Orchestral themes", "Strings, horns and a choir motif"),
    "drama": ("Intimate strings", "Solo cello and room tone"),
    "comedy": ("Playful woodwinds", "Pizzicato strings and brass stings"),
    "horror": ("Dissonant drones", "Scraped strings and silence"),
    "adventure": ("Soaring brass", "Full orchestra with a travelling rhythm"),
}
STORYBOARDS: tuple[tuple[str, str, int], ...] = (
    ("Wide establishing opening", "Open wide on the setting, then close in on the lead", 4),
    ("Character-first close-ups", "Start on the lead's face, reveal the world around them", 3),
    ("Single continuous take", "One moving camera through the scene", 2),
)
STYLES: tuple[tuple[str, str], ...] = (
    ("High-contrast noir", "Deep shadows, hard light, desaturated colour"),
    ("Warm painterly", "Soft light and golden tones"),
    ("Cool cinematic", "Teal shadows, clean highlights, anamorphic feel"),
)
CHARACTER_ARCHETYPES: tuple[tuple[str, str, list[str]], ...] = (
    ("Mara Vale", "a reluctant expert pulled back for one last job", ["resourceful", "guarded"]),
    ("Theo Okafor", "an idealist newcomer who sees what others miss", ["curious", "stubborn"]),
    ("Ines Cardenas", "a veteran leader hiding a costly mistake", ["commanding", "haunted"]),
)


@dataclass(frozen=True)
class Reference:
    """What the chat reads of one analysed asset of the project."""

    id: str
    name: str
    kind: str
    media_type: str
    description: str
    tags: list[str]
    colours: list[str] = field(default_factory=list)  # colour names, largest share first
    hexes: list[str] = field(default_factory=list)
    tone: str = ""
    brightness: str = ""

    @property
    def is_character(self) -> bool:
        words = f"{self.media_type} {self.name}".lower()
        return any(w in words for w in ("character", "costume", "actor", "portrait", "hero"))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def rank_genres(context: dict[str, Any], references: list[Reference]) -> list[str]:
    """Genres by how many of their words the concept and the references' tags use."""
    words = _words(str(context.get("concept", {}).get("text", "")))
    for ref in references:
        words |= _words(" ".join([ref.description, *ref.tags]))
    scored = sorted(
        GENRE_WORDS, key=lambda g: (-len(words & set(GENRE_WORDS[g])), list(GENRE_WORDS).index(g))
    )
    return scored


def _choice(n: int, title: str, description: str, **metadata: Any) -> dict[str, Any]:
    return {"id": f"choice-{n}", "title": title, "description": description, "metadata": metadata}


def _genre(context: dict[str, Any]) -> str:
    return str((context.get("genre") or {}).get("value") or "drama")


def offer(step: str, context: dict[str, Any], references: list[Reference]) -> list[dict[str, Any]]:
    """2 to 4 choices for `step`, from the decisions in `context` and the `references`."""
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}")
    builder = _BUILDERS[step]
    options = builder(context, references)
    return [_choice(i + 1, *opt[:2], **opt[2]) for i, opt in enumerate(options[:MAX_CHOICES])]


Option = tuple[str, str, dict[str, Any]]


def _concept(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    text = str(context.get("concept", {}).get("text", "")).strip() or "An original story"
    short = text if len(text) <= 120 else text[:117].rsplit(" ", 1)[0] + "…"
    options: list[Option] = [
        ("Keep the concept as told", short, {"value": text, "tone": "as told"}),
        (
            "A darker take",
            f"{short} — with higher stakes and a cost to winning",
            {"value": f"{text} (darker, higher stakes)", "tone": "dark"},
        ),
        (
            "A lighter take",
            f"{short} — warmer, with humour between the tension",
            {"value": f"{text} (lighter, with humour)", "tone": "light"},
        ),
    ]
    if refs:
        ref = refs[0]
        options.append(
            (
                f"Built around “{ref.name}”",
                f"{short} — shaped by: {ref.description}",
                {
                    "value": f"{text}. Visual anchor: {ref.description}",
                    "tone": "reference",
                    "referenceIds": [ref.id],
                },
            )
        )
    return options


def _genres(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    ranked = rank_genres(context, refs)[:4]
    return [(g.title(), f"Genre: {g}", {"value": g, "rank": i + 1}) for i, g in enumerate(ranked)]


def _settings(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    genre = _genre(context)
    options: list[Option] = [
        (title, desc, {"value": title, "genre": genre})
        for title, desc in GENRE_SETTINGS.get(genre, GENRE_SETTINGS["drama"])
    ]
    for ref in refs:
        if not ref.is_character and ref.kind == "image":
            options.insert(
                0,
                (
                    f"The world of “{ref.name}”",
                    ref.description,
                    {"value": ref.description, "referenceIds": [ref.id]},
                ),
            )
            break
    return options[:3]


def _characters(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    genre = _genre(context)
    options: list[Option] = []
    for ref in refs:
        if ref.is_character:
            traits = [t for t in ref.tags if t not in ("portrait", "landscape", "square")][:4]
            look = ", ".join(ref.colours[:3])
            name = ref.name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").title()
            desc = f"The lead as in your reference: {ref.description}"
            options.append(
                (
                    f"{name} (from your reference)",
                    desc,
                    {
                        "value": [
                            {
                                "name": name,
                                "description": desc,
                                "traits": traits,
                                "look": look,
                                "relationships": [],
                            }
                        ],
                        "referenceIds": [ref.id],
                    },
                )
            )
    lead, second, third = CHARACTER_ARCHETYPES
    for a, b in ((lead, second), (second, third), (third, lead)):
        rel = [{"target": b[0], "type": "ally"}]
        value = [
            {
                "name": a[0],
                "description": f"{a[1]} in this {genre} story",
                "traits": a[2],
                "relationships": rel,
            },
            {
                "name": b[0],
                "description": b[1],
                "traits": b[2],
                "relationships": [{"target": a[0], "type": "ally"}],
            },
        ]
        options.append(
            (f"{a[0]} and {b[0]}", f"{a[0]}, {a[1]}; with {b[0]}, {b[1]}", {"value": value})
        )
    return options[:4]


def _plots(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    lead = ((context.get("characters") or {}).get("value") or [{}])[0].get("name", "the lead")
    setting = (context.get("setting") or {}).get("value", "the setting")
    return [(t, f"{d}: {lead} in {setting}", {"value": f"{t}: {d}"}) for t, d in PLOTS[:3]]


def _episodes(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    planned = int(context.get("episodeCount") or 3)
    counts = sorted({1, max(1, planned), min(50, planned + 2)})
    return (
        [
            (
                f"{n} episode{'s' if n > 1 else ''}",
                f"The story told in {n} part(s)",
                {"value": n, "duration": f"{n} episode{'s' if n > 1 else ''}"},
            )
            for n in counts
        ][:3]
        if len(counts) >= 2
        else [
            ("1 episode", "One self-contained film", {"value": 1}),
            ("3 episodes", "A short series", {"value": 3}),
        ]
    )


def _styles(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    options: list[Option] = []
    for ref in refs:
        if ref.colours:
            palette = ", ".join(ref.colours[:3])
            options.append(
                (
                    f"Palette of “{ref.name}”",
                    f"{ref.brightness or 'balanced'}, {ref.tone or 'neutral'}-toned: {palette}",
                    {
                        "value": f"{ref.tone} palette of {palette}",
                        "palette": ref.hexes[:5],
                        "referenceIds": [ref.id],
                    },
                )
            )
            break
    options += [(t, d, {"value": f"{t}: {d}"}) for t, d in STYLES]
    return options[:4]


def _sounds(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    genre = _genre(context)
    own = SOUNDS.get(genre, SOUNDS["drama"])
    others = [s for g, s in SOUNDS.items() if g != genre][:2]
    return [(t, d, {"value": f"{t}: {d}"}) for t, d in [own, *others]]


def _storyboards(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    return [(t, d, {"value": t, "shots": n}) for t, d, n in STORYBOARDS]


def _production(context: dict[str, Any], refs: list[Reference]) -> list[Option]:
    return [
        (
            "Render the first scene",
            "Create the scene, its Scene Bible and render segment 1",
            {"value": "render", "durationSeconds": 12},
        ),
        (
            "Render a short preview",
            "The same scene, a shorter first segment",
            {"value": "preview", "durationSeconds": 6},
        ),
    ]


_BUILDERS = {
    "concept-development": _concept,
    "genre-selection": _genres,
    "setting-selection": _settings,
    "character-development": _characters,
    "plot-outline": _plots,
    "episode-breakdown": _episodes,
    "visual-style": _styles,
    "sound-design": _sounds,
    "storyboard": _storyboards,
    "production": _production,
}


def decide(step: str, choice: dict[str, Any], custom_input: str = "") -> dict[str, Any]:
    """The decision `contextData` records for a picked choice; `customInput` refines it (it
    is kept as `custom`, and replaces a text value)."""
    metadata = choice.get("metadata") or {}
    value = metadata.get("value", choice.get("title"))
    decision: dict[str, Any] = {"choiceId": choice["id"], "title": choice["title"], "value": value}
    if custom_input:
        decision["custom"] = custom_input
        if isinstance(value, str):
            decision["value"] = custom_input
    if metadata.get("referenceIds"):
        decision["referenceIds"] = list(metadata["referenceIds"])
    if metadata.get("palette"):
        decision["palette"] = list(metadata["palette"])
    return decision
