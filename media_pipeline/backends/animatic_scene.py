"""The animatic's drawings: a prompt's words become a storyboard scene in three parallax layers.

Everything here runs once per shot, before its frames: the per-frame work (animatic.py) only
crops, pastes and scales what is drawn here. A scene is a pure function of the prompt, the
style, the size and a random generator seeded from the request, so a seed redraws it exactly.

Coordinates: a layer is drawn larger than the frame (its margins leave room for the camera to
move); `u` runs 0..1 across the frame's width and `v` 0..1 down its height at rest, so what
sits in the frame at rest does not depend on how far the camera will move.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]

# --- What the words of a script ask for -------------------------------------------------------

NIGHT = {
    "night", "midnight", "moonlit", "moonlight", "nighttime", "darkness", "neon", "tonight",
    "nightfall",
}  # fmt: skip
SUNSET = {"sunset", "dusk", "twilight", "sundown", "evening", "golden"}
DAWN = {"dawn", "sunrise", "daybreak"}
DAY = {"afternoon", "noon", "midday", "daylight", "bright", "blazing", "summer", "morning"}
# Outside, among the stars.
SPACE = {
    "space", "galaxy", "orbit", "orbiting", "nebula", "cosmos", "asteroid", "asteroids",
    "spacewalk", "void", "starfield", "hyperspace",
}  # fmt: skip
# Words that put a story in a spacefaring world: there, a "ship" is a spacecraft.
SCIFI = SPACE | {
    "starship", "spaceship", "spacecraft", "colony", "station", "reactor", "airlock",
    "hyperdrive", "warp", "cryo", "shuttle", "android", "droid", "laser", "lasers", "alien",
    "mars", "jupiter", "saturn", "planet", "rover", "shields", "helmet", "freighter", "ensign",
    "admiral", "commander", "viewport", "cockpit", "hatch", "thrusters", "engines",
}  # fmt: skip
# Inside a spacecraft (or a habitat): the things one sees there.
SHIP_INSIDE = {
    "bridge", "console", "consoles", "cockpit", "display", "displays", "viewport", "corridor",
    "corridors", "cabin", "reactor", "hatch", "hatches", "controls", "panel", "panels", "pod",
    "aboard", "inside", "dome", "screen", "screens", "switches", "armrest", "quarters",
    "recyclers", "hangar",
}  # fmt: skip
# Outside a spacecraft: what it does out there.
SHIP_OUTSIDE = {
    "drifted", "drifts", "floated", "floats", "slipped", "hurtled", "cruised", "orbit",
    "orbiting", "spacewalk", "outside", "asteroids", "asteroid", "flaring",
}  # fmt: skip
INTERIOR = {
    "room", "kitchen", "office", "bar", "interior", "inside", "indoors", "bedroom", "hall",
    "library", "classroom", "cafe", "restaurant", "studio", "apartment", "corridor", "lab",
    "laboratory", "tavern", "diner", "shop", "museum", "living", "attic", "basement", "cellar",
    "bathroom", "inn", "pub", "church", "chapel", "courtroom", "hospital", "ward", "train",
}  # fmt: skip
WATER = {
    "sea", "ocean", "beach", "lake", "river", "harbor", "harbour", "shore", "coast", "waves",
    "bay", "island", "pier", "seaside", "lagoon", "sail", "sailing", "dock",
}  # fmt: skip
CITY = {
    "city", "street", "streets", "town", "skyline", "downtown", "building", "buildings",
    "skyscraper", "skyscrapers", "alley", "metropolis", "rooftop", "rooftops", "avenue",
}  # fmt: skip
HOUSES = {"house", "houses", "cottage", "cabin", "village", "farmhouse", "hut", "farm"}
CASTLE = {"castle", "tower", "palace", "fortress", "kingdom", "citadel", "temple"}
LIGHTHOUSE = {"lighthouse"}
FOREST = {
    "forest", "woods", "jungle", "grove", "park", "garden", "orchard", "tree", "trees",
    "pines", "pine", "canopy",
}  # fmt: skip
MOUNTAINS = {
    "mountain", "mountains", "peak", "peaks", "hills", "hill", "valley", "cliff", "cliffs",
    "volcano", "canyon", "alps", "ridge",
}  # fmt: skip
DESERT = {"desert", "dunes", "dune", "sand", "sahara", "wasteland", "dust"}
SNOW = {"snow", "snowy", "winter", "blizzard", "ice", "icy", "frozen", "snowfall", "arctic"}
SNOWING = {"blizzard", "snowfall", "snowing", "snowflakes", "flurries"}  # snow that falls
FALLING = {"fell", "falling", "fall", "falls", "drifting", "swirling"}
RAIN = {
    "rain", "rainy", "storm", "stormy", "downpour", "drizzle", "thunderstorm", "raining",
}  # fmt: skip
FOG = {"fog", "foggy", "mist", "misty", "haze", "hazy"}
CLEAR = {"clear", "cloudless", "blazing", "sunny"}
SUN = {"sun", "sunny", "sunshine", "sunlight"}
MOON = {"moon", "moons", "moonlit", "moonlight"}
STARS = {"stars", "starry", "star", "starlit"}
PLANET = {"planet", "mars", "jupiter", "saturn", "earth", "world"}
BIRDS = {"bird", "birds", "crow", "crows", "eagle", "seagull", "seagulls", "gulls", "owl", "dragon"}
ANIMALS = {
    "dog", "dogs", "cat", "cats", "horse", "horses", "wolf", "wolves", "fox", "deer", "cow",
    "cows", "sheep", "lion", "tiger", "bear",
}  # fmt: skip
CARS = {"car", "cars", "taxi", "truck", "van", "bus", "jeep", "motorcycle", "rover"}
BOATS = {
    "boat", "ship", "sailboat", "yacht", "ferry", "canoe", "boats", "ships", "vessel",
}  # fmt: skip
CRAFT = {
    "spaceship", "rocket", "starship", "ufo", "spacecraft", "satellite", "freighter",
    "shuttle", "cruiser", "station",
}  # fmt: skip
ROBOTS = {"robot", "robots", "android", "droid", "mech", "cyborg"}
PEOPLE = {
    "man", "woman", "person", "girl", "boy", "child", "kid", "hero", "heroine", "detective",
    "knight", "soldier", "king", "queen", "prince", "princess", "wizard", "witch", "stranger",
    "traveler", "traveller", "explorer", "astronaut", "farmer", "lady", "gentleman", "father",
    "mother", "son", "daughter", "friend", "officer", "captain", "pilot", "doctor", "scientist",
    "student", "teacher", "warrior", "hunter", "thief", "singer", "dancer", "girlfriend",
    "boyfriend", "wife", "husband", "grandmother", "grandfather", "monk", "sailor", "pirate",
    "cowboy", "agent", "spy", "nurse", "baby", "figure", "silhouette", "character", "she", "he",
    "her", "him", "his", "engineer", "keeper", "admiral", "commander", "ensign", "rider",
    "accountant", "bard", "grandma", "grandpa", "i",
}  # fmt: skip
GROUPS = {
    "crowd", "people", "villagers", "soldiers", "family", "children", "kids", "group", "army",
    "friends", "men", "women", "team", "crew", "dancers", "students", "travelers", "travellers",
    "engineers", "knights", "climbers", "expedition", "vendors",
}  # fmt: skip
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "couple": 2, "pair": 2, "both": 2}
CLOSE = {"close", "closeup", "portrait", "face", "faces", "eyes", "intimate"}
WIDE = {"wide", "landscape", "aerial", "vista", "panorama", "establishing", "distant", "far"}
# Past-tense verbs that are not "-ed": after a capitalised name they make it a person.
_ACTED = {
    "ran", "lay", "stood", "sat", "woke", "rose", "held", "took", "made", "saw", "swept",
    "crept", "slept", "felt", "kept", "left", "led", "knelt", "spoke", "threw", "drew",
    "grew", "flew", "drove", "rode", "wore", "broke", "stole", "came", "went", "got", "gave",
    "found", "thought", "knew", "heard", "told", "said", "ate", "fought", "caught", "ought",
    "grips", "looks", "says", "walks", "runs", "stands", "sits", "turns",
}  # fmt: skip
_KNOWN = (
    NIGHT
    | SUNSET
    | DAWN
    | DAY
    | SCIFI
    | SHIP_INSIDE
    | INTERIOR
    | WATER
    | CITY
    | HOUSES
    | CASTLE
    | FOREST
    | MOUNTAINS
    | DESERT
    | SNOW
    | RAIN
    | FOG
    | SUN
    | MOON
    | STARS
    | BIRDS
    | ANIMALS
    | CARS
    | BOATS
    | CRAFT
    | ROBOTS
    | GROUPS
    | {"smoke", "lanterns", "the", "a", "an", "high", "late", "behind", "through", "from"}
)
_VESSEL_NAMES = {"ship", "starship", "spaceship", "station", "freighter", "shuttle", "vessel"}


def prompt_words(prompt: str) -> set[str]:
    """The prompt's words, lower-cased ("close-up" counts as "close" and "up")."""
    return set(re.findall(r"[a-z]+", prompt.lower()))


