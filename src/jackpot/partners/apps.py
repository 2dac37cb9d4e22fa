from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "jackpot.partners"
    label = "partners"
