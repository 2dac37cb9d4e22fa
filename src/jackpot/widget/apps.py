from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "jackpot.widget"
    label = "widget"
