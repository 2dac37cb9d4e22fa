from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The operator admin at /admin/: Django's admin site dressed for Jackpot.

    The domain apps hold no admin code; this app registers their models (`admin.py` imports
    one module per domain) and carries the admin's templates, stylesheet and translations.
    """

    name = "jackpot.backoffice"
    label = "backoffice"
    verbose_name = _("Operator admin")
