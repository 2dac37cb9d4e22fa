from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jackpot.api"
    label = "api"
