"""Uploaded files, checked before anything is stored.

- Size: `LimitedUploadHandler` streams each file part to a temporary file on disk and stops
  at the plan's limit while the bytes arrive (a single-file endpoint answers 413 at once; a
  multi-file one drops that file and reads on), so an oversized upload never fills memory or
  the disk.
- Type: by content only (magic bytes, then a full decode: Pillow, PyAV, pypdf, strict UTF-8);
  a name whose extension says something else is refused too (a text file named `.png`).
- Images: the pixel count is checked from the header before any decode (a 69-byte PNG that
  claims 50,000 x 50,000 pixels is refused undecoded), then decoded and re-encoded, which
  drops EXIF, text chunks and anything appended after the image data.
- Names: reduced to a safe base name; NUL and control characters are refused.
"""

from __future__ import annotations

import io
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest

from assets.choices import AssetKind
from config.api.errors import ApiError, ErrorCode, ValidationFailed


class FileTooLarge(ApiError):
    code = ErrorCode.FILE_TOO_LARGE
    default_message = "The file is larger than your plan allows"


class UnsupportedFormat(ApiError):
    code = ErrorCode.UNSUPPORTED_FORMAT
    default_message = "This kind of file is not supported"


def too_large_message(limit: int) -> str:
    return f"The file is larger than your plan's upload limit of {limit} bytes"


