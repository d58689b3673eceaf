from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from accounts.stats import register_user_count
        from catalog import moderation as catalog_moderation
        from catalog import selectors, services, targets
        from catalog.models import Idea
        from moderation.screening import screen_text

        # Every idea and topic suggestion is screened as it is submitted (catalog.services).
        services.set_screener(screen_text)
        # Reports on ideas and topics go through this app's models (catalog.moderation).
        catalog_moderation.register()

        # Ideas get likes, view counting and the trending score (catalog.targets).
        targets.register_target("idea", Idea)
        # The public profile's `stats.ideasSubmitted` (accounts.stats).
        register_user_count("ideas_submitted", selectors.ideas_submitted)
