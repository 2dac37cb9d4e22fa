from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WidgetConfig(AppConfig):
    name = "jackpot.widget"
    label = "widget"
    verbose_name = _("Widget")
