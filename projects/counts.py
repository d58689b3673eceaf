"""What other apps show on a project, without `projects` importing them.

No asset, clip or chat-session model exists yet: the media and chat apps will register here
(in their AppConfig.ready) a function that counts their rows for a page of projects in one query
(`register_project_count`) and one that lists them for a project's detail
(`register_project_items`). Until then a count is 0 and a list is empty, which is true: nothing
of that kind can exist. Jobs are counted by `projects.selectors` itself (Job.project_id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projects.models import Project

ProjectCounts = Callable[[list[str]], dict[str, int]]
ProjectItems = Callable[["Project"], list[dict[str, Any]]]
ProjectProgress = Callable[["Project"], "dict[str, Any] | None"]

# assets are also the AI Movie Platform's media (both are `ast_` ids, API_CONVENTIONS.md).
COUNTS = ("asset_count", "clip_count", "active_sessions_count")
ITEMS = ("assets", "clips", "active_sessions")

_counts: dict[str, ProjectCounts] = {}
_items: dict[str, ProjectItems] = {}
_progress: list[ProjectProgress] = []


def register_project_count(name: str, counts: ProjectCounts) -> None:
    """Make `counts(project_ids)` (one query for the whole page) the projects' `name`."""
    if name not in COUNTS:
        raise ValueError(f"Unknown project count {name!r}")
    _counts[name] = counts


def register_project_items(name: str, items: ProjectItems) -> None:
    """Make `items(project)` the list `name` of a project's detail (already serialized)."""
    if name not in ITEMS:
        raise ValueError(f"Unknown project list {name!r}")
    _items[name] = items


def project_counts(project_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Every registered count for these projects: `{name: {project_id: count}}`."""
    ids = list(project_ids)
    return {name: (_counts[name](ids) if name in _counts and ids else {}) for name in COUNTS}


def project_items(project: Project) -> dict[str, list[dict[str, Any]]]:
    return {name: (_items[name](project) if name in _items else []) for name in ITEMS}


def register_project_progress(progress: ProjectProgress) -> None:
    """Make `progress(project)` the detail's progress (the chat app's workflow): a dict with
    `completedSteps` (a list of steps), `nextSteps` and `workflowSteps`, or None to keep the
    project's own fields."""
    _progress[:] = [progress]


def project_progress(project: Project) -> dict[str, Any] | None:
    return _progress[0](project) if _progress else None
