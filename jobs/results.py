"""A job's result as clients read it: every file a URL they can fetch, never a storage key.

Job types store results that name their files by storage key (`hlsFile`, `thumbnailFile`,
`imageFiles` ...): the platform's own code reads them back (a clip's files, a processing
job's input). Whatever a client gets, `GET /jobs/:id`, every WebSocket event, every webhook,
goes through `present`, the one place that turns those keys into signed, expiring URLs and
drops the keys. Outside a request (a worker publishing an event) the links are built on
PUBLIC_BASE_URL (`config.files.signed_url`).

The URL names mean one thing on every job type:

- `videoUrl` (and `hlsUrl`, the same link): the HLS master playlist, as StoryForge shows it;
- `mp4Url` (and `fileUrl`, the AI Video System's name): the MP4 file;
- `thumbnailUrl`, `posterUrl`, `imageUrl`, `outputUrl`: the JPEG thumbnail, the full-size
  poster, a generated image, a processing job's output;
- any other `<name>File` becomes `<name>Url`, and a list `<name>Files` becomes `<name>Urls`.
"""

from __future__ import annotations

from typing import Any

from config.files import signed_url

# Stored keys whose URL names are not simply `<name>Url`.
NAMED_FILES: dict[str, tuple[str, ...]] = {
    "hlsFile": ("videoUrl", "hlsUrl"),
    "file": ("mp4Url", "fileUrl"),
}


def _url_names(key: str) -> tuple[str, ...]:
    if key in NAMED_FILES:
        return NAMED_FILES[key]
    if key.endswith("File") and len(key) > 4:
        return (key[: -len("File")] + "Url",)
    return ()


def present_files(result: dict[str, Any]) -> dict[str, Any]:
    """`result` with each stored file as a signed URL and no storage key left."""
    shown: dict[str, Any] = {}
    urls: dict[str, Any] = {}
    for key, value in result.items():
        names = _url_names(key)
        if names:
            if isinstance(value, str) and value:
                link = signed_url(value)[0]
                urls.update(dict.fromkeys(names, link))
            continue
        if key.endswith("Files") and len(key) > 5 and isinstance(value, list):
            urls[key[: -len("Files")] + "Urls"] = [
                signed_url(name)[0] for name in value if isinstance(name, str)
            ]
            continue
        shown[key] = value
    return {**shown, **urls}
