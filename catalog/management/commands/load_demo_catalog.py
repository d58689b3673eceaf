"""`manage.py load_demo_catalog`: the demo topics, categories and ideas (`make run` runs it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from catalog.demo import load_demo_catalog


class Command(BaseCommand):
    help = "Create whatever of the demo catalog is missing (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_demo_catalog()
        self.stdout.write(
            f"Demo catalog: {loaded.topics} topics, {loaded.categories} categories and "
            f"{loaded.ideas} ideas created."
        )