class OversizeUpload(UploadedFile):
    """A file part dropped at the size limit: its name and how far it got, no content."""

    def __init__(self, name: str, received: int, limit: int) -> None:
        super().__init__(io.BytesIO(b""), name=name, size=received)
        self.limit = limit


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams file parts to disk, none past `limit` bytes.

    With `abort`, the first oversized part ends the request (413 FILE_TOO_LARGE); without it
    the part's bytes are dropped as they arrive and it reaches the view as an OversizeUpload.
    """

    def __init__(self, request: HttpRequest, *, limit: int, abort: bool) -> None:
        super().__init__(request)
        self.limit = limit
        self.abort = abort
        self.received = 0
        self.dropped = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.dropped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.dropped:
            return None
        if self.received > self.limit:
            self.file.close()  # the temporary file is deleted on close
            if self.abort:
                raise FileTooLarge(too_large_message(self.limit))
            self.dropped = True
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.dropped:
            return OversizeUpload(self.file_name or "upload", self.received, self.limit)
        return super().file_complete(file_size)


# --- names ------------------------------------------------------------------------------------

MAX_NAME = 200


def safe_filename(raw: str, *, field: str = "file") -> str:
    """The base name of `raw`: no folders, no leading dots, at most 200 characters.

    NUL and other control characters are refused (400), not silently dropped: no honest
    client sends them, and a name that changed under the caller would surprise them.
    """
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in raw):
        raise ValidationFailed.for_field(field, "The file name contains control characters.")
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else ""
        name = name or raw[:MAX_NAME]
    return name or "upload"


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


# --- formats ----------------------------------------------------------------------------------

# An extension's family; a name whose family differs from the content's is refused.
EXTENSION_FAMILIES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("png", "jpg", "jpeg", "jpe", "gif", "webp", "bmp", "tif", "tiff"),
        frozenset({AssetKind.IMAGE}),
    ),
    **dict.fromkeys(("mov", "avi", "m4v", "mkv"), frozenset({AssetKind.VIDEO})),
    **dict.fromkeys(("mp4", "webm", "ogg", "ogv"), frozenset({AssetKind.VIDEO, AssetKind.AUDIO})),
    **dict.fromkeys(
        ("mp3", "wav", "flac", "m4a", "aac", "oga", "opus"), frozenset({AssetKind.AUDIO})
    ),
    **dict.fromkeys(("pdf", "txt", "md", "markdown", "text"), frozenset({AssetKind.DOCUMENT})),
    # Known kinds of file that are none of the accepted ones.
    **dict.fromkeys(
        ("exe", "dll", "sh", "bat", "js", "html", "htm", "svg", "zip", "tar", "gz", "php", "py"),
        frozenset(),
    ),
}

IMAGE_FORMATS = {
    # Pillow format: (mime, extension, format it is re-encoded as)
    "PNG": ("image/png", "png", "PNG"),
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "GIF": ("image/gif", "gif", "GIF"),
    "WEBP": ("image/webp", "webp", "WEBP"),
    "BMP": ("image/png", "png", "PNG"),
    "TIFF": ("image/png", "png", "PNG"),
}

_CONTAINERS = {
    # PyAV format name (first of its list): (video mime, audio mime, extension)
    "mov": ("video/mp4", "audio/mp4", "mp4"),
    "matroska": ("video/webm", "audio/webm", "webm"),
    "ogg": ("video/ogg", "audio/ogg", "ogg"),
    "wav": ("", "audio/wav", "wav"),
    "mp3": ("", "audio/mpeg", "mp3"),
    "flac": ("", "audio/flac", "flac"),
    "avi": ("video/x-msvideo", "", "avi"),
    "aac": ("", "audio/aac", "aac"),
}


@dataclass
class Inspected:
    """What a file is, by its content; `path` is the file to store (re-encoded for images)."""

    kind: str
    mime_type: str
    extension: str
    path: Path
    details: dict[str, Any]


def _magic(head: bytes) -> str | None:
    """The family the first bytes announce: image, av (video or audio), pdf, or None."""
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")):
        return "image"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"AVI "):
        return "av"
    if head[4:8] == b"ftyp" or head.startswith((b"\x1a\x45\xdf\xa3", b"OggS", b"fLaC", b"ID3")):
        return "av"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0:  # MPEG audio, ADTS
        return "av"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def _refuse(message: str) -> UnsupportedFormat:
    return UnsupportedFormat(message)


def _inspect_image(path: Path, workdir: Path) -> Inspected:
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = settings.ASSET_MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > limit:
                    raise _refuse(
                        f"The image claims {width} x {height} pixels; at most {limit} are allowed"
                    )
                if image.format not in IMAGE_FORMATS:
                    raise _refuse(f"Images in {image.format} format are not supported")
                mime, extension, target = IMAGE_FORMATS[image.format]
                frames = getattr(image, "n_frames", 1)
                image.load()
                out = workdir / f"image.{extension}"
                if target == "GIF" and frames > 1:
                    image.save(out, "GIF", save_all=True, loop=image.info.get("loop", 0))
                else:
                    upright = ImageOps.exif_transpose(image)
                    if target == "JPEG" and upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    options: dict[str, Any] = {}
                    if target in ("JPEG", "WEBP"):
                        options["quality"] = 95
                    if image.info.get("icc_profile"):
                        options["icc_profile"] = image.info["icc_profile"]
                    upright.save(out, target, **options)
                mode = image.mode
    except UnsupportedFormat:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(f"The image is too large to decode safely: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse(f"The image could not be decoded: {exc}") from None
    return Inspected(
        AssetKind.IMAGE,
        mime,
        extension,
        out,
        {"width": width, "height": height, "mode": mode, "format": image.format, "frames": frames},
    )


def _inspect_av(path: Path) -> Inspected:
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            format_name = container.format.name.split(",")[0]
            video = [
                s
                for s in container.streams.video
                if not (s.disposition & av.stream.Disposition.attached_pic)
            ]
            audio = list(container.streams.audio)
            if not video and not audio:
                raise _refuse("The file has no video or audio stream")
            stream = video[0] if video else audio[0]
            decoded = False
            for frame in container.decode(stream):  # one frame proves the stream decodes
                decoded = frame is not None
                break
            if not decoded:
                raise _refuse("The file's stream could not be decoded")
    except UnsupportedFormat:
        raise
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise _refuse(f"The file could not be decoded: {exc}") from None
    if format_name not in _CONTAINERS:
        raise _refuse(f"Media in the {format_name} container is not supported")
    video_mime, audio_mime, extension = _CONTAINERS[format_name]
    kind = AssetKind.VIDEO if video else AssetKind.AUDIO
    mime = video_mime if video else audio_mime
    if not mime:
        raise _refuse(f"The {format_name} container is not supported for {kind}")
    if kind == AssetKind.AUDIO and extension == "mp4":
        extension = "m4a"
    return Inspected(kind, mime, extension, path, {"container": format_name})


def _inspect_pdf(path: Path) -> Inspected:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _refuse(f"The PDF could not be read: {exc}") from None
    return Inspected(AssetKind.DOCUMENT, "application/pdf", "pdf", path, {"pages": pages})


_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


def _inspect_text(path: Path, extension: str) -> Inspected:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "Not a supported file: not an image, video, audio, PDF or UTF-8 text"
        ) from None
    if any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in text):
        raise _refuse("Not a supported file: binary data that is not a known format")
    markdown = extension in ("md", "markdown")
    return Inspected(
        AssetKind.DOCUMENT,
        "text/markdown" if markdown else "text/plain",
        "md" if markdown else "txt",
        path,
        {"characters": len(text)},
    )


def inspect(path: Path, *, filename: str, workdir: Path) -> Inspected:
    """What the stored file will be, or 415 UNSUPPORTED_FORMAT; 400 for an empty file."""
    size = path.stat().st_size
    if size == 0:
        raise ValidationFailed.for_field("file", "The file is empty.")
    with path.open("rb") as handle:
        head = handle.read(64)
    family = _magic(head)
    extension = extension_of(filename)
    if family == "image":
        inspected = _inspect_image(path, workdir)
    elif family == "av":
        inspected = _inspect_av(path)
    elif family == "pdf":
        inspected = _inspect_pdf(path)
    else:
        inspected = _inspect_text(path, extension)
    allowed = EXTENSION_FAMILIES.get(extension)
    if allowed is not None and inspected.kind not in allowed:
        raise _refuse(
            f"The file's content is {inspected.kind} ({inspected.mime_type}) but its name says "
            f".{extension}"
        )
    return inspected


def stored_filename(filename: str, inspected: Inspected) -> str:
    """The safe name with the extension of what the content is (a `.jpeg` stays, an unknown
    extension gets the content's)."""
    extension = extension_of(filename)
    if extension in EXTENSION_FAMILIES:
        if inspected.extension == "png" and extension in ("bmp", "tif", "tiff"):
            return f"{filename.rpartition('.')[0]}.png"  # re-encoded as PNG
        return filename
    return f"{filename}.{inspected.extension}"


def local_path(upload: UploadedFile, workdir: Path) -> Path:
    """The upload as a file on disk (a temporary upload already is one)."""
    if isinstance(upload, TemporaryUploadedFile):
        return Path(upload.temporary_file_path())
    target = workdir / "upload"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return target


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="asset-", dir=settings.FILE_UPLOAD_TEMP_DIR)