def _named_people(text: str) -> set[str]:
    """Capitalised names that act ("Maya looked", "Tomas ran"), not ships ("ship Aurora")."""
    names = set()
    tokens = re.findall(r"[A-Za-z']+", text)
    for before, name, after in zip(["", *tokens[:-1]], tokens, [*tokens[1:], ""], strict=True):
        if not name[:1].isupper() or name.isupper() or name.lower() in _KNOWN:
            continue
        if before.lower() in _VESSEL_NAMES:
            continue
        if after.endswith("ed") or after.lower() in _ACTED:
            names.add(name)
    return names


def _counted(text: str) -> dict[str, int]:
    """ "two friends" → {"friends": 2}: a number counts only the word it comes before."""
    counts: dict[str, int] = {}
    for number, noun in re.findall(r"\b(two|three|four|five|couple of|pair of|both)\s+(\w+)", text):
        counts[noun] = NUMBERS[number.split()[0]]
    return counts


@dataclass
class SceneSpec:
    """What a shot shows, read from its prompt in its script (and its dialogue's speakers)."""

    time: str = "day"  # day, sunset, dawn, night
    # space, starship (inside a spacecraft), interior, sea, city, forest, desert, snow,
    # countryside
    setting: str = "countryside"
    forest: bool = False
    mountains: bool = False
    houses: bool = False
    castle: bool = False
    lighthouse: bool = False
    rain: bool = False
    snow: bool = False  # snow falling
    snow_ground: bool = False
    fog: bool = False
    sun: bool = False
    moon: bool = False
    stars: bool = False
    planet: bool = False
    birds: int = 0
    animals: int = 0
    cars: int = 0
    boats: int = 0
    craft: bool = False
    robots: int = 0
    people: int = 0
    framing: str = "medium"  # close, medium, wide

    @property
    def indoors(self) -> bool:
        return self.setting in ("interior", "starship")

    @property
    def weather(self) -> str:
        """What the sky does outdoors: rain, snow, fog or clear."""
        return "rain" if self.rain else "snow" if self.snow else "fog" if self.fog else "clear"


@dataclass
class _Cues:
    """What one shot's own words say of place, time and weather (None: nothing)."""

    setting: str | None
    time: str | None
    weather: str | None


def _setting_of(w: set[str], scifi: bool, people: bool) -> str | None:
    """The place a shot's words name, in the order a place's words outrank another's."""
    if scifi:
        inside = len(w & SHIP_INSIDE) + (0.5 if people else 0)
        outside = len(w & SHIP_OUTSIDE) + (2 if {"stepped", "out"} <= w else 0)
        if w & SHIP_INSIDE and inside >= outside:
            return "starship"
        if w & SPACE or outside >= 2 or (w & (CRAFT | {"ship"}) and outside):
            return "space"
        if w & SHIP_INSIDE:
            return "starship"
    elif w & SPACE:
        return "space"
    for setting, words in (
        ("interior", INTERIOR),
        ("sea", WATER | BOATS | LIGHTHOUSE),
        ("city", CITY),
        ("desert", DESERT),
        ("forest", FOREST - {"tree"}),
        ("snow", SNOW),
        ("countryside", MOUNTAINS | HOUSES | CASTLE | {"field", "fields", "moor", "meadow"}),
    ):
        if w & words:
            return setting
    if scifi and w & (CRAFT | {"ship"}):
        return "space"
    return None


def _time_of(w: set[str]) -> str | None:
    if w & NIGHT or ((w & (MOON | STARS)) and w & {"rose", "rise", "rising", "out", "came"}):
        return "night"
    if w & SUNSET or ("sun" in w and w & {"sank", "sinks", "sinking", "setting", "set"}):
        return "sunset"
    if w & DAWN or ("sun" in w and w & {"rose", "rises", "rising", "came", "up"}):
        return "dawn"
    if w & DAY or w & SUN:
        return "day"
    return None


def _weather_of(w: set[str]) -> str | None:
    if w & RAIN:
        return "rain"
    if w & SNOWING or ("snow" in w and w & FALLING):
        return "snow"
    if w & FOG:
        return "fog"
    if w & CLEAR:
        return "clear"
    return None


def read_shots(prompts: list[str], speakers: list[int] | None = None) -> list[SceneSpec]:
    """Each shot's scene, read in the world of its script.

    A script is one world: in a story of starships a "ship" is a spacecraft, never a boat. A
    shot whose words name no place, time or weather keeps those of the shot before it (the
    first that names one, for the shots before that), as a scene does until it cuts away.
    """
    speakers = speakers or [0] * len(prompts)
    world = prompt_words(" ".join(prompts))
    scifi = bool(world & SCIFI)
    cues = []
    for prompt, talking in zip(prompts, speakers, strict=True):
        w = prompt_words(prompt)
        people = bool(w & (PEOPLE | GROUPS) or _named_people(prompt) or talking)
        cues.append(_Cues(_setting_of(w, scifi, people), _time_of(w), _weather_of(w)))
    specs = []
    for index, (prompt, talking) in enumerate(zip(prompts, speakers, strict=True)):
        setting = _carried(cues, index, "setting") or "countryside"
        time = _carried(cues, index, "time") or "day"
        weather = _carried(cues, index, "weather") or "clear"
        specs.append(_spec(prompt, talking, setting, time, weather, scifi))
    return specs


def _carried(cues: list[_Cues], index: int, name: str) -> str | None:
    """The shot's own cue, else the last before it, else the first after it."""
    for k in [*range(index, -1, -1), *range(index + 1, len(cues))]:
        value = getattr(cues[k], name)
        if value is not None:
            return value
    return None


