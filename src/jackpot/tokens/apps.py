from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "jackpot.tokens"
    label = "tokens"
