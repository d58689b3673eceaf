"""The animatic's words on screen: captions of what is said, the title card, the shot label.

Each is drawn once, as an RGBA image with its translucent backing, and pasted over every frame
that shows it (one C-level alpha paste per frame). Pillow's own font is enough: from Pillow
10.1, `ImageFont.load_default(size=...)` is a scalable TrueType face, so no system font is
needed on a laptop or in a slim container.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

WHITE = (255, 255, 255, 255)
BLACK = (0, 0, 0, 255)
# Speaker names stand out in a warm yellow; noir's must stay grey like everything else.
SPEAKER = {"noir": (200, 200, 200, 255)}
SPEAKER_DEFAULT = (255, 214, 92, 255)
CAPTION_LINES = 2  # per page: longer speech is shown a page at a time


@lru_cache(maxsize=16)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's embedded scalable font at `size` pixels."""
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Overlay:
    """An RGBA image pasted at (x, y) of the frame; its alpha is its translucency."""

    image: Image.Image
    x: int
    y: int

    def faded(self, factor: float) -> Overlay:
        """The same overlay `factor` (0..1) as opaque."""
        alpha = self.image.getchannel("A").point(lambda v: round(v * factor))
        image = self.image.copy()
        image.putalpha(alpha)
        return Overlay(image, self.x, self.y)


def wrap(text: str, face: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels; a word longer than a line is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while face.getlength(word) > width and len(word) > 1:  # a very long word
            cut = len(word)
            while cut > 1 and face.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def caption_pages(
    *,
    narration: str,
    dialogue: tuple[tuple[str, str], ...],
    width: int,
    height: int,
    style: str,
) -> list[tuple[Overlay, int]]:
    """The shot's speech as caption pages, each with its weight (characters) for timing."""
    size = max(11, round(height / 22))
    face = font(size)
    max_width = width * 0.84
    speaker_fill = SPEAKER.get(style, SPEAKER_DEFAULT)
    pages: list[tuple[Overlay, int]] = []
    parts: list[tuple[str, str]] = []
    if narration.strip():
        parts.append(("", narration.strip()))
    parts += [(speaker.strip(), line.strip()) for speaker, line in dialogue if line.strip()]
    for speaker, text in parts:
        prefix = f"{speaker.upper()}: " if speaker else ""
        lines = wrap(prefix + text, face, max_width)
        for start in range(0, len(lines), CAPTION_LINES):
            page = lines[start : start + CAPTION_LINES]
            # The speaker's name is coloured only where it begins the speech.
            named = prefix.rstrip() if start == 0 and prefix else ""
            pages.append(
                (
                    _caption(page, named, face, size, width, height, speaker_fill),
                    sum(len(line) for line in page),
                )
            )
    return pages


def _caption(
    lines: list[str],
    speaker: str,
    face: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    size: int,
    width: int,
    height: int,
    speaker_fill: tuple[int, int, int, int],
) -> Overlay:
    line_height = round(size * 1.3)
    pad_x, pad_y = round(size * 0.7), round(size * 0.35)
    text_width = max(face.getlength(line) for line in lines)
    box_w = min(width, round(text_width) + 2 * pad_x)
    box_h = line_height * len(lines) + 2 * pad_y
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 150))
    draw = ImageDraw.Draw(image)
    stroke = max(1, size // 14)
    for k, line in enumerate(lines):
        x = (box_w - face.getlength(line)) / 2
        y = pad_y + k * line_height + (line_height - size) / 2
        draw.text((x, y), line, font=face, fill=WHITE, stroke_width=stroke, stroke_fill=BLACK)
        if k == 0 and speaker and line.startswith(speaker):
            draw.text(
                (x, y),
                speaker,
                font=face,
                fill=speaker_fill,
                stroke_width=stroke,
                stroke_fill=BLACK,
            )
    bottom = round(height * 0.04)
    return Overlay(image, (width - box_w) // 2, height - bottom - box_h)


def shot_label(*, text: str, width: int, height: int) -> Overlay:
    """The small storyboard label at the top left: shot number and prompt."""
    size = max(9, round(height / 45))
    face = font(size)
    max_width = width * 0.6
    if face.getlength(text) > max_width:
        while len(text) > 1 and face.getlength(text + "…") > max_width:
            text = text[:-1]
        text = text.rstrip() + "…"
    pad = max(2, size // 3)
    box_w = round(face.getlength(text)) + 2 * pad
    box_h = round(size * 1.25) + 2 * pad
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 120))
    ImageDraw.Draw(image).text((pad, pad), text, font=face, fill=(235, 235, 235, 255))
    margin = round(height * 0.02)
    return Overlay(image, margin, margin)


def title_card(*, title: str, width: int, height: int) -> Overlay:
    """The title over the opening shot: large, centred, on a dimmed frame."""
    size = max(16, round(height / 9))
    face = font(size)
    lines = wrap(title, face, width * 0.8)[:3]
    while len(lines) == 3 and size > 16 and wrap(title, face, width * 0.8)[3:]:
        size = round(size * 0.85)  # a long title gets a smaller face rather than a 4th line
        face = font(size)
        lines = wrap(title, face, width * 0.8)[:3]
    image = Image.new("RGBA", (width, height), (0, 0, 0, 110))
    draw = ImageDraw.Draw(image)
    line_height = round(size * 1.2)
    top = (height - line_height * len(lines)) / 2
    stroke = max(1, size // 16)
    for k, line in enumerate(lines):
        x = (width - face.getlength(line)) / 2
        draw.text(
            (x, top + k * line_height),
            line,
            font=face,
            fill=WHITE,
            stroke_width=stroke,
            stroke_fill=BLACK,
        )
    rule_y = round(top + line_height * len(lines) + size * 0.3)
    rule = round(width * 0.12)
    draw.rectangle(
        (width // 2 - rule, rule_y, width // 2 + rule, rule_y + max(1, size // 20)), fill=WHITE
    )
    return Overlay(image, 0, 0)
