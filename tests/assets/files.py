"""Small real files for upload tests, made in memory: images, video, audio, documents, and
hostile ones (a decompression bomb, a text file named .png, trailing data after an image)."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib

import numpy as np
from PIL import Image


def png(width: int = 60, height: int = 30, colours: tuple = ((220, 30, 30),)) -> bytes:
    """A PNG split into vertical bands, one per colour (equal shares unless repeated)."""
    image = Image.new("RGB", (width, height))
    band = width // len(colours)
    for i, colour in enumerate(colours):
        image.paste(
            colour, (i * band, 0, width if i == len(colours) - 1 else (i + 1) * band, height)
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG carrying EXIF (a camera model and GPS-like tag), then junk after its end."""
    image = Image.new("RGB", (40, 40), (30, 70, 220))
    exif = Image.Exif()
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[0x010E] = "secret location 51.5N 0.1W"  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue() + b"HIDDEN-PAYLOAD-AFTER-EOI"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims width x height pixels (its data is a stub)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00"))
        + _chunk(b"IEND", b"")
    )


def wav(seconds: float = 0.5, rate: int = 8000, frequency: float = 440.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (
            int(12000 * math.sin(2 * math.pi * frequency * i / rate))
            for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


def mp4(frames: int = 12, size: tuple[int, int] = (64, 48), fps: int = 12) -> bytes:
    """An H.264 MP4, orange frames with a moving blue bar."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            array = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            array[:] = (240, 140, 20)
            array[:, (i * 4) % size[0] : (i * 4) % size[0] + 8] = (20, 40, 200)
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def pdf(text: str = "A storm gathers over the harbour. The lighthouse keeper waits.") -> bytes:
    """A one-page PDF whose page shows `text` (pypdf reads it back)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


MARKDOWN = (
    b"# The harbour\n\nA storm gathers over the harbour at night. The lighthouse keeper "
    b"watches the ships.\n\nThe keeper lights the lamp and the ships find the harbour.\n"
)
