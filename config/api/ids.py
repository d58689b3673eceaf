"""Opaque, prefixed public ids (`usr_…`, `prj_…`): never a sequential integer on the wire."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.db import models
from django.utils.deconstruct import deconstructible

_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 20  # about 119 bits of randomness


def new_id(prefix: str) -> str:
    """A new random id with the type prefix, e.g. `usr_4fXq0…`."""
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))}"


@deconstructible
class IdFactory:
    """A migration-serialisable default that makes ids with one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        return new_id(self.prefix)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdFactory) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


class PublicIdField(models.CharField):
    """The primary key of every public model: a prefixed random string."""

    def __init__(self, prefix: str = "", **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        if prefix:
            kwargs.setdefault("default", IdFactory(prefix))
        super().__init__(**kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        kwargs.pop("default", None)
        for key, value in (("max_length", 40), ("primary_key", True), ("editable", False)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs
