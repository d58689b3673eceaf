"""What an asset's analysis measures, from the file on disk (no database, no HTTP of its own).

Images: dimensions, colour depth, a palette of dominant colours (k-means over the pixels, so an
image two-thirds red and one-third blue lists both, not their purple mean), tones, brightness,
and a description and tags built from those measurements. Video and audio (PyAV): duration,
codecs, resolution, frame rate, bitrate, and a thumbnail (video) or waveform (audio) image.
Documents (PDF, text, Markdown): page and word counts, an extractive summary and keywords.

`describe_with` lets a vision or chat model (assets.describers) replace the measured
description; the measurements stay either way.
"""

from __future__ import annotations

import colorsys
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from assets.choices import AssetKind

THUMBNAIL_WIDTH = 320
WAVEFORM_SIZE = (800, 160)
PALETTE_SIZE = 5
_SAMPLE = 128  # images are clustered on a 128-pixel-wide copy

BITS_PER_MODE = {"1": 1, "L": 8, "P": 8, "LA": 16, "RGB": 24, "RGBA": 32, "CMYK": 32, "I": 32,
                 "F": 32, "I;16": 16, "YCbCr": 24, "LAB": 24, "HSV": 24}  # fmt: skip


@dataclass
class Analysis:
    """The analysis of one file: `technical` data, `analysis` (description, tags, style,
    summary) and a preview image to store (thumbnail or waveform), if any."""

    technical: dict[str, Any] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    preview: Path | None = None


# --- colours ------------------------------------------------------------------------------

NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128),
    "silver": (192, 192, 192), "dark gray": (64, 64, 64), "red": (220, 30, 30),
    "dark red": (128, 0, 0), "orange": (255, 140, 0), "yellow": (250, 220, 40),
    "gold": (212, 175, 55), "brown": (120, 72, 30), "beige": (225, 200, 160),
    "green": (40, 170, 60), "dark green": (0, 90, 30), "olive": (128, 128, 0),
    "teal": (0, 128, 128), "cyan": (0, 200, 220), "sky blue": (120, 190, 240),
    "blue": (30, 70, 220), "navy": (0, 0, 110), "purple": (128, 40, 160),
    "violet": (180, 120, 230), "pink": (245, 150, 190), "magenta": (220, 0, 180),
}  # fmt: skip
_NAMES = list(NAMED_COLOURS)
_RGB = np.array([NAMED_COLOURS[n] for n in _NAMES], dtype=np.float32)


