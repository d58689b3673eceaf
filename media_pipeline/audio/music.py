"""A music bed synthesised in numpy: chords, bass, a lead figure, drums and drones.

The mood picks the harmony and pace (scale, tempo, chord progression, energy); the genre
picks the instruments (pad timbre, lead instrument, drum kit, drones). The seed picks the
key, the exact tempo, one of the mood's progressions and small variations, so one seed
always makes the same bed. Every note of a kind is rendered once and placed many times,
which keeps a minute of music well under a second of CPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from media_pipeline.request import GENRES, MOODS

PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
}
BED_RMS_DB = -18.0
BED_PEAK_DB = -1.0
STEPS_PER_BAR = 16  # the drum grid: sixteenth notes in 4/4


@dataclass(frozen=True)
class MoodStyle:
    scales: tuple[str, ...]
    bpm: tuple[int, int]
    progressions: tuple[tuple[int, ...], ...]  # scale degrees, 0 = the tonic
    bars_per_chord: int
    energy: float  # 0-1: how busy the bass, lead and drums are
    brightness: float  # 0-1: how many harmonics the pad has
    bass: str  # long | root5 | pulse8 | pulse16
    drums: str | None
    sevenths: bool


@dataclass(frozen=True)
class GenreStyle:
    tempo: float  # multiplies the mood's tempo
    pad: str  # strings | warm | glass
    lead: str  # pluck | piano | bell | synth
    lead_rate: int  # lead notes per beat at full energy
    drone: str | None  # low | dissonant
    drums: str | None  # the kit, where the mood has drums at all


MOOD_STYLES: dict[str, MoodStyle] = {
    "neutral": MoodStyle(
        ("major", "mixolydian"), (90, 100), ((0, 4, 5, 3), (0, 3, 4, 4), (0, 5, 3, 4)),
        1, 0.45, 0.5, "root5", "light", False,
    ),
    "happy": MoodStyle(
        ("major",), (118, 132), ((0, 4, 5, 3), (0, 3, 4, 3), (0, 5, 3, 4), (3, 4, 0, 0)),
        1, 0.85, 0.7, "root5", "pop", False,
    ),
    "sad": MoodStyle(
        ("minor",), (60, 68), ((0, 5, 2, 6), (0, 3, 5, 4), (0, 5, 3, 4)),
        2, 0.1, 0.3, "long", None, True,
    ),
    "tense": MoodStyle(
        ("harmonic_minor", "phrygian"), (100, 112), ((0, 0, 5, 4), (0, 1, 0, 4), (0, 5, 1, 4)),
        1, 0.7, 0.45, "pulse8", "tick", False,
    ),
    "epic": MoodStyle(
        ("minor",), (84, 94), ((0, 5, 2, 6), (0, 6, 5, 6), (0, 3, 5, 6)),
        1, 0.9, 0.65, "pulse8", "taiko", False,
    ),
    "mysterious": MoodStyle(
        ("dorian", "phrygian"), (66, 78), ((0, 1, 0, 6), (0, 3, 0, 6), (0, 6, 5, 6)),
        2, 0.25, 0.35, "long", None, True,
    ),
    "romantic": MoodStyle(
        ("major", "lydian"), (70, 80), ((0, 5, 3, 4), (0, 2, 3, 4), (0, 3, 5, 4)),
        1, 0.35, 0.45, "long", None, True,
    ),
    "calm": MoodStyle(
        ("lydian", "major"), (58, 68), ((0, 3, 0, 4), (0, 5, 3, 0), (0, 1, 0, 4)),
        2, 0.05, 0.3, "long", None, True,
    ),
}  # fmt: skip

GENRE_STYLES: dict[str, GenreStyle] = {
    "drama": GenreStyle(1.0, "strings", "piano", 1, None, None),
    "comedy": GenreStyle(1.1, "warm", "pluck", 2, None, "pop"),
    "thriller": GenreStyle(1.05, "strings", "synth", 2, "low", "tick"),
    "horror": GenreStyle(0.85, "glass", "bell", 1, "dissonant", "sparse"),
    "fantasy": GenreStyle(1.0, "strings", "bell", 2, None, None),
    "scifi": GenreStyle(1.0, "glass", "synth", 4, "low", "electro"),
    "romance": GenreStyle(0.95, "warm", "piano", 2, None, "light"),
    "documentary": GenreStyle(1.0, "warm", "piano", 1, None, "light"),
    "adventure": GenreStyle(1.05, "strings", "pluck", 2, "low", "taiko"),
    "mystery": GenreStyle(0.95, "glass", "bell", 1, "low", "light"),
}

# (step of 16, instrument, velocity) for one bar of each drum kit.
DRUM_PATTERNS: dict[str, tuple[tuple[int, str, float], ...]] = {
    "light": ((0, "kick", 0.7), (10, "kick", 0.4), (4, "hat", 0.35), (12, "hat", 0.35)),
    "pop": (
        (0, "kick", 1.0), (8, "kick", 0.9), (4, "snare", 0.8), (12, "snare", 0.8),
        *((s, "hat", 0.45 if s % 4 == 0 else 0.3) for s in range(0, 16, 2)),
    ),
    "tick": (
        (0, "kick", 0.7), (8, "kick", 0.6),
        *((s, "hat", 0.4 if s % 4 == 0 else 0.18) for s in range(16)),
    ),
    "taiko": (
        (0, "tom", 1.0), (3, "tom", 0.55), (6, "tom", 0.7), (8, "tom", 0.9), (11, "tom", 0.55),
        (14, "tom", 0.75), (0, "kick", 0.8), (8, "kick", 0.6),
    ),
    "electro": (
        (0, "kick", 1.0), (4, "kick", 0.9), (8, "kick", 1.0), (12, "kick", 0.9),
        (4, "snare", 0.6), (12, "snare", 0.6), (2, "hat", 0.4), (6, "hat", 0.4),
        (10, "hat", 0.4), (14, "hat", 0.4),
    ),
    "sparse": ((0, "tom", 0.8), (0, "kick", 0.6)),
}  # fmt: skip
DRUM_PAN = {"kick": 0.0, "snare": -0.1, "hat": 0.3, "tom": -0.25}


@dataclass(frozen=True)
class MusicPlan:
    """Everything a bed is made from, chosen from genre, mood and seed (kept in manifests)."""

    genre: str
    mood: str
    seed: int
    key: str  # the tonic's name, e.g. "F#"
    tonic: int  # the tonic's pitch class, 0 = C
    scale: str
    bpm: float
    progression: tuple[int, ...]  # scale degrees, one chord per `bars_per_chord` bars
    chords: tuple[tuple[int, ...], ...]  # MIDI notes of each chord, as the pad plays them
    bars_per_chord: int
    energy: float
    bass: str
    lead: str
    lead_rate: int
    drums: str | None
    drone: str | None
    pad: str
    brightness: float

    @property
    def beat_seconds(self) -> float:
        return 60.0 / self.bpm

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rng(*, genre: str, mood: str, seed: int) -> np.random.Generator:
    # Indices rather than hash(): str hashes change from one Python process to the next.
    return np.random.default_rng([seed & 0xFFFFFFFF, GENRES.index(genre), MOODS.index(mood)])


def music_plan(*, genre: str, mood: str, seed: int) -> MusicPlan:
    """The key, tempo, chords and instruments of the bed for this genre, mood and seed."""
    if genre not in GENRE_STYLES:
        raise ValueError(f"Unknown genre {genre!r}; one of: {', '.join(GENRES)}")
    if mood not in MOOD_STYLES:
        raise ValueError(f"Unknown mood {mood!r}; one of: {', '.join(MOODS)}")
    m, g = MOOD_STYLES[mood], GENRE_STYLES[genre]
    rng = _rng(genre=genre, mood=mood, seed=seed)
    tonic = int(rng.integers(12))
    scale_name = m.scales[int(rng.integers(len(m.scales)))]
    bpm = round(float(rng.uniform(*m.bpm)) * g.tempo, 1)
    progression = m.progressions[int(rng.integers(len(m.progressions)))]
    scale = SCALES[scale_name]
    chords = []
    for degree in progression:
        steps = (0, 2, 4, 6) if m.sevenths else (0, 2, 4)
        pcs = [(tonic + scale[(degree + s) % 7]) % 12 for s in steps]
        # Close voicing between G3 and F#4: the chords move little from one to the next.
        chords.append(tuple(sorted(55 + (pc - 7) % 12 for pc in pcs)))
    # The mood's own kits (taiko for epic, ticking for tense) win; calm moods stay drumless
    # except for a horror score's sparse hits.
    if m.drums in ("taiko", "tick"):
        drums: str | None = m.drums
    elif m.drums:
        drums = g.drums or m.drums
    else:
        drums = "sparse" if g.drums == "sparse" else None
    drone = g.drone or ("low" if mood in ("epic", "mysterious", "tense") else None)
    lead_rate = g.lead_rate if m.energy >= 0.4 else max(1, g.lead_rate // 2)
    return MusicPlan(
        genre=genre,
        mood=mood,
        seed=seed,
        key=PITCH_NAMES[tonic],
        tonic=tonic,
        scale=scale_name,
        bpm=bpm,
        progression=progression,
        chords=tuple(chords),
        bars_per_chord=m.bars_per_chord,
        energy=m.energy,
        bass=m.bass,
        lead=g.lead,
        lead_rate=lead_rate,
        drums=drums,
        drone=drone,
        pad=g.pad,
        brightness=m.brightness,
    )


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12)


def _wavetable(kind: str, brightness: float, size: int = 4096) -> np.ndarray:
    """One cycle of a band-limited waveform: additive synthesis of its harmonics."""
    phase = np.arange(size) / size
    if kind == "strings":  # saw-like, darker when brightness is low
        harmonics = [(k, np.exp(-(k - 1) * (1.1 - brightness) * 0.3) / k) for k in range(1, 25)]
    elif kind == "glass":  # odd harmonics, hollow
        harmonics = [(k, 1 / k**1.5) for k in range(1, 16, 2)] + [(2, 0.15)]
    elif kind == "warm":
        harmonics = [(k, 1 / k**2) for k in range(1, 9)]
    else:
        harmonics = [(1, 1.0)]
    table = sum(a * np.sin(2 * np.pi * k * phase) for k, a in harmonics)
    table = np.asarray(table, dtype=np.float64)
    return (table / np.abs(table).max()).astype(np.float32)


def _osc(
    table: np.ndarray, freq: float, n: int, sample_rate: int, phase: float = 0.0
) -> np.ndarray:
    """`n` samples of `table` played at `freq` (a power-of-two table; 4096 by default)."""
    # A 32-bit fixed-point phase accumulator: integer multiply, shift and mask are ~20x
    # faster than a float modulo, and the drones run over every sample of the bed.
    bits = len(table).bit_length() - 1
    increment = round(freq / sample_rate * 2**32)
    start = round((phase % 1.0) * 2**32)
    return table[
        ((start + increment * np.arange(n, dtype=np.int64)) >> (32 - bits)) & (len(table) - 1)
    ]


def _add(bus: np.ndarray, start: int, block: np.ndarray, gain: float = 1.0) -> None:
    """Mix `block` into `bus` (same channel layout) from sample `start`, cut at the end."""
    if start >= len(bus) or start + len(block) <= 0:
        return
    lo, hi = max(0, start), min(len(bus), start + len(block))
    part = block[lo - start : hi - start]
    bus[lo:hi] += part if gain == 1.0 else gain * part


def _pan(mono: np.ndarray, pan: float) -> np.ndarray:
    """Equal-power pan: -1 left, 0 centre, 1 right."""
    angle = (pan + 1) * np.pi / 4
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=1)


class _Bed:
    """Renders one plan at one sample rate; each distinct note is rendered once."""

    def __init__(self, plan: MusicPlan, n: int, sample_rate: int, rng: np.random.Generator):
        self.plan, self.n, self.sr, self.rng = plan, n, sample_rate, rng
        self.beat = plan.beat_seconds
        self.bar = 4 * self.beat
        self.segment = plan.bars_per_chord * self.bar
        self.cache: dict[tuple[Any, ...], np.ndarray] = {}

    def t(self, n: int) -> np.ndarray:
        return np.arange(n, dtype=np.float32) / self.sr

    def cached(self, key: tuple[Any, ...], make: Any) -> np.ndarray:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def chord_starts(self) -> list[tuple[float, int]]:
        """(start in seconds, index into the progression) of each chord in the bed."""
        count = int(np.ceil(self.n / self.sr / self.segment)) + 1
        return [(i * self.segment, i % len(self.plan.chords)) for i in range(count)]

    # --- layers -------------------------------------------------------------------------

    def pad(self) -> np.ndarray:
        bus = np.zeros((self.n, 2), np.float32)
        table = _wavetable(self.plan.pad, self.plan.brightness)
        seg = int(self.segment * self.sr)
        tail = int(min(1.2, self.segment / 2) * self.sr)
        attack = 0.05 + (1 - self.plan.energy) * 0.6

        def render(chord: tuple[int, ...]) -> np.ndarray:
            m = seg + tail
            t = self.t(m)
            env = np.minimum(1.0, t / attack) * (1 - 0.25 * t / (m / self.sr))
            env[seg:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, tail, dtype=np.float32))
            out = np.zeros((m, 2), np.float32)
            for note in chord:
                f = _hz(note)
                lo, hi = f * 2 ** (-7 / 1200), f * 2 ** (7 / 1200)  # a chorus of two voices
                a, b = _osc(table, lo, m, self.sr), _osc(table, hi, m, self.sr, 0.37)
                out[:, 0] += a + 0.6 * b
                out[:, 1] += b + 0.6 * a
            return out * (env / len(chord))[:, None]

        for start, i in self.chord_starts():
            chord = self.plan.chords[i]
            _add(bus, int(start * self.sr), self.cached(("pad", chord), lambda c=chord: render(c)))
        return bus

    def bass(self) -> np.ndarray:
        bus = np.zeros(self.n, np.float32)  # mono, centred: notes are placed on one channel
        table = _wavetable("warm", 0.5)
        style = self.plan.bass
        step = {"long": self.segment, "root5": self.beat, "pulse8": self.beat / 2}.get(
            style, self.beat / 4
        )
        decay = 1.5 if style == "long" else 0.18

        def render(midi: int, length: float) -> np.ndarray:
            m = int(length * self.sr)
            t = self.t(m)
            env = np.minimum(1.0, t / 0.005) * (0.35 + 0.65 * np.exp(-t / decay))
            fade = min(m, int(0.03 * self.sr))
            env[m - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
            return _osc(table, _hz(midi), m, self.sr) * env

        for start, i in self.chord_starts():
            degree = self.plan.progression[i]
            root = 36 + (self.plan.tonic + SCALES[self.plan.scale][degree % 7]) % 12  # C2..B2
            for k in range(max(1, round(self.segment / step))):
                midi = root + 7 if style == "root5" and k % 2 else root
                velocity = 1.0 if (k * step) % self.beat < 1e-6 else 0.7
                note = self.cached(("bass", midi, step), lambda m=midi: render(m, step * 0.95))
                _add(bus, int((start + k * step) * self.sr), note, velocity)
        return _pan(bus, 0.0)

    def lead(self) -> np.ndarray:
        sides = np.zeros((2, self.n), np.float32)  # notes alternate between two pan positions
        step = self.beat / self.plan.lead_rate
        kind = self.plan.lead
        ring = {"pluck": 0.6, "piano": 1.4, "bell": 1.8, "synth": 0.3}[kind]
        shapes = ("up", "updown", "broken")
        shape = shapes[int(self.rng.integers(len(shapes)))]

        def render(midi: int) -> np.ndarray:
            m = int(max(ring, step) * self.sr)
            t, f = self.t(m), _hz(midi)
            w = 2 * np.pi * f * t
            if kind == "bell":  # FM with an inharmonic ratio, the index dying away
                index = 2.5 * np.exp(-t / 0.35)
                wave = np.sin(w + index * np.sin(3.5 * w)) * np.exp(-t / 0.9)
            elif kind == "synth":  # FM at ratio 1: a bright saw-like blip
                index = 0.6 + 2.0 * np.exp(-t / 0.06)
                wave = np.sin(w + index * np.sin(w)) * np.exp(-t / 0.18)
            else:  # additive: upper harmonics die first; piano strings are a bit stiff
                stiffness = 0.0004 if kind == "piano" else 0.0
                tau = 0.9 if kind == "piano" else 0.35
                wave = sum(
                    np.sin(w * k * np.sqrt(1 + stiffness * k * k)) * np.exp(-t * k**0.7 / tau) / k
                    for k in range(1, 9)
                )
            wave = wave * np.minimum(1.0, t / 0.003)
            fade = min(m, int(0.02 * self.sr))
            wave[m - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
            return np.asarray(wave, dtype=np.float32)

        count = int(np.ceil(self.n / self.sr / step))
        for k in range(count):
            chord_index = int(k * step / self.segment) % len(self.plan.chords)
            tones = [note + 12 for note in self.plan.chords[chord_index]]  # G4..F#5
            if shape == "up":
                note = tones[k % len(tones)]
            elif shape == "updown":
                cycle = tones + tones[-2:0:-1]
                note = cycle[k % len(cycle)]
            else:
                note = tones[(k * 2) % len(tones)] + (12 if k % 4 == 3 else 0)
            mono = self.cached(("lead", note), lambda n=note: render(n))
            velocity = 1.0 if k % self.plan.lead_rate == 0 else 0.75
            _add(sides[k % 2], int(k * step * self.sr), mono, velocity)
        return _pan(sides[0], -0.35) + _pan(sides[1], 0.35)

    def drums(self) -> np.ndarray:
        if not self.plan.drums:
            return np.zeros((self.n, 2), np.float32)
        sounds = self.drum_kit()
        buses = {name: np.zeros(self.n, np.float32) for name in sounds}
        pattern = DRUM_PATTERNS[self.plan.drums]
        step = self.bar / STEPS_PER_BAR
        bars = int(np.ceil(self.n / self.sr / self.bar))
        for bar in range(bars):
            if self.plan.drums == "sparse" and bar % 2:
                continue
            hits = list(pattern)
            if self.rng.random() < 0.3:  # an occasional ghost note keeps the loop alive
                hits.append((int(self.rng.integers(STEPS_PER_BAR)), "hat", 0.25))
            for s, name, velocity in hits:
                _add(
                    buses[name], int((bar * self.bar + s * step) * self.sr), sounds[name], velocity
                )
        return sum(
            (_pan(bus, DRUM_PAN[name]) for name, bus in buses.items() if bus.any()),
            np.zeros((self.n, 2), np.float32),
        )

    def drum_kit(self) -> dict[str, np.ndarray]:
        def sweep(f0: float, f1: float, tau: float, seconds: float) -> np.ndarray:
            t = self.t(int(seconds * self.sr))
            freq = f1 + (f0 - f1) * np.exp(-t / tau)
            return np.sin(2 * np.pi * np.cumsum(freq) / self.sr)

        def noise(seconds: float, highpass: int) -> np.ndarray:
            x = self.rng.standard_normal(int(seconds * self.sr) + highpass).astype(np.float32)
            for _ in range(highpass):
                x = np.diff(x)
            return x / np.abs(x).max()

        t4, t3 = self.t(int(0.4 * self.sr)), self.t(int(0.3 * self.sr))
        t1, t9 = self.t(int(0.12 * self.sr)), self.t(int(0.9 * self.sr))
        kick = sweep(135, 45, 0.035, 0.4) * np.exp(-t4 / 0.22)
        snare = 0.6 * noise(0.3, 1) * np.exp(-t3 / 0.1) + 0.5 * np.sin(
            2 * np.pi * 190 * t3
        ) * np.exp(-t3 / 0.07)
        hat = 0.5 * noise(0.12, 2) * np.exp(-t1 / 0.028)
        tom = sweep(120, 68, 0.09, 0.9) * np.exp(-t9 / 0.4) + 0.25 * noise(0.9, 1) * np.exp(
            -t9 / 0.03
        )
        return {
            name: np.asarray(wave * np.minimum(1.0, self.t(len(wave)) / 0.002), np.float32)
            for name, wave in {"kick": kick, "snare": snare, "hat": hat, "tom": tom}.items()
        }

    def drone(self) -> np.ndarray:
        bus = np.zeros((self.n, 2), np.float32)
        if not self.plan.drone:
            return bus
        table = _wavetable("warm", 0.5)
        t = self.t(self.n)
        root = 28 + (self.plan.tonic - 4) % 12  # E1..Eb2
        if self.plan.drone == "dissonant":  # a minor second and a tritone, slowly beating
            voices = [(root + 12, 1.0, 0.05), (root + 13, 0.7, 0.09), (root + 18, 0.5, 0.13)]
        else:
            voices = [(root, 1.0, 0.07), (root + 7, 0.5, 0.11), (root + 12, 0.3, 0.05)]
        for midi, gain, lfo in voices:
            swell = gain * (0.75 + 0.25 * np.sin(2 * np.pi * lfo * t + midi))
            f = _hz(midi)
            bus[:, 0] += _osc(table, f * 2 ** (-4 / 1200), self.n, self.sr) * swell
            bus[:, 1] += _osc(table, f * 2 ** (4 / 1200), self.n, self.sr, 0.5) * swell
        return bus / len(voices)


def synthesize_music(
    *, duration: float, genre: str, mood: str, seed: int, sample_rate: int = 48000
) -> np.ndarray:
    """A music bed of exactly `duration` seconds: float32 (samples, 2), peaks at or below -1 dBFS.

    Deterministic: the same genre, mood, seed and sample rate give the same samples.
    """
    plan = music_plan(genre=genre, mood=mood, seed=seed)
    n = max(0, round(duration * sample_rate))
    if n == 0:
        return np.zeros((0, 2), np.float32)
    bed = _Bed(plan, n, sample_rate, _rng(genre=genre, mood=mood, seed=seed + 1))
    drum_gain = 0.25 + 0.45 * plan.energy
    mix = (
        0.55 * bed.pad()
        + 0.5 * bed.bass()
        + (0.18 + 0.12 * plan.energy) * bed.lead()
        + drum_gain * bed.drums()
        + (0.7 if plan.drone == "dissonant" else 0.45) * bed.drone()  # horror leans on it
    )
    seconds = n / sample_rate
    fade_in = min(1.5, seconds * 0.15)
    fade_out = min(3.0, seconds * 0.25)
    t = np.arange(n, dtype=np.float32) / sample_rate
    envelope = np.ones(n, np.float32)
    if fade_in > 0:
        envelope *= 0.5 - 0.5 * np.cos(np.pi * np.clip(t / fade_in, 0, 1))
    if fade_out > 0:
        envelope *= 0.5 - 0.5 * np.cos(np.pi * np.clip((seconds - t) / fade_out, 0, 1))
    mix *= envelope[:, None]
    rms = float(np.sqrt(np.mean(mix**2)))
    peak = float(np.abs(mix).max())
    if peak == 0:
        return mix
    gain = min(10 ** (BED_RMS_DB / 20) / max(rms, 1e-9), 10 ** (BED_PEAK_DB / 20) / peak)
    return (mix * gain).astype(np.float32)
