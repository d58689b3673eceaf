from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from catalog import targets
        from catalog.models import Idea

        # Ideas get likes, view counting and the trending score (catalog.targets).
        targets.register_target("idea", Idea)