def _spec(
    prompt: str, speakers: int, setting: str, time: str, weather: str, scifi: bool
) -> SceneSpec:
    w = prompt_words(prompt)
    counts = _counted(prompt.lower())

    def count(words: set[str]) -> int:
        return max((n for noun, n in counts.items() if noun in words), default=1)

    spec = SceneSpec(time=time, setting=setting)
    outdoors_on_land = setting not in ("space", "starship", "interior")
    if setting in ("space", "starship"):
        spec.time = "night"
    spec.forest = setting == "forest" or (outdoors_on_land and bool(w & (FOREST - {"park"})))
    spec.mountains = outdoors_on_land and bool(w & MOUNTAINS)
    spec.houses = outdoors_on_land and bool(w & HOUSES)
    spec.castle = outdoors_on_land and bool(w & CASTLE)
    spec.lighthouse = outdoors_on_land and bool(w & LIGHTHOUSE)
    if outdoors_on_land:
        spec.rain = weather == "rain"
        spec.snow = weather == "snow"
        spec.fog = weather == "fog"
    spec.snow_ground = setting == "snow" or (outdoors_on_land and bool(w & SNOW))
    spec.sun = (
        outdoors_on_land
        and (bool(w & SUN) or spec.time in ("sunset", "dawn"))
        and spec.time != "night"
    )
    spec.moon = outdoors_on_land and (bool(w & MOON) or spec.time == "night")
    spec.stars = setting in ("space", "starship") or bool(w & STARS) or spec.time == "night"
    spec.planet = (setting == "space" and bool(w & PLANET)) or (
        setting == "starship" and bool(w & PLANET)
    )
    spec.birds = (3 + count(BIRDS) if w & BIRDS else 0) if "dragon" not in w else 1
    spec.animals = count(ANIMALS) if w & ANIMALS else 0
    if not spec.animals and w & {"rider", "riders", "rode", "horseback", "galloped"}:
        spec.animals = 1  # a rider's horse
    spec.cars = count(CARS) if w & CARS else 0
    ships = w & BOATS
    if scifi:  # a ship here is a spacecraft
        ships = ships - {"ship", "ships", "vessel"}
    spec.boats = count(BOATS) if ships and setting not in ("space", "starship") else 0
    spec.craft = (bool(w & CRAFT) or (scifi and bool(w & {"ship", "ships", "vessel"}))) and (
        setting != "starship"
    )
    spec.robots = count(ROBOTS) if w & ROBOTS else 0
    people = 0
    if w & GROUPS:
        people = max(count(GROUPS), 2) if any(n in counts for n in w & GROUPS) else 5
    elif w & PEOPLE or _named_people(prompt):
        people = max(count(PEOPLE), len(_named_people(prompt)), 1)
    spec.people = min(8, max(people, speakers))
    spec.framing = "close" if w & CLOSE else "wide" if w & WIDE else "medium"
    if spec.framing == "close" and spec.people == 0 and spec.robots == 0:
        spec.framing = "medium"  # a close-up of nothing in particular: show the place
    return spec


def read_prompt(prompt: str, speakers: int = 0) -> SceneSpec:
    """A scene from one prompt on its own; `speakers` (dialogue) are people in the shot."""
    return read_shots([prompt], [speakers])[0]


# --- Palettes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Palette:
    """The colours of one time of day, before the style grades them."""

    sky_top: Color
    sky_bottom: Color
    ground_top: Color
    ground_bottom: Color
    far: Color  # distant mountains
    mid: Color  # buildings, hills
    near: Color  # silhouettes
    light: Color  # sun, moon, lit windows
    ink: Color  # outlines


PALETTES = {
    "day": Palette(
        (64, 126, 204), (178, 210, 238), (112, 150, 84), (66, 104, 52),
        (118, 138, 170), (128, 130, 146), (52, 60, 58), (255, 244, 200), (30, 32, 38),
    ),
    "sunset": Palette(
        (58, 40, 108), (252, 150, 82), (96, 66, 62), (42, 30, 36),
        (104, 64, 96), (64, 42, 62), (28, 20, 28), (255, 206, 120), (18, 12, 18),
    ),
    "dawn": Palette(
        (92, 108, 170), (250, 190, 170), (104, 120, 96), (54, 66, 58),
        (128, 112, 150), (96, 88, 110), (40, 38, 48), (255, 226, 170), (24, 22, 30),
    ),
    "night": Palette(
        (6, 9, 28), (30, 42, 82), (20, 26, 38), (8, 10, 16),
        (30, 36, 60), (24, 27, 42), (6, 7, 12), (244, 240, 214), (2, 2, 6),
    ),
}  # fmt: skip
GROUNDS: dict[str, tuple[Color, Color]] = {
    "desert": ((214, 178, 118), (170, 128, 76)),
    "snow": ((236, 240, 248), (196, 206, 222)),
    "city": ((92, 92, 98), (52, 52, 58)),
}
CLOTHES: tuple[Color, ...] = (
    (178, 52, 48), (44, 92, 168), (218, 170, 52), (64, 132, 84), (132, 70, 150),
    (214, 112, 40), (60, 60, 70), (196, 196, 190),
)  # fmt: skip


