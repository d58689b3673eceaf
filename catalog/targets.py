"""What can be liked and viewed: a target type name and the model it stands for.

The catalog registers `idea` (CatalogConfig.ready). Another app makes its model a target in its
own AppConfig.ready, without the catalog importing it:

    from catalog.targets import register_target
    register_target("scene", Scene)

The model needs a public-id primary key and two integer columns, `like_count` and `view_count`;
`catalog.services.like_add/like_remove/view_record` then keep them, `catalog.models.Like` holds
the likes and `catalog.models.Activity` the hourly activity that
`catalog.selectors.trending_score(type)` weighs.
"""

from __future__ import annotations

from django.db import models

from config.api.errors import ValidationFailed

MAX_TYPE_LENGTH = 16  # Like.target_type and Activity.target_type

_targets: dict[str, type[models.Model]] = {}


def register_target(target_type: str, model: type[models.Model]) -> None:
    """Make `model` likeable and viewable as `target_type`."""
    if not target_type or len(target_type) > MAX_TYPE_LENGTH:
        raise ValueError(f"A target type has 1 to {MAX_TYPE_LENGTH} characters: {target_type!r}")
    field_names = {field.name for field in model._meta.get_fields()}
    missing = {"like_count", "view_count"} - field_names
    if missing:
        raise ValueError(f"{model.__name__} lacks the counter columns {sorted(missing)}")
    _targets[target_type] = model


def model_for(target_type: str) -> type[models.Model]:
    try:
        return _targets[target_type]
    except KeyError:
        raise ValidationFailed.for_field(
            "targetType", f"Must be one of: {', '.join(sorted(_targets))}."
        ) from None


def get_model(target_type: str) -> type[models.Model] | None:
    return _targets.get(target_type)


def target_types() -> list[str]:
    return sorted(_targets)
