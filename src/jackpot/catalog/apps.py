from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jackpot.catalog"
    label = "catalog"

    def ready(self):
        from jackpot.catalog import notifications  # noqa: F401  (connects the store signals)
