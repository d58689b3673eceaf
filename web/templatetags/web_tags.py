"""Template filters of the browser pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def humanize(name: str) -> str:
    """`video_generation` → `Video generation` (stage names, issue types, statuses)."""
    return str(name).replace("_", " ").capitalize()
