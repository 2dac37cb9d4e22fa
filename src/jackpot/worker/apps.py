from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "jackpot.worker"
    label = "worker"
    verbose_name = _("Worker")
    default_auto_field = "django.db.models.BigAutoField"
