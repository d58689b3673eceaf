"""The demo templates `make run` ships, loaded once (and again only if deleted)."""

from __future__ import annotations

from django.db import migrations


def load(apps, schema_editor):
    from config.api.ids import new_id
    from studio.templates import DEMO_TEMPLATES

    Template = apps.get_model("studio", "Template")
    for data in DEMO_TEMPLATES:
        Template.objects.get_or_create(slug=data["slug"], defaults={"id": new_id("tpl"), **data})


def unload(apps, schema_editor):
    from studio.templates import DEMO_TEMPLATES

    apps.get_model("studio", "Template").objects.filter(
        slug__in=[data["slug"] for data in DEMO_TEMPLATES], owner__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("studio", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
