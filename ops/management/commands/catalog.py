"""`manage.py catalog export|import`: topics, categories, ideas and templates as JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandParser
from django.db import transaction

from catalog.models import Category, Idea, IdeaTag, Topic
from ops.management.base import Failed, OpsCommand, UsageError
from studio.models import Template

FORMAT = "storyforge-catalog/1"
TOPIC_FIELDS = ("name", "description", "icon_url", "is_curated", "status", "position")
TEMPLATE_FIELDS = (
    "name",
    "description",
    "category",
    "is_public",
    "render_request",
    "customizations",
)


class Command(OpsCommand):
    help = (
        "Move the catalog between installations as one JSON document.\n\n"
        "  catalog export [--output FILE]                 topics, categories, ideas, templates\n"
        "  catalog import FILE [--default-author EMAIL] [--dry-run]\n\n"
        "Import matches topics and templates by slug, categories by topic and slug, ideas by "
        "id, and updates what exists; authors and template owners are matched by e-mail "
        "(an unknown author becomes --default-author; without it the import fails). One "
        "transaction: an import that fails changes nothing. Counters (likes, views, uses) are "
        "not carried.\n"
        "Exit status: 0 done; 1 the file does not hold a valid catalog (nothing changed); "
        "2 bad usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the catalog as JSON.")
        export.add_argument("--output", "-o", help="A file (default: standard output).")
        imp = sub.add_parser("import", help="Read a catalog JSON file ('-': standard input).")
        imp.add_argument("file")
        imp.add_argument("--default-author", metavar="EMAIL")
        self.add_dry_run(imp)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    # --- export -------------------------------------------------------------------------------

    def _export(self, options: dict[str, Any]) -> None:
        topics = list(Topic.objects.order_by("position", "slug"))
        categories = list(Category.objects.select_related("topic").order_by("topic__slug", "slug"))
        ideas = (
            Idea.objects.select_related("topic", "category", "author")
            .prefetch_related("tag_rows")
            .order_by("created_at", "id")
        )
        templates = Template.objects.select_related("owner").order_by("slug")
        document = {
            "format": FORMAT,
            "topics": [
                {"slug": t.slug, **{f: getattr(t, f) for f in TOPIC_FIELDS}} for t in topics
            ],
            "categories": [
                {
                    "topic": c.topic.slug,
                    "slug": c.slug,
                    "name": c.name,
                    "description": c.description,
                    "position": c.position,
                }
                for c in categories
            ],
            "ideas": [
                {
                    "id": i.pk,
                    "title": i.title,
                    "prompt": i.prompt,
                    "topic": i.topic.slug,
                    "category": i.category.slug if i.category else None,
                    "author": i.author.email,
                    "moderation_status": i.moderation_status,
                    "tags": i.tags,
                    "created_at": i.created_at.isoformat(),
                }
                for i in self.progress(ideas, total=ideas.count(), desc="ideas")
            ],
            "templates": [
                {
                    "slug": t.slug,
                    **{f: getattr(t, f) for f in TEMPLATE_FIELDS},
                    "owner": t.owner.email if t.owner else None,
                }
                for t in templates
            ],
        }
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            counts = {k: len(v) for k, v in document.items() if isinstance(v, list)}
            self.stderr.write(f"Exported {counts} to {options['output']}")
        else:
            self.stdout.write(text)

    # --- import -------------------------------------------------------------------------------

    def _read(self, path: str) -> dict[str, Any]:
        try:
            if path == "-":
                document = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as handle:
                    document = json.load(handle)
        except FileNotFoundError:
            raise UsageError(f"No such file: {path}") from None
        except json.JSONDecodeError as error:
            raise Failed(f"{path} is not JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise Failed(f"{path} is not a catalog export (format {FORMAT!r} expected)")
        for key in ("topics", "categories", "ideas", "templates"):
            if not isinstance(document.get(key, []), list):
                raise Failed(f"{path}: {key!r} must be a list")
        return document

    def _import(self, options: dict[str, Any]) -> None:
        document = self._read(options["file"])
        users = get_user_model().objects
        default_author = None
        if options["default_author"]:
            default_author = users.filter(email__iexact=options["default_author"]).first()
            if default_author is None:
                raise UsageError(f"No user with the e-mail {options['default_author']}")
        counts = {"created": 0, "updated": 0}
        try:
            with transaction.atomic():
                self._apply(document, users, default_author, counts)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except (KeyError, TypeError, ValueError, ObjectDoesNotExist, ValidationError) as error:
            raise Failed(
                f"Invalid catalog entry ({type(error).__name__}: {error}); nothing changed"
            ) from None
        verb = "would create" if options["dry_run"] else "created"
        self.stdout.write(
            f"Catalog import: {verb} {counts['created']}, "
            f"{'would update' if options['dry_run'] else 'updated'} {counts['updated']}."
        )

    def _count(self, counts: dict[str, int], created: bool) -> None:
        counts["created" if created else "updated"] += 1

    def _apply(
        self, document: dict[str, Any], users: Any, default_author: Any, counts: dict[str, int]
    ) -> None:
        topics: dict[str, Topic] = {}
        for row in document.get("topics", []):
            topic, created = Topic.objects.update_or_create(
                slug=row["slug"], defaults={f: row[f] for f in TOPIC_FIELDS if f in row}
            )
            topics[topic.slug] = topic
            self._count(counts, created)

        def topic_for(slug: str) -> Topic:
            if slug not in topics:
                topics[slug] = Topic.objects.get(slug=slug)
            return topics[slug]

        for row in document.get("categories", []):
            _, created = Category.objects.update_or_create(
                topic=topic_for(row["topic"]),
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "description": row.get("description", ""),
                    "position": row.get("position", 100),
                },
            )
            self._count(counts, created)
        by_email: dict[str, Any] = {}
        for row in self.progress(document.get("ideas", []), desc="ideas"):
            email = row["author"]
            if email not in by_email:
                by_email[email] = users.filter(email__iexact=email).first() or default_author
            author = by_email[email]
            if author is None:
                raise ValueError(f"idea {row['id']}: no user {email} and no --default-author")
            topic = topic_for(row["topic"])
            category = (
                Category.objects.get(topic=topic, slug=row["category"])
                if row.get("category")
                else None
            )
            idea, created = Idea.objects.update_or_create(
                id=row["id"],
                defaults={
                    "title": row["title"],
                    "prompt": row["prompt"],
                    "topic": topic,
                    "category": category,
                    "author": author,
                    "moderation_status": row.get("moderation_status", "pending"),
                },
            )
            IdeaTag.objects.filter(idea=idea).delete()
            IdeaTag.objects.bulk_create(
                IdeaTag(idea=idea, name=name, position=i)
                for i, name in enumerate(row.get("tags", []))
            )
            self._count(counts, created)
        for row in document.get("templates", []):
            owner = users.filter(email__iexact=row["owner"]).first() if row.get("owner") else None
            _, created = Template.objects.update_or_create(
                slug=row["slug"],
                defaults={**{f: row[f] for f in TEMPLATE_FIELDS if f in row}, "owner": owner},
            )
            self._count(counts, created)