def colour_name(rgb: tuple[int, int, int]) -> str:
    """The nearest of a few dozen everyday colour names."""
    distances = ((_RGB - np.array(rgb, dtype=np.float32)) ** 2).sum(1)
    return _NAMES[int(distances.argmin())]


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def kmeans(
    pixels: np.ndarray, k: int, *, iterations: int = 20, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster rows of `pixels` (n, 3) into at most k groups: (centres, counts), k-means++ start.

    Deterministic for a given seed, so the same image always gets the same palette.
    """
    rng = np.random.default_rng(seed)
    unique = np.unique(pixels, axis=0)
    k = min(k, len(unique))
    centres = [pixels[rng.integers(len(pixels))]]
    for _ in range(1, k):
        d = np.min(((pixels[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        if d.sum() == 0:
            break
        centres.append(pixels[rng.choice(len(pixels), p=d / d.sum())])
    c = np.array(centres, dtype=np.float32)
    labels = np.zeros(len(pixels), dtype=np.int64)
    for _ in range(iterations):
        labels = ((pixels[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
        moved = np.array(
            [pixels[labels == i].mean(0) if (labels == i).any() else c[i] for i in range(len(c))],
            dtype=np.float32,
        )
        if np.allclose(moved, c, atol=0.5):
            c = moved
            break
        c = moved
    counts = np.bincount(labels, minlength=len(c))
    return c, counts


def palette(image: Image.Image, size: int = PALETTE_SIZE) -> list[dict[str, Any]]:
    """The dominant colours, largest share first: `{hex, rgb, name, share}`; clusters under 3%
    of the image are left out (noise, anti-aliased edges)."""
    small = image.convert("RGB")
    small.thumbnail((_SAMPLE, _SAMPLE))
    pixels = np.asarray(small, dtype=np.float32).reshape(-1, 3)
    centres, counts = kmeans(pixels, size)
    total = counts.sum()
    colours = []
    for index in np.argsort(-counts):
        share = float(counts[index] / total)
        if share < 0.03:
            continue
        rgb = tuple(round(v) for v in centres[index])
        colours.append(
            {
                "hex": hex_colour(rgb),
                "rgb": list(rgb),
                "name": colour_name(rgb),
                "share": round(share, 3),
            }
        )
    return colours


def tones(colours: list[dict[str, Any]]) -> dict[str, Any]:
    """Brightness, saturation and warm/cool tone, weighted by each colour's share."""
    warm = cool = brightness = saturation = 0.0
    for colour in colours:
        r, g, b = (v / 255 for v in colour["rgb"])
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        share = colour["share"]
        brightness += share * (0.2126 * r + 0.7152 * g + 0.0722 * b)
        saturation += share * s
        if s > 0.15 and v > 0.15:
            hue = h * 360
            if hue < 70 or hue >= 320:
                warm += share * s
            elif 150 <= hue < 270:
                cool += share * s
    total = sum(c["share"] for c in colours) or 1.0
    brightness, saturation = brightness / total, saturation / total
    tone = (
        "warm"
        if warm > cool * 1.2 and warm > 0.05
        else "cool"
        if cool > warm * 1.2 and cool > 0.05
        else "neutral"
    )
    return {
        "brightness": round(brightness, 3),
        "brightnessLevel": "dark"
        if brightness < 0.3
        else "bright"
        if brightness > 0.65
        else "medium",
        "saturation": round(saturation, 3),
        "colorTone": tone,
        "monochrome": saturation < 0.08,
    }


def _image_words(
    width: int, height: int, colours: list[dict[str, Any]], style: dict[str, Any]
) -> tuple[str, list[str]]:
    orientation = (
        "square"
        if abs(width - height) <= 0.05 * max(width, height)
        else ("landscape" if width > height else "portrait")
    )
    names: list[str] = []
    for colour in colours:
        if colour["name"] not in names:
            names.append(colour["name"])
    main = names[:3]
    colour_text = " and ".join([", ".join(main[:-1]), main[-1]] if len(main) > 1 else main)
    mood = "black and white" if style["monochrome"] else f"{style['colorTone']}-toned"
    description = (
        f"A {style['brightnessLevel']}, {mood} {orientation} image ({width}x{height}) "
        f"dominated by {colour_text}."
    )
    tags = [orientation, style["brightnessLevel"], style["colorTone"], *main]
    if style["monochrome"]:
        tags.append("monochrome")
    return description, list(dict.fromkeys(tags))


def analyse_image(path: Path) -> Analysis:
    with Image.open(path) as image:
        image.seek(0)
        width, height = image.size
        mode = image.mode
        frames = getattr(image, "n_frames", 1)
        colours = palette(image)
        compression = image.format
    style = tones(colours)
    description, tags = _image_words(width, height, colours, style)
    return Analysis(
        technical={
            "dimensions": {"width": width, "height": height},
            "colorDepth": BITS_PER_MODE.get(mode, 24),
            "colorMode": mode,
            "compression": compression,
            "frames": frames,
            "palette": colours,
            "colorPalette": [c["hex"] for c in colours],
        },
        analysis={
            "description": description,
            "tags": tags,
            "styleAnalysis": {**style, "lighting": style["brightnessLevel"]},
            "source": "measured",
        },
    )


# --- video and audio ----------------------------------------------------------------------


def _bitrate(container: Any, path: Path, duration: float | None) -> int | None:
    if container.bit_rate:
        return int(container.bit_rate)
    return int(path.stat().st_size * 8 / duration) if duration else None


def _thumbnail(container: Any, stream: Any, duration: float | None, out: Path) -> Path | None:
    """A JPEG of the frame a tenth of the way in (the first frame of a short clip)."""
    target = (duration or 0) * 0.1
    if target > 0.5 and stream.time_base:
        container.seek(int(target / stream.time_base), stream=stream)
    for frame in container.decode(stream):
        image = frame.to_image()
        image.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 4))
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out
    return None


