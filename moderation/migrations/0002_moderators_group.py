"""The Moderators group with exactly the permissions a moderator needs; moderators join it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_group(apps, schema_editor):
    from moderation.services import moderators_group_sync

    # Permissions are normally created after migrate; make them now so the group gets them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = moderators_group_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )
    user_model = apps.get_model("accounts", "User")
    for user in user_model.objects.filter(role="moderator"):
        user.groups.add(group)
        if not user.is_staff:
            user_model.objects.filter(pk=user.pk).update(is_staff=True)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0002_idea_removed_status"),
        ("studio", "0003_clip_removed_at"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
