from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "jackpot.webhooks"
    label = "webhooks"
