from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "jackpot.catalog"
    label = "catalog"
