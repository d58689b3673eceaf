from __future__ import annotations

from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "scenes"
    verbose_name = "Scenes"

    def ready(self) -> None:
        from accounts.stats import register_user_count
        from catalog import selectors as catalog_selectors
        from catalog import targets
        from scenes import job_types, selectors
        from scenes import moderation as scene_moderation
        from scenes.models import Scene

        job_types.register()
        # Reports on scenes and segments go through this app's services (scenes.moderation).
        scene_moderation.register()
        # Scenes get likes, view counting and the trending score (catalog.targets).
        targets.register_target("scene", Scene)
        catalog_selectors.register_idea_scenes(selectors.idea_scenes)
        catalog_selectors.register_scene_counts("idea", selectors.idea_scene_counts)
        catalog_selectors.register_scene_counts("topic", selectors.topic_scene_counts)
        # The public profile's StoryForge stats (accounts.stats).
        register_user_count("scenes_created", selectors.scenes_created)
        register_user_count("segments_contributed", selectors.segments_contributed)
        register_user_count("total_likes", selectors.likes_received)
