"""What the backoffice keeps beside the partner itself: its legal information."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jackpot.partners.models import Partner


class LegalInformation(models.Model):
    """The company behind a partner, as printed on its statements and contracts.

    Filled in by the partner in the portal (or by the operator in the admin); nothing in the
    voucher flow depends on it.
    """

    partner = models.OneToOneField(
        Partner, on_delete=models.CASCADE, primary_key=True, related_name="legal"
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True, default="")
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True, default="")
    registration_number = models.CharField(
        _("registration number (SIREN/SIRET)"), max_length=30, blank=True, default=""
    )
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True, default="")
    address = models.TextField(_("registered address"), blank=True, default="")
    billing_email = models.EmailField(_("billing e-mail"), blank=True, default="")
    representative = models.CharField(
        _("legal representative"), max_length=200, blank=True, default=""
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True, default="")

    class Meta:
        verbose_name = _("legal information")
        verbose_name_plural = _("legal information")

    def __str__(self) -> str:
        return self.company_name or self.partner_id
