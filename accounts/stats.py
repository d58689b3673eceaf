"""Counts that other apps contribute to a user's profile, without `accounts` importing them.

`accounts` is a leaf: the apps that own scenes, ideas, projects or files register a function
here (in their AppConfig.ready) and the profile endpoints call whatever is registered. A count
nobody has registered yet is 0, which is true: nothing of that kind can exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

UserCount = Callable[["User"], int]
OrganizationCounts = Callable[[Iterable[str]], dict[str, int]]

# The public StoryForge stats and the private StoryCore usage counters.
PUBLIC_STATS = ("scenes_created", "segments_contributed", "ideas_submitted", "total_likes")
USAGE_COUNTERS = ("projects_created", "jobs_completed", "storage_used")

_user_counts: dict[str, UserCount] = {}
_organization_counts: dict[str, OrganizationCounts] = {}


def register_user_count(name: str, count: UserCount) -> None:
    """Make `count(user)` the value of the profile counter `name`."""
    if name not in PUBLIC_STATS + USAGE_COUNTERS:
        raise ValueError(f"Unknown user counter {name!r}")
    _user_counts[name] = count


def register_organization_count(name: str, counts: OrganizationCounts) -> None:
    """Make `counts(org_ids)` (one query for all of them) the organizations' `name`."""
    _organization_counts[name] = counts


def user_counts(user: User, names: Iterable[str]) -> dict[str, int]:
    return {name: (_user_counts[name](user) if name in _user_counts else 0) for name in names}


def organization_counts(name: str, org_ids: Iterable[str]) -> dict[str, int]:
    counts = _organization_counts.get(name)
    return counts(list(org_ids)) if counts else {}
