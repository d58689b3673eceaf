from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    """Reports, moderators' actions and their audit log, warnings, bans; content screening."""

    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from jobs import registry
        from moderation.screening import screen_texts
        from moderation.users import register_user_target

        # Users are reportable; every other app registers its own targets in its ready().
        register_user_target()
        # Every job type with texts to screen is screened at submit, before its task is sent.
        registry.set_screener(lambda texts, context: screen_texts(texts, context=context))
        # The Moderators group follows the permissions as apps add models (the scenes app's
        # view permissions join it once they exist); the data migration made it first.
        post_migrate.connect(_sync_moderators_group, dispatch_uid="moderation.group_sync")


def _sync_moderators_group(sender: AppConfig, **kwargs: Any) -> None:
    from django.apps import apps

    # post_migrate is sent once per app with models, each creating its own permissions: sync
    # after the last of them, when every permission exists (an app without models, such as
    # `web`, is never a sender).
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    from moderation.services import moderators_group_sync

    moderators_group_sync()