def mix(a: Color, b: Color, t: float) -> Color:
    """The colour `t` of the way from a to b."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def scale(c: Color, f: float) -> Color:
    return (min(255, round(c[0] * f)), min(255, round(c[1] * f)), min(255, round(c[2] * f)))


def palette_for(spec: SceneSpec, style: str) -> Palette:
    """The time of day's palette, with the ground of the setting and the style's night."""
    time = "night" if style == "neon" else spec.time
    p = PALETTES[time]
    ground = GROUNDS.get("snow" if spec.snow_ground else spec.setting)
    if ground:
        dim = {"day": 1.0, "dawn": 0.85, "sunset": 0.6, "night": 0.22}[time]
        p = replace(p, ground_top=scale(ground[0], dim), ground_bottom=scale(ground[1], dim))
    if spec.rain or spec.fog:  # overcast: the sky loses its colour
        grey = (128, 132, 140) if time in ("day", "dawn") else (40, 42, 50)
        p = replace(
            p,
            sky_top=mix(p.sky_top, grey, 0.6),
            sky_bottom=mix(p.sky_bottom, grey, 0.6),
            far=mix(p.far, grey, 0.4),
        )
    if style == "neon":
        p = Palette(
            (12, 4, 30), (60, 14, 72), (18, 10, 36), (6, 4, 14),
            (40, 20, 70), (22, 14, 40), (10, 6, 20), (255, 80, 200), (0, 240, 255),
        )  # fmt: skip
    return p


# --- Drawing ----------------------------------------------------------------------------------


def vertical_gradient(width: int, height: int, top: Color, bottom: Color, style: str) -> np.ndarray:
    """An (height, width, 3) uint8 gradient, top colour to bottom colour, graded."""
    t = np.linspace(0.0, 1.0, max(height, 1), dtype=np.float32)[:, None]
    rows = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    rows = grade_array(rows.round().astype(np.uint8), style)
    return np.ascontiguousarray(np.broadcast_to(rows[:, None, :], (height, width, 3)))


@dataclass
class Painter:
    """One layer: colours and a coverage mask, drawn in frame units (u, v) with margins."""

    width: int  # the frame's
    height: int
    margin_x: int
    margin_y: int
    style: str
    drawn: set[str] = field(default_factory=set)  # what the layer shows, by subject name
    rgb: Image.Image = field(init=False)
    mask: Image.Image = field(init=False)

    def __post_init__(self) -> None:
        size = (self.width + 2 * self.margin_x, self.height + 2 * self.margin_y)
        self.rgb = Image.new("RGB", size, (0, 0, 0))
        self.mask = Image.new("L", size, 0)
        self._rgb = ImageDraw.Draw(self.rgb)
        self._mask = ImageDraw.Draw(self.mask)

    def x(self, u: float) -> float:
        return self.margin_x + u * self.width

    def y(self, v: float) -> float:
        return self.margin_y + v * self.height

    def px(self, k: float) -> float:
        """A length of `k` frame heights, in pixels."""
        return k * self.height

    def polygon(self, points: list[tuple[float, float]], fill: Color) -> None:
        xy = [(self.x(u), self.y(v)) for u, v in points]
        self._rgb.polygon(xy, fill=grade(fill, self.style))
        self._mask.polygon(xy, fill=255)

    def ellipse(self, u: float, v: float, ru: float, rv: float, fill: Color) -> None:
        """An ellipse centred at (u, v) with radii in frame heights (so circles stay round)."""
        x, y, rx, ry = self.x(u), self.y(v), self.px(ru), self.px(rv)
        self._rgb.ellipse((x - rx, y - ry, x + rx, y + ry), fill=grade(fill, self.style))
        self._mask.ellipse((x - rx, y - ry, x + rx, y + ry), fill=255)

    def rect(self, u0: float, v0: float, u1: float, v1: float, fill: Color) -> None:
        box = (self.x(u0), self.y(v0), self.x(u1), self.y(v1))
        self._rgb.rectangle(box, fill=grade(fill, self.style))
        self._mask.rectangle(box, fill=255)

    def line(self, points: list[tuple[float, float]], fill: Color, width: float) -> None:
        xy = [(self.x(u), self.y(v)) for u, v in points]
        w = max(1, round(self.px(width)))
        self._rgb.line(xy, fill=grade(fill, self.style), width=w, joint="curve")
        self._mask.line(xy, fill=255, width=w, joint="curve")

    def inked(self, ink: Color, width: int, glow: Color | None = None) -> None:
        """Outline every shape in `ink` (a storyboard's pen line); neon also glows."""
        if width > 0:
            grown = self.mask.filter(ImageFilter.BoxBlur(width)).point(lambda v: 255 * (v > 8))
            edge = ImageChops.subtract(grown, self.mask)
            self.rgb.paste(grade(ink, self.style), mask=edge)
            self.mask = grown
        if glow is not None:
            halo = self.mask.filter(ImageFilter.GaussianBlur(max(2, self.height // 90)))
            halo = halo.point(lambda v: min(255, v * 2) * 0.7)
            outside = ImageChops.subtract(halo, self.mask)
            self.rgb.paste(grade(glow, self.style), mask=outside.point(lambda v: 255 * (v > 0)))
            self.mask = ImageChops.lighter(self.mask, halo)
        # Softening the coverage inwards only anti-aliases the edges without letting the black
        # around the shapes bleed in as a dark fringe.
        box = self.mask.getbbox()
        if box is not None:
            box = (max(0, box[0] - 2), max(0, box[1] - 2), box[2] + 2, box[3] + 2)
            covered = self.mask.crop(box)
            soft = ImageChops.darker(covered, covered.filter(ImageFilter.BoxBlur(0.5)))
            self.mask.paste(soft, box[:2])


@dataclass
class Layers:
    """A shot's drawings: an opaque background and two masked layers in front of it."""

    far: Image.Image  # RGB
    mid: Image.Image  # RGB
    mid_mask: Image.Image  # L
    near: Image.Image
    near_mask: Image.Image
    weather: str  # "", "rain" or "snow": falling over everything, in frame space
    margins: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]  # (x, y) per layer
    drawn: frozenset[str] = frozenset()  # what was drawn: "boat", "console", "stars", …


def paint(
    *,
    spec: SceneSpec,
    style: str,
    width: int,
    height: int,
    margins: tuple[tuple[int, int], tuple[int, int], tuple[int, int]],
    rng: np.random.Generator,
) -> Layers:
    """Draw the scene's three layers, graded in the style; margins are (x, y) per layer."""
    pal = palette_for(spec, style)
    horizon = {"close": 0.62, "medium": 0.6, "wide": 0.55}[spec.framing] + rng.uniform(-0.04, 0.04)
    if spec.setting == "space":
        horizon = 1.4  # no ground in view
    drawn: set[str] = set()
    far = Painter(width, height, *margins[0], style, drawn)
    mid = Painter(width, height, *margins[1], style, drawn)
    near = Painter(width, height, *margins[2], style, drawn)
    background = _background(far, spec, pal, horizon, rng)
    if spec.setting == "interior":
        _interior(far, mid, spec, pal, rng)
    elif spec.setting == "starship":
        _starship(far, mid, spec, rng)
    else:
        _far_elements(far, spec, pal, horizon, rng)
        _mid_elements(mid, spec, pal, horizon, rng)
    _near_elements(near, spec, pal, horizon, rng)

    ink_width = {
        "cinematic": 0,
        "documentary": 0,
        "watercolor": 0,
        "anime": max(1, height // 240),
        "storybook": max(1, height // 200),
        "noir": 0,
        "neon": max(1, height // 360),
        "vintage": max(1, height // 360),
    }[style]
    glow = pal.ink if style == "neon" else None
    far.inked(pal.ink, 0)
    mid.inked(pal.ink, ink_width, glow)
    near.inked(pal.ink, ink_width, glow)
    background.paste(far.rgb, mask=far.mask)
    if spec.fog:  # haze over the distance, thinner in front
        haze = grade(pal.sky_bottom, style)
        background = Image.blend(background, Image.new("RGB", background.size, haze), 0.35)
        mid.rgb = Image.blend(mid.rgb, Image.new("RGB", mid.rgb.size, haze), 0.2)
    if style == "watercolor":
        background = _paper(background, rng)
    return Layers(
        far=background,
        mid=mid.rgb,
        mid_mask=_soft(mid.mask, style, height),
        near=near.rgb,
        near_mask=_soft(near.mask, style, height),
        weather="rain" if spec.rain else "snow" if spec.snow else "",
        margins=margins,
        drawn=frozenset(drawn | ({"rain"} if spec.rain else {"snow"} if spec.snow else set())),
    )


def _soft(mask: Image.Image, style: str, height: int) -> Image.Image:
    """Watercolour's edges bleed a little into the paper."""
    if style == "watercolor":
        return mask.filter(ImageFilter.GaussianBlur(max(1.0, height / 300)))
    return mask


def _background(
    far: Painter, spec: SceneSpec, pal: Palette, horizon: float, rng: np.random.Generator
) -> Image.Image:
    w, h = far.rgb.size
    style = far.style
    hy = round(far.y(horizon))
    hy_clip = min(max(hy, 0), h)
    arr = np.empty((h, w, 3), np.uint8)
    if spec.setting == "space":
        arr[:] = vertical_gradient(w, h, (2, 2, 10), (14, 10, 34), style)
    elif spec.setting == "starship":  # the bulkhead: dark, cool metal
        arr[:] = vertical_gradient(w, h, (38, 44, 56), (20, 24, 32), style)
    else:
        arr[:hy_clip] = vertical_gradient(w, max(hy, 1), pal.sky_top, pal.sky_bottom, style)[
            :hy_clip
        ]
        if hy_clip < h:
            ground = (
                (mix(pal.sky_bottom, (20, 60, 110), 0.45), mix(pal.sky_top, (0, 0, 0), 0.5))
                if spec.setting == "sea"
                else (pal.ground_top, pal.ground_bottom)
            )
            arr[hy_clip:] = vertical_gradient(w, h - hy_clip, *ground, style)
    if (spec.stars or spec.setting == "space") and spec.setting != "starship":
        far.drawn.add("stars")
        n = int(w * h / (900 if spec.setting == "space" else 2200))
        ys = rng.integers(0, max(1, min(hy_clip, h) if spec.setting != "space" else h), n)
        xs = rng.integers(0, w, n)
        bright = rng.integers(150, 256, n).astype(np.uint8)
        arr[ys, xs] = grade_array(np.repeat(bright[:, None], 3, axis=1), style)
    if spec.setting == "sea" and hy_clip < h:  # glints on the water
        n = int(w * (h - hy_clip) / 1500)
        ys = rng.integers(hy_clip + 2, h, n)
        xs = rng.integers(0, w - 40, n)
        lengths = rng.integers(6, 40, n)
        glint = np.asarray(grade(mix(pal.light, pal.sky_bottom, 0.5), style), np.uint8)
        for y, x, length in zip(ys, xs, lengths, strict=True):
            arr[y, x : x + length] = glint
    return Image.fromarray(arr)


def _far_elements(
    p: Painter, spec: SceneSpec, pal: Palette, horizon: float, rng: np.random.Generator
) -> None:
    if spec.setting == "space":
        if spec.planet:
            _planet(p, rng.uniform(0.6, 0.85), rng.uniform(0.25, 0.5), rng.uniform(0.16, 0.26), rng)
        return
    if spec.sun and spec.time != "night":
        su = rng.uniform(0.25, 0.75)
        sv = horizon - (0.05 if spec.time in ("sunset", "dawn") else rng.uniform(0.3, 0.4))
        p.ellipse(su, sv, 0.13, 0.13, mix(pal.light, pal.sky_bottom, 0.6))
        p.ellipse(su, sv, 0.085, 0.085, pal.light)
        p.drawn.add("sun")
    if spec.moon:
        mu, mv = rng.uniform(0.62, 0.86), rng.uniform(0.12, 0.24)
        p.ellipse(mu, mv, 0.1, 0.1, mix(pal.light, pal.sky_top, 0.75))  # its halo
        p.ellipse(mu, mv, 0.065, 0.065, pal.light)
        for du, dv, r in ((-0.02, -0.015, 0.014), (0.018, 0.012, 0.01), (-0.005, 0.028, 0.008)):
            p.ellipse(mu + du, mv + dv, r, r, scale(pal.light, 0.86))  # craters
        p.drawn.add("moon")
    if spec.time == "day" and not (spec.rain or spec.fog):
        for _ in range(int(rng.integers(2, 5))):
            cu, cv = rng.uniform(-0.4, 1.4), rng.uniform(0.08, 0.3)
            for k in range(4):
                p.ellipse(
                    cu + k * 0.05,
                    cv + (k % 2) * 0.01,
                    0.045 + 0.01 * (k % 2),
                    0.035,
                    (246, 248, 252),
                )
    if spec.rain:  # storm clouds
        for _ in range(int(rng.integers(4, 7))):
            cu, cv = rng.uniform(-0.4, 1.4), rng.uniform(0.02, 0.2)
            p.ellipse(cu, cv, rng.uniform(0.12, 0.22), 0.07, mix(pal.sky_top, (0, 0, 0), 0.35))
    distant = spec.mountains or spec.setting in ("countryside", "snow", "desert") or spec.forest
    if distant:  # a far range of mountains or hills on the horizon
        peaks = 6 if spec.mountains else 9
        high = 0.32 if spec.mountains else 0.09
        us = np.linspace(-0.7, 1.7, peaks * 2 + 1)
        pts = [(float(us[0]), horizon + 0.02)]
        for i, u in enumerate(us):
            up = high * rng.uniform(0.5, 1.0) if i % 2 else high * rng.uniform(0.05, 0.35)
            pts.append((float(u), horizon - up))
        pts.append((float(us[-1]), horizon + 0.02))
        p.polygon(pts, pal.far)
        if spec.mountains:
            p.drawn.add("mountains")
        if spec.mountains and (spec.snow or spec.time == "day"):  # snow caps
            for i in range(1, len(us), 2):
                u, top = pts[i + 1]
                p.polygon(
                    [(u, top), (u - 0.03, top + 0.06), (u + 0.03, top + 0.06)], (236, 240, 246)
                )
    if spec.birds:
        p.drawn.add("bird")
        for _ in range(spec.birds):
            bu, bv, s = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.35), rng.uniform(0.012, 0.025)
            if spec.birds == 1:  # a dragon: one big bird
                s = 0.08
            color = pal.near if spec.time != "night" else (10, 10, 14)
            p.line([(bu - 2 * s, bv - s), (bu, bv), (bu + 2 * s, bv - s)], color, s * 0.4)


def _mid_elements(
    p: Painter, spec: SceneSpec, pal: Palette, horizon: float, rng: np.random.Generator
) -> None:
    lit = spec.time in ("night", "sunset")
    window = pal.light if lit else mix(pal.mid, (210, 230, 250), 0.5)
    if spec.setting == "city":
        p.drawn.add("buildings")
        u = -0.7
        while u < 1.7:
            bw = rng.uniform(0.07, 0.14)
            top = horizon - rng.uniform(0.15, 0.5)
            shade = scale(pal.mid, rng.uniform(0.75, 1.15))
            p.rect(u, top, u + bw, horizon + 0.02, shade)
            if rng.uniform() < 0.3:  # an antenna
                p.rect(u + bw * 0.45, top - 0.05, u + bw * 0.55, top, shade)
            rows = int((horizon - top) / 0.045)
            for r in range(rows):
                for c in range(int(bw / 0.03)):
                    if rng.uniform() < (0.45 if lit else 0.8):
                        wu, wv = u + 0.012 + c * 0.03, top + 0.02 + r * 0.045
                        p.rect(wu, wv, wu + 0.012, wv + 0.02, window)
            u += bw + rng.uniform(0.0, 0.02)
        p.rect(-0.7, horizon, 1.7, horizon + 0.03, scale(pal.ground_top, 0.8))  # the street edge
    if spec.houses:
        p.drawn.add("houses")
        for _ in range(int(rng.integers(2, 5))):
            hu, hw = rng.uniform(-0.2, 1.1), rng.uniform(0.08, 0.13)
            base, top = horizon + rng.uniform(0.02, 0.06), horizon - rng.uniform(0.06, 0.1)
            wall = mix(pal.mid, (190, 160, 130), 0.35)
            p.rect(hu, top, hu + hw, base, wall)
            p.polygon(
                [(hu - 0.015, top), (hu + hw / 2, top - 0.08), (hu + hw + 0.015, top)],
                scale(pal.mid, 0.6),
            )
            p.rect(hu + hw * 0.6, top + 0.03, hu + hw * 0.8, top + 0.06, window)
    if spec.castle:
        p.drawn.add("castle")
        cu = rng.uniform(0.55, 0.8)
        base = horizon + 0.02
        stone = scale(pal.mid, 0.9)
        p.rect(cu - 0.18, base - 0.2, cu + 0.18, base, stone)
        for du in (-0.18, 0.12):
            p.rect(cu + du, base - 0.34, cu + du + 0.07, base, stone)
            p.polygon(
                [
                    (cu + du - 0.01, base - 0.34),
                    (cu + du + 0.035, base - 0.44),
                    (cu + du + 0.08, base - 0.34),
                ],
                scale(stone, 0.7),
            )
        for k in range(7):  # battlements
            p.rect(cu - 0.17 + k * 0.05, base - 0.23, cu - 0.15 + k * 0.05, base - 0.2, stone)
        p.rect(cu - 0.03, base - 0.09, cu + 0.03, base, scale(stone, 0.4))
    if spec.lighthouse:
        p.drawn.add("lighthouse")
        lu = rng.uniform(0.15, 0.3)
        p.polygon(
            [
                (lu - 0.035, horizon + 0.03),
                (lu - 0.02, horizon - 0.35),
                (lu + 0.02, horizon - 0.35),
                (lu + 0.035, horizon + 0.03),
            ],
            (226, 226, 220),
        )
        p.rect(lu - 0.025, horizon - 0.4, lu + 0.025, horizon - 0.35, pal.light)
        p.rect(lu - 0.035, horizon - 0.2, lu + 0.035, horizon - 0.16, (176, 40, 40))
    if spec.forest or (
        spec.setting == "countryside" and not spec.mountains and rng.uniform() < 0.5
    ):
        p.drawn.add("trees")
        for _ in range(int(rng.integers(10, 22)) if spec.forest else 5):
            tu, size = rng.uniform(-0.6, 1.6), rng.uniform(0.08, 0.14)
            _tree(p, tu, horizon + rng.uniform(0.0, 0.05), size, scale(pal.near, 1.5), rng)
    if spec.setting in ("countryside", "snow", "desert") and not spec.forest:  # a nearer hill
        us = np.linspace(-0.7, 1.7, 13)
        pts = (
            [(-0.7, 1.5)]
            + [(float(u), horizon + 0.1 + 0.05 * math.sin(u * 5 + rng.uniform(0, 6))) for u in us]
            + [(1.7, 1.5)]
        )
        p.polygon(pts, mix(pal.ground_top, pal.ground_bottom, 0.4))
    if spec.craft:
        if spec.setting == "space":  # the ship fills the middle of the frame
            _spacecraft(p, rng.uniform(0.3, 0.5), rng.uniform(0.45, 0.6), 0.5, rng)
        else:  # one in the sky, climbing
            _spacecraft(p, rng.uniform(0.25, 0.6), rng.uniform(0.15, 0.3), 0.18, rng, climbing=True)


def _near_elements(
    p: Painter, spec: SceneSpec, pal: Palette, horizon: float, rng: np.random.Generator
) -> None:
    dark = spec.time in ("night", "sunset")
    height = {"close": 0.95, "medium": 0.5, "wide": 0.2}[spec.framing]
    feet = {"close": 1.3, "medium": min(0.95, horizon + 0.32), "wide": horizon + 0.12}[spec.framing]
    if spec.setting == "space":
        feet = 0.85 if spec.framing != "close" else 1.3
    if spec.forest:  # big trunks at the edges of the frame: they slide past in a move
        for tu in (rng.uniform(-0.45, -0.05), rng.uniform(1.05, 1.45)):
            _tree(p, tu, 1.05, rng.uniform(0.7, 0.9), scale(pal.near, 0.9), rng)
    if spec.boats:
        p.drawn.add("boat")
        for i in range(spec.boats):
            bu = 0.3 + 0.4 * (i + 0.5) / spec.boats + rng.uniform(-0.05, 0.05)
            bv = horizon + rng.uniform(0.05, 0.12)
            hull = scale(pal.near, 1.2) if dark else (120, 70, 48)
            p.polygon(
                [(bu - 0.12, bv), (bu + 0.12, bv), (bu + 0.08, bv + 0.05), (bu - 0.08, bv + 0.05)],
                hull,
            )
            p.line([(bu, bv), (bu, bv - 0.25)], scale(hull, 0.8), 0.008)
            p.polygon(
                [(bu + 0.01, bv - 0.24), (bu + 0.01, bv - 0.03), (bu + 0.11, bv - 0.03)],
                (236, 232, 220) if not dark else scale(pal.mid, 1.4),
            )
    if spec.cars:
        p.drawn.add("car")
        for i in range(min(spec.cars, 3)):
            cu = rng.uniform(0.1, 0.8)
            cv = min(0.97, horizon + 0.2 + 0.05 * i)
            body = scale(CLOTHES[int(rng.integers(len(CLOTHES)))], 0.4 if dark else 1.0)
            p.rect(cu - 0.14, cv - 0.07, cu + 0.14, cv, body)
            p.polygon(
                [
                    (cu - 0.08, cv - 0.07),
                    (cu - 0.05, cv - 0.12),
                    (cu + 0.06, cv - 0.12),
                    (cu + 0.09, cv - 0.07),
                ],
                body,
            )
            for wu in (-0.09, 0.09):
                p.ellipse(cu + wu, cv, 0.03, 0.03, (20, 20, 22))
            if dark:
                p.ellipse(cu + 0.13, cv - 0.045, 0.012, 0.012, pal.light)
    if spec.animals:
        p.drawn.add("animal")
        for i in range(min(spec.animals, 4)):
            au = rng.uniform(0.15, 0.85)
            av = min(feet, horizon + 0.3) - 0.01 * i
            fur = scale(pal.near, 1.1) if dark else mix((120, 88, 60), pal.near, 0.3)
            s = height * 0.35
            p.ellipse(au, av - s * 0.55, s * 0.55, s * 0.22, fur)
            p.ellipse(au + s * 0.55, av - s * 0.8, s * 0.16, s * 0.14, fur)
            for du in (-0.35, -0.2, 0.25, 0.4):
                p.line([(au + du * s, av - s * 0.45), (au + du * s, av)], fur, s * 0.08)
    figures = spec.people + spec.robots
    if figures:
        spread = {"close": 0.36, "medium": 0.16, "wide": 0.07}[spec.framing]
        n = min(figures, 2 if spec.framing == "close" else 8)
        for i in range(n):
            fu = 0.5 + (i - (n - 1) / 2) * spread + rng.uniform(-0.02, 0.02)
            fh = height * rng.uniform(0.92, 1.05)
            tint = 0.2 if dark else 0.75
            color = mix(pal.near, CLOTHES[int(rng.integers(len(CLOTHES)))], tint)
            skin = mix(pal.near, (224, 178, 142), tint)
            if i >= spec.people:
                _robot(p, fu, feet, fh, mix(pal.near, (170, 178, 190), tint), pal.light)
                p.drawn.add("robot")
            else:
                _figure(p, fu, feet, fh, color, skin, rng)
                p.drawn.add("person")
    # Tufts of grass or stones along the bottom: the nearest thing, so a move shows depth.
    if spec.setting not in ("interior", "starship", "space", "sea", "city"):
        tuft = scale(pal.ground_bottom, 0.7)
        for _ in range(14):
            gu = rng.uniform(-0.6, 1.6)
            gs = rng.uniform(0.02, 0.05)
            p.polygon(
                [
                    (gu - gs, 1.04),
                    (gu - gs * 0.3, 1.0 - gs * 1.6),
                    (gu, 1.02),
                    (gu + gs * 0.4, 1.0 - gs * 2.0),
                    (gu + gs, 1.04),
                ],
                tuft,
            )


def _interior(
    far: Painter, mid: Painter, spec: SceneSpec, pal: Palette, rng: np.random.Generator
) -> None:
    wall = mix((176, 150, 120), pal.mid, 0.45 if spec.time == "night" else 0.15)
    floor = mix((110, 78, 56), pal.near, 0.35)
    far.rect(-1.0, -1.0, 2.0, 0.68, wall)
    far.rect(-1.0, 0.68, 2.0, 2.0, floor)
    far.rect(-1.0, 0.66, 2.0, 0.69, scale(wall, 0.7))  # the skirting board
    wu = rng.uniform(0.1, 0.45)
    far.rect(wu - 0.01, 0.14, wu + 0.27, 0.5, scale(wall, 0.6))  # a window, and what is outside
    far.rect(wu, 0.15, wu + 0.26, 0.49, pal.sky_bottom if spec.time != "night" else (14, 18, 40))
    far.rect(wu + 0.125, 0.15, wu + 0.135, 0.49, scale(wall, 0.6))
    far.drawn.add("window")
    if spec.time == "night":
        far.ellipse(wu + 0.2, 0.22, 0.025, 0.025, pal.light)
    pu = rng.uniform(0.62, 0.85)
    far.rect(pu, 0.2, pu + 0.14, 0.38, scale(wall, 0.5))  # a picture
    far.rect(pu + 0.01, 0.215, pu + 0.13, 0.365, mix((80, 120, 90), pal.mid, 0.3))
    table = scale(floor, 0.8)
    tu = rng.uniform(0.35, 0.6)
    mid.rect(tu - 0.16, 0.7, tu + 0.16, 0.73, table)
    for du in (-0.14, 0.12):
        mid.rect(tu + du, 0.73, tu + du + 0.02, 0.9, table)
    lu = tu + rng.choice([-0.1, 0.1])
    mid.polygon(
        [(lu - 0.04, 0.6), (lu + 0.04, 0.6), (lu + 0.025, 0.55), (lu - 0.025, 0.55)], pal.light
    )
    mid.rect(lu - 0.005, 0.6, lu + 0.005, 0.7, scale(table, 0.6))


def _starship(far: Painter, mid: Painter, spec: SceneSpec, rng: np.random.Generator) -> None:
    """Inside a spacecraft: panelled bulkheads, a wide viewport on the stars (and a planet when
    the script names one), and consoles whose screens glow under it."""
    hull, seam = (58, 66, 80), (30, 34, 44)
    far.rect(-1.0, 0.72, 2.0, 2.0, (34, 38, 48))  # the deck
    for k in range(-6, 16):  # the bulkhead's panels
        u = k * 0.16
        far.rect(u, -1.0, u + 0.155, 0.72, scale(hull, 0.9 + 0.2 * ((k * 7) % 3) / 2))
        far.rect(u + 0.155, -1.0, u + 0.16, 0.72, seam)
    vu0, vu1 = rng.uniform(0.05, 0.2), rng.uniform(0.8, 0.95)
    far.rect(vu0 - 0.02, 0.08, vu1 + 0.02, 0.5, seam)  # the viewport's frame
    far.rect(vu0, 0.1, vu1, 0.48, (4, 5, 14))
    for _ in range(int(90 * (vu1 - vu0))):
        su, sv = rng.uniform(vu0, vu1), rng.uniform(0.1, 0.48)
        r = rng.uniform(0.002, 0.005)
        far.ellipse(su, sv, r, r, mix((255, 255, 255), (150, 170, 255), rng.uniform()))
    if spec.planet:
        _planet(far, rng.uniform(vu0 + 0.15, vu1 - 0.1), 0.5, 0.2, rng, clip=(vu0, 0.1, vu1, 0.48))
    far.drawn.update({"window", "stars"})
    glow = (90, 220, 240)
    for cu in (rng.uniform(0.05, 0.25), rng.uniform(0.6, 0.8)):  # two consoles
        mid.polygon(
            [(cu, 0.95), (cu + 0.3, 0.95), (cu + 0.28, 0.72), (cu + 0.02, 0.72)], (46, 52, 64)
        )
        mid.polygon(
            [(cu - 0.01, 0.72), (cu + 0.31, 0.72), (cu + 0.27, 0.64), (cu + 0.03, 0.64)],
            (70, 78, 94),
        )
        mid.rect(cu + 0.06, 0.655, cu + 0.14, 0.7, glow)  # its screens
        mid.rect(cu + 0.16, 0.655, cu + 0.24, 0.7, scale(glow, 0.7))
        for k in range(5):  # and its lights
            mid.ellipse(cu + 0.05 + k * 0.05, 0.8, 0.008, 0.008, ((240, 80, 70), glow)[k % 2])
    mid.drawn.add("console")


def _planet(
    p: Painter,
    u: float,
    v: float,
    r: float,
    rng: np.random.Generator,
    clip: tuple[float, float, float, float] | None = None,
) -> None:
    """A planet, lit from one side (only the part inside `clip`, a window, when given)."""
    color = mix((90, 120, 200), (200, 110, 80), rng.uniform())
    if clip is None:
        p.ellipse(u, v, r, r, color)
        p.ellipse(u + r * 0.35, v - r * 0.2, r * 0.85, r * 0.85, scale(color, 0.55))
    else:
        disc = Painter(p.width, p.height, p.margin_x, p.margin_y, p.style)
        disc.ellipse(u, v, r, r, color)
        disc.ellipse(u + r * 0.35, v - r * 0.2, r * 0.85, r * 0.85, scale(color, 0.55))
        window = Image.new("L", disc.mask.size, 0)
        ImageDraw.Draw(window).rectangle(
            (p.x(clip[0]), p.y(clip[1]), p.x(clip[2]), p.y(clip[3])), fill=255
        )
        inside = ImageChops.multiply(disc.mask, window)
        p.rgb.paste(disc.rgb, mask=inside)
        p.mask = ImageChops.lighter(p.mask, inside)
        p._mask = ImageDraw.Draw(p.mask)
    p.drawn.add("planet")


def _spacecraft(
    p: Painter, u: float, v: float, size: float, rng: np.random.Generator, climbing: bool = False
) -> None:
    """A spacecraft `size` frame heights long: a hull, a bridge, fins and engines' glow."""
    hull, dark, glow = (176, 182, 196), (96, 102, 118), (120, 200, 255)
    s = size
    if climbing:  # a rocket going up: nose at the top, flame below
        p.polygon(
            [
                (u, v - s * 0.5),
                (u + s * 0.1, v - s * 0.25),
                (u + s * 0.1, v + s * 0.3),
                (u - s * 0.1, v + s * 0.3),
                (u - s * 0.1, v - s * 0.25),
            ],
            hull,
        )
        p.polygon(
            [(u - s * 0.1, v + s * 0.1), (u - s * 0.2, v + s * 0.35), (u - s * 0.1, v + s * 0.3)],
            dark,
        )
        p.polygon(
            [(u + s * 0.1, v + s * 0.1), (u + s * 0.2, v + s * 0.35), (u + s * 0.1, v + s * 0.3)],
            dark,
        )
        p.polygon(
            [(u - s * 0.07, v + s * 0.3), (u, v + s * 0.6), (u + s * 0.07, v + s * 0.3)],
            (255, 190, 90),
        )
    else:  # seen from the side, flying right
        p.polygon(
            [
                (u - s * 0.5, v - s * 0.08),
                (u + s * 0.3, v - s * 0.1),
                (u + s * 0.5, v),
                (u + s * 0.3, v + s * 0.1),
                (u - s * 0.5, v + s * 0.1),
            ],
            hull,
        )
        p.polygon(
            [
                (u - s * 0.35, v - s * 0.08),
                (u - s * 0.1, v - s * 0.08),
                (u - s * 0.3, v - s * 0.28),
                (u - s * 0.45, v - s * 0.28),
            ],
            dark,
        )
        p.polygon(
            [
                (u - s * 0.35, v + s * 0.1),
                (u - s * 0.1, v + s * 0.1),
                (u - s * 0.3, v + s * 0.26),
                (u - s * 0.45, v + s * 0.26),
            ],
            dark,
        )
        p.rect(u + s * 0.12, v - s * 0.06, u + s * 0.28, v - s * 0.01, glow)  # the bridge's windows
        for k in range(int(rng.integers(4, 8))):
            wu = u - s * 0.3 + k * s * 0.06
            p.rect(wu, v + s * 0.02, wu + s * 0.025, v + s * 0.04, (250, 230, 160))
        p.ellipse(u - s * 0.52, v + s * 0.01, s * 0.05, s * 0.07, glow)  # the engines
    p.drawn.add("spacecraft")


def _tree(
    p: Painter, u: float, v: float, size: float, color: Color, rng: np.random.Generator
) -> None:
    """A tree standing at (u, v), `size` frame heights tall: a trunk and a crown."""
    trunk = mix(color, (70, 50, 36), 0.3)
    p.rect(u - size * 0.05, v - size * 0.45, u + size * 0.05, v, trunk)
    if rng.uniform() < 0.5:  # a conifer
        for k in range(3):
            top = v - size * (0.45 + 0.2 * k) - size * 0.3
            half = size * (0.3 - 0.07 * k)
            p.polygon(
                [
                    (u - half, v - size * (0.3 + 0.2 * k)),
                    (u, top),
                    (u + half, v - size * (0.3 + 0.2 * k)),
                ],
                color,
            )
    else:
        for du, dv, r in ((0.0, 0.72, 0.28), (-0.15, 0.58, 0.2), (0.15, 0.58, 0.2)):
            p.ellipse(u + du * size, v - dv * size, r * size, r * size * 0.9, color)


def _figure(
    p: Painter, u: float, feet: float, h: float, color: Color, skin: Color, rng: np.random.Generator
) -> None:
    """A standing person `h` frame heights tall, feet at (u, feet)."""
    top = feet - h
    head = h * 0.075
    p.ellipse(u, top + head, head * 0.82, head, skin)
    neck = top + 2 * head
    shoulder, hip, waist = h * 0.085, h * 0.07, top + h * 0.52
    sleeve = scale(color, 0.8)
    swing = rng.uniform(-0.04, 0.04)
    for side, sway in ((-1, swing), (1, -swing)):  # arms first, so the body overlaps them
        p.line(
            [
                (u + side * shoulder * 0.8, neck + h * 0.04),
                (u + side * (shoulder + h * 0.025), top + h * 0.5 + h * sway),
            ],
            sleeve,
            h * 0.036,
        )
    legs = scale(color, 0.55)
    for side, sway in ((-1, -swing), (1, swing)):
        p.line(
            [(u + side * hip * 0.5, waist - h * 0.02), (u + side * (hip * 0.6 + h * sway), feet)],
            legs,
            h * 0.05,
        )
    p.polygon(
        [
            (u - shoulder, neck + h * 0.035),
            (u + shoulder, neck + h * 0.035),
            (u + hip, waist),
            (u - hip, waist),
        ],
        color,
    )
    p.ellipse(u - shoulder + h * 0.02, neck + h * 0.045, h * 0.022, h * 0.022, color)
    p.ellipse(u + shoulder - h * 0.02, neck + h * 0.045, h * 0.022, h * 0.022, color)


def _robot(p: Painter, u: float, feet: float, h: float, color: Color, light: Color) -> None:
    """A boxy robot `h` frame heights tall."""
    top = feet - h
    p.rect(u - h * 0.08, top, u + h * 0.08, top + h * 0.14, color)
    p.rect(u - h * 0.05, top + h * 0.04, u + h * 0.05, top + h * 0.07, light)
    p.rect(u - h * 0.14, top + h * 0.16, u + h * 0.14, top + h * 0.55, color)
    for du in (-0.19, 0.14):
        p.rect(u + h * du, top + h * 0.17, u + h * (du + 0.05), top + h * 0.5, scale(color, 0.8))
    for du in (-0.1, 0.04):
        p.rect(u + h * du, top + h * 0.56, u + h * (du + 0.06), feet, scale(color, 0.7))


# --- Styles -----------------------------------------------------------------------------------


def grade_array(colors: np.ndarray, style: str) -> np.ndarray:
    """The style's colour grade of (..., 3) uint8 colours (noir is exactly grey: R = G = B).

    Every layer is drawn in flat colours and gradients, so grading the colours as they are
    drawn grades the picture, at no cost per pixel.
    """
    a = np.asarray(colors, np.float32) / 255.0
    lum = (a @ np.asarray([0.299, 0.587, 0.114], np.float32))[..., None]
    if style == "cinematic":  # teal shadows, warm highlights, a touch more contrast
        a = a + (lum - 0.5) * 0.12
        w = np.clip(lum * 1.4 - 0.2, 0, 1)
        teal = np.asarray([-0.04, 0.03, 0.06], np.float32)
        orange = np.asarray([0.07, 0.02, -0.05], np.float32)
        a = a + teal * (1 - w) + orange * w
    elif style == "anime":  # saturated, bright, flat bands of colour
        a = lum + (a - lum) * 1.35
        a = np.floor(np.clip(a * 1.08, 0, 1) * 12) / 12 + 1 / 24
    elif style == "noir":  # lifted (night scenes stay readable), then hard contrast
        g = np.clip((np.power(lum, 0.55) - 0.45) * 1.35 + 0.45, 0, 1)
        a = np.repeat(g, 3, axis=-1)
    elif style == "watercolor":  # pastel on paper
        a = a * 0.72 + np.asarray([0.96, 0.94, 0.89], np.float32) * 0.28
    elif style == "documentary":  # natural and a little muted
        a = lum + (a - lum) * 0.82
    elif style == "storybook":  # warm and soft
        a = a * 0.85 + np.asarray([0.14, 0.11, 0.06], np.float32)
        a = lum + (a - lum) * 1.1
    elif style == "neon":
        a = lum + (a - lum) * 1.3
    elif style == "vintage":  # sepia with lifted blacks (the grain is added per frame)
        g = np.clip((lum - 0.5) * 0.9 + 0.5, 0, 1)
        sepia = np.asarray([1.07, 0.93, 0.72], np.float32)
        a = np.clip(g * sepia, 0, 1) * (224 - 30) / 255 + 30 / 255
    out = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if style == "noir":  # exactly grey, whatever rounding did
        out[..., 1] = out[..., 0]
        out[..., 2] = out[..., 0]
    return out


@lru_cache(maxsize=4096)
def grade(color: Color, style: str) -> Color:
    """One colour, graded in the style."""
    r, g, b = (int(v) for v in grade_array(np.asarray([color], np.uint8), style)[0])
    return (r, g, b)


def _paper(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Watercolour paper: a soft, blotchy texture multiplied over the background."""
    w, h = image.size
    blotches = rng.integers(0, 256, (h // 8 + 2, w // 8 + 2), dtype=np.uint8)
    texture = Image.fromarray(blotches).resize((w, h), Image.Resampling.BICUBIC)
    texture = texture.point(lambda v: 240 + v * 15 // 255).convert("RGB")
    return ImageChops.multiply(image, texture)