def _waveform(path: Path, out: Path) -> tuple[Path | None, float]:
    """A PNG of the audio's peaks (mono, one column per slice of time) and its loudness (RMS)."""
    import av

    peaks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=8000)
        for frame in container.decode(audio=0):
            for converted in resampler.resample(frame):
                peaks.append(converted.to_ndarray().reshape(-1))
        for converted in resampler.resample(None):
            peaks.append(converted.to_ndarray().reshape(-1))
    if not peaks:
        return None, 0.0
    samples = np.abs(np.concatenate(peaks))
    rms = float(np.sqrt(np.mean(samples**2)))
    width, height = WAVEFORM_SIZE
    columns = np.array_split(samples, width) if len(samples) >= width else [samples]
    image = Image.new("RGB", WAVEFORM_SIZE, (20, 24, 32))
    draw = ImageDraw.Draw(image)
    middle = height / 2
    for x, column in enumerate(columns):
        peak = float(column.max()) if len(column) else 0.0
        half = max(1.0, min(1.0, peak) * (middle - 4))
        draw.line([(x, middle - half), (x, middle + half)], fill=(90, 180, 250))
    image.save(out, "PNG")
    return out, rms


def analyse_av(path: Path, workdir: Path) -> Analysis:
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        duration = float(container.duration / av.time_base) if container.duration else None
        videos = [
            s for s in container.streams.video
            if not (s.disposition & av.stream.Disposition.attached_pic)
        ]  # fmt: skip
        audios = list(container.streams.audio)
        technical: dict[str, Any] = {
            "duration": round(duration, 3) if duration else None,
            "container": container.format.name.split(",")[0],
            "bitrate": _bitrate(container, path, duration),
            "codecs": {},
        }
        preview: Path | None = None
        if videos:
            video = videos[0]
            fps = float(video.average_rate) if video.average_rate else None
            technical["codecs"]["video"] = video.codec_context.name
            technical["dimensions"] = {"width": video.width, "height": video.height}
            technical["resolution"] = f"{video.width}x{video.height}"
            technical["frameRate"] = round(fps, 3) if fps else None
            technical["codec"] = video.codec_context.name
            preview = _thumbnail(container, video, duration, workdir / "thumbnail.jpg")
        if audios:
            audio = audios[0]
            technical["codecs"]["audio"] = audio.codec_context.name
            technical["sampleRate"] = audio.codec_context.sample_rate
            technical["channels"] = audio.codec_context.channels
            technical.setdefault("codec", audio.codec_context.name)
    analysis: dict[str, Any] = {"source": "measured"}
    length = f"{technical['duration']:.1f}-second" if technical["duration"] else "short"
    if videos:
        kind = "video"
        tags = ["video", technical["resolution"], technical["codecs"]["video"]]
        if preview is not None:
            with Image.open(preview) as frame:
                colours = palette(frame)
            style = tones(colours)
            technical["palette"] = colours
            technical["colorPalette"] = [c["hex"] for c in colours]
            analysis["styleAnalysis"] = {**style, "lighting": style["brightnessLevel"]}
            names = list(dict.fromkeys(c["name"] for c in colours))[:3]
            tags += [style["brightnessLevel"], style["colorTone"], *names]
            description = (
                f"A {length} {technical['resolution']} video, {style['brightnessLevel']} and "
                f"{style['colorTone']}-toned, mostly {' and '.join(names)}"
                + (", with sound." if audios else ", without sound.")
            )
        else:
            description = f"A {length} {technical['resolution']} video."
    else:
        kind = "audio"
        preview, rms = _waveform(path, workdir / "waveform.png")
        loudness = "quiet" if rms < 0.05 else "loud" if rms > 0.3 else "moderate"
        technical["loudness"] = round(rms, 4)
        channels = {1: "mono", 2: "stereo"}.get(technical.get("channels") or 0, "multichannel")
        tags = ["audio", channels, loudness, technical["codecs"]["audio"]]
        description = f"A {length} {channels} {loudness} audio recording."
    analysis["description"] = description
    analysis["tags"] = list(dict.fromkeys(t for t in tags if t))
    return Analysis(technical=technical, analysis=analysis, preview=preview if kind else None)


