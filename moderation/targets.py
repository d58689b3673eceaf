"""What can be reported and moderated: a target type name and how to handle its objects.

Each app makes its content reportable from its own AppConfig.ready (catalog.moderation,
scenes.moderation, studio.moderation; moderation registers users, since accounts is a leaf
that imports no other app, in `moderation.users`), so moderation imports no domain app:

    from moderation.targets import register_target, status_field_removal
    remove, restore, is_removed = status_field_removal(Segment, "moderation_status")
    register_target(
        "segment",
        model=Segment,
        lookup=lambda target_id, viewer: segment_get_for(viewer=viewer, segment_id=target_id),
        owner=lambda segment: segment.author,
        describe=lambda segment: f"Segment {segment.position} of {segment.scene.title}",
        remove=remove,
        restore=restore,
        is_removed=is_removed,
        admin_preview=lambda segment: format_html("<video ...>"),
    )

`remove(obj)` hides the object from everyone but moderators and returns what `restore(obj,
state)` needs to put it back (kept in the audit log). A type without `remove` (a user) cannot
be removed: warn or ban its owner instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import User
from config.api.errors import NotFound, ValidationFailed

MAX_TYPE_LENGTH = 16  # Report.target_type and ModerationAction.target_type

Lookup = Callable[[str, User | None], Any]
RemoveFn = Callable[[Any], dict[str, Any]]
RestoreFn = Callable[[Any, dict[str, Any]], None]
Preview = Callable[[Any], str]


@dataclass(frozen=True)
class Target:
    """How moderation finds, describes, removes and restores one type of content."""

    name: str
    model: type[models.Model]
    # The object with this id if `viewer` may see it (None: anyone may report it), else None.
    lookup: Lookup
    owner: Callable[[Any], User | None]
    describe: Callable[[Any], str]
    remove: RemoveFn | None
    restore: RestoreFn | None
    is_removed: Callable[[Any], bool]
    # Safe HTML showing the content in the admin (text, a video player, a profile).
    admin_preview: Preview | None

    @property
    def removable(self) -> bool:
        return self.remove is not None and self.restore is not None

    def get(self, target_id: str) -> Any:
        """The object whatever its state (for moderators), or None."""
        return self.model._default_manager.filter(pk=target_id).first()

    def preview(self, obj: Any) -> str:
        """Signed file links in it are for the host of the request being answered
        (config.files.RequestBaseMiddleware)."""
        if self.admin_preview is not None:
            return self.admin_preview(obj)
        return format_html("<p>{}</p>", self.describe(obj))


_targets: dict[str, Target] = {}


def _default_lookup(model: type[models.Model]) -> Lookup:
    return lambda target_id, viewer: model._default_manager.filter(pk=target_id).first()


def register_target(
    name: str,
    *,
    model: type[models.Model],
    owner: Callable[[Any], User | None],
    lookup: Lookup | None = None,
    describe: Callable[[Any], str] = str,
    remove: RemoveFn | None = None,
    restore: RestoreFn | None = None,
    is_removed: Callable[[Any], bool] = lambda obj: False,
    admin_preview: Preview | None = None,
) -> Target:
    """Make `model` reportable as `name` (registering a name again replaces it)."""
    if not name or len(name) > MAX_TYPE_LENGTH:
        raise ValueError(f"A target type has 1 to {MAX_TYPE_LENGTH} characters: {name!r}")
    if (remove is None) != (restore is None):
        raise ValueError(f"Target {name!r}: give both remove and restore, or neither")
    target = Target(
        name=name,
        model=model,
        lookup=lookup or _default_lookup(model),
        owner=owner,
        describe=describe,
        remove=remove,
        restore=restore,
        is_removed=is_removed,
        admin_preview=admin_preview,
    )
    _targets[name] = target
    return target


def is_registered(name: str) -> bool:
    return name in _targets


def get(name: str) -> Target:
    """The target type `name`; 400 VALIDATION_ERROR naming `targetType` when unknown."""
    try:
        return _targets[name]
    except KeyError:
        raise ValidationFailed.for_field(
            "targetType", f"Must be one of: {', '.join(names())}."
        ) from None


def names() -> list[str]:
    return sorted(_targets)


def resolve(name: str, target_id: str, *, viewer: User | None) -> Any:
    """The object a viewer reports; 404 when it does not exist or the viewer cannot see it
    (a private object of another user is not revealed)."""
    target = get(name)
    obj = target.lookup(target_id, viewer) if viewer is not None else target.get(target_id)
    if obj is None:
        raise NotFound(f"No {name} with id {target_id}")
    return obj


def status_field_removal(
    model: type[models.Model], field: str = "moderation_status", removed: str = "removed"
) -> tuple[RemoveFn, RestoreFn, Callable[[Any], bool]]:
    """remove / restore / is_removed for a model whose status column has a `removed` value.

    Removal remembers the status it replaced; restoring puts that status back, with a
    conditional UPDATE each way so that two moderators racing change the row once.
    """

    def move(obj: Any, current: str, new: str) -> bool:
        """Set the status from `current` to `new` (and `updated_at` where the model has one);
        False if the row no longer had `current`."""
        changes: dict[str, Any] = {field: new}
        if any(f.name == "updated_at" for f in model._meta.get_fields()):
            changes["updated_at"] = timezone.now()
        if not model._default_manager.filter(pk=obj.pk, **{field: current}).update(**changes):
            return False
        setattr(obj, field, new)
        return True

    def remove(obj: Any) -> dict[str, Any]:
        previous = getattr(obj, field)
        if previous == removed:
            raise ValueError("already removed")
        if not move(obj, previous, removed):
            raise ValueError("changed meanwhile")
        return {field: previous}

    def restore(obj: Any, state: dict[str, Any]) -> None:
        previous = state.get(field)
        if not previous:
            raise ValueError("no previous state to restore")
        if not move(obj, removed, previous):
            raise ValueError("not removed")

    return remove, restore, lambda obj: getattr(obj, field) == removed
