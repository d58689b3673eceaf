"""A description from an OpenAI-compatible vision or chat model, when LLM_BASE_URL is set.

Images are sent as a data URL (a 512-pixel JPEG) to `/chat/completions`; documents send the
start of their text; video sends its thumbnail. The answer must be JSON
`{"description": str, "tags": [str]}`; anything else, a timeout or an error leaves the measured
description in place (`source` says which one an asset has).
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from PIL import Image

logger = logging.getLogger(__name__)

PROMPT = (
    "Describe this {what} for a film production's media library in one or two sentences, "
    "then give up to eight short lowercase tags. Measured facts: {facts}. Answer with one "
    'JSON object: {{"description": "...", "tags": ["..."]}}'
)


def configured() -> bool:
    return bool(settings.LLM_BASE_URL)


def _image_part(path: Path) -> dict[str, Any]:
    with Image.open(path) as image:
        image.seek(0)
        small = image.convert("RGB")
        small.thumbnail((512, 512))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=85)
    data = base64.b64encode(buffer.getvalue()).decode()
    return {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{data}"}}


def _parse(content: str) -> dict[str, Any] | None:
    fenced = re.search(r"\{.*\}", content, re.S)
    try:
        answer = json.loads(fenced.group(0) if fenced else content)
    except ValueError:
        return None
    description = answer.get("description") if isinstance(answer, dict) else None
    tags = answer.get("tags", []) if isinstance(answer, dict) else []
    if not isinstance(description, str) or not description.strip():
        return None
    clean_tags = [str(t).strip().lower()[:40] for t in tags if str(t).strip()][:8]
    return {"description": description.strip()[:1000], "tags": clean_tags}


def describe(
    *, what: str, facts: str, image: Path | None = None, text: str | None = None
) -> dict[str, Any] | None:
    """The model's description and tags, or None (not configured, failed, unusable)."""
    if not configured():
        return None
    content: list[dict[str, Any]] = [
        {"type": "text", "text": PROMPT.format(what=what, facts=facts)}
    ]
    if image is not None:
        content.append(_image_part(image))
    if text:
        content.append({"type": "text", "text": text[:6000]})
    headers = {"Content-Type": "application/json"}
    if settings.LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.LLM_API_KEY}"
    body: dict[str, Any] = {
        "model": str(settings.LLM_MODEL),
        "messages": [{"role": "user", "content": content}],
        "temperature": 0.2,
        "max_tokens": 300,
    }
    try:
        response = requests.post(
            f"{str(settings.LLM_BASE_URL).rstrip('/')}/chat/completions",
            json=body,
            headers=headers,
            timeout=settings.LLM_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        message = response.json()["choices"][0]["message"]["content"]
    except (requests.RequestException, KeyError, IndexError, TypeError, ValueError) as exc:
        logger.warning("The description model failed (%s); keeping the measured one", exc)
        return None
    return _parse(message or "")