# --- documents ----------------------------------------------------------------------------

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "would",
        "could",
        "also",
        "may",
        "one",
        "two",
        "us",
        "our",
        "its",
        "it's",
        "i'm",
    ]
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
SUMMARY_SENTENCES = 3
MAX_SUMMARY = 600


def summarise(text: str) -> dict[str, Any]:
    """An extractive summary: the sentences with the most frequent content words, in their
    order, plus the keywords and counts."""
    clean = re.sub(r"[#*_`>\[\]()]+", " ", text)  # Markdown marks are not words
    words = [w.lower() for w in _WORD.findall(clean)]
    content = [w for w in words if w not in STOP_WORDS]
    frequency = Counter(content)
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(clean.split())) if s.strip()]
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (
            -sum(frequency[w.lower()] for w in _WORD.findall(sentences[i]))
            / (1 + len(_WORD.findall(sentences[i]))) ** 0.5
        ),
    )
    chosen = sorted(scored[:SUMMARY_SENTENCES])
    summary = " ".join(sentences[i] for i in chosen)[:MAX_SUMMARY]
    keywords = [word for word, _ in frequency.most_common(8)]
    return {"summary": summary, "keywords": keywords, "wordCount": len(words)}


def document_text(path: Path, mime_type: str, *, max_pages: int = 20) -> tuple[str, dict[str, Any]]:
    if mime_type == "application/pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
        return "\n".join(pages), {"pages": len(reader.pages)}
    return path.read_text("utf-8-sig", errors="replace"), {}


def analyse_document(path: Path, mime_type: str) -> Analysis:
    text, technical = document_text(path, mime_type)
    facts = summarise(text)
    technical = {**technical, "wordCount": facts["wordCount"], "characters": len(text)}
    kind = (
        "PDF document"
        if mime_type == "application/pdf"
        else ("Markdown document" if mime_type == "text/markdown" else "text document")
    )
    description = facts["summary"] or f"An empty {kind}."
    return Analysis(
        technical=technical,
        analysis={
            "description": description,
            "summary": facts["summary"],
            "tags": ["document", *facts["keywords"][:6]],
            "keywords": facts["keywords"],
            "source": "measured",
        },
    )


def analyse(path: Path, *, kind: str, mime_type: str, workdir: Path) -> Analysis:
    """The analysis of a stored file of this kind."""
    if kind == AssetKind.IMAGE:
        return analyse_image(path)
    if kind in (AssetKind.VIDEO, AssetKind.AUDIO):
        return analyse_av(path, workdir)
    return analyse_document(path, mime_type)


def embedding_text(
    *, name: str, filename: str, kind: str, media_type: str, description: str,
    tags: list[str], analysis: dict[str, Any], technical: dict[str, Any],
) -> str:  # fmt: skip
    """The text an asset's embedding is made of: its names, the user's words, the analysis."""
    colours = [c["name"] for c in technical.get("palette", [])]
    parts = [
        name, filename if filename != name else "", kind, media_type.replace("_", " "),
        description, analysis.get("description", ""), analysis.get("summary", ""),
        " ".join(tags), " ".join(analysis.get("tags", [])), " ".join(dict.fromkeys(colours)),
    ]  # fmt: skip
    return ". ".join(p.strip() for p in parts if p and p.strip())[:2000]


def embedding_text_of(asset: Any) -> str:
    """`embedding_text` of an asset row as it is now (the analysis job and `reindex`)."""
    return embedding_text(
        name=asset.name,
        filename=asset.filename,
        kind=asset.kind,
        media_type=asset.media_type,
        description=asset.description,
        tags=asset.tags,
        analysis=asset.analysis,
        technical=asset.technical,
    )
