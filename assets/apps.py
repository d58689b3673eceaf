from __future__ import annotations

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """Uploaded media: checks, storage quotas, analysis, embeddings and semantic search."""

    name = "assets"
    verbose_name = "Assets"

    def ready(self) -> None:
        from accounts.stats import register_user_count
        from assets import (
            job_types,  # noqa: F401  (registers the asset analysis job)
            moderation,
            quota,
            selectors,
        )
        from assets.api.serializers import project_asset_items
        from assets.maintenance import EMBEDDINGS, OWNER_ASSETS
        from config.maintenance import register_embedding_source, register_file_area
        from projects.counts import register_project_count, register_project_items

        register_user_count("storage_used", quota.storage_used)
        register_project_count("asset_count", selectors.project_asset_counts)
        register_project_items("assets", project_asset_items)
        moderation.register()
        # The operators' commands: `manage.py reindex` and `manage.py storage`.
        register_embedding_source(EMBEDDINGS)
        register_file_area(OWNER_ASSETS)
