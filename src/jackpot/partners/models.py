"""Partners: the platforms that embed the widget or call the API, and their credentials."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.partners import domains as domain_rules


class ConfirmationMode(models.TextChoices):
    AUTO = "auto", _("Automatic (confirmed at reservation)")
    MANUAL = "manual", _("Manual (the partner confirms)")
    NOTIFICATION = "notification", _("Notification (a 2xx answer to the webhook confirms)")


# A partner's test mode is a *test twin*: a second Partner row, `live_partner` pointing at the
# live one, holding the test credentials and the test notification URL. Every partner-scoped
# query (vouchers, sessions, token burns, access tokens, webhooks, exports) then keeps test data
# apart from live data as it keeps partners apart: 404 across. These fields are the twin's own;
# every other field (name, domains, confirmation mode, ceiling, currency, sending, enabled, and
# any setting added later) is the live partner's, copied onto the twin by `Partner.save`.
OWN_FIELDS = frozenset(
    {
        "id",
        "live_partner",
        "notification_url",
        "api_key_digest",
        "api_key_hint",
        "client_secret_digest",
        "webhook_secret",
        "created_at",
    }
)
TWIN_SUFFIX = "~test"


def twin_id(live_id: str) -> str:
    """The test twin's id: the live id and `~test` (a character no partner id may hold, so it
    never clashes with a partner's), shortened with a digest when the id is long."""
    if len(live_id) + len(TWIN_SUFFIX) <= 64:
        return live_id + TWIN_SUFFIX
    return f"{live_id[:44]}~{hashlib.sha256(live_id.encode()).hexdigest()[:13]}{TWIN_SUFFIX}"


class PartnerQuerySet(models.QuerySet):
    def live(self):
        """Partners as operators and partners know them: test twins left out."""
        return self.filter(live_partner__isnull=True)


class Partner(models.Model):
    id = models.SlugField(_("partner id (client_id)"), primary_key=True, max_length=64)
    name = models.CharField(_("name"), max_length=200)
    # Authorised domains, one per line: `host` or `host:port`, sub-domains included; checked and
    # normalised by `clean` (partners.domains: no public suffix, no other partner's domain).
    domains = models.TextField(
        _("authorised domains"),
        blank=True,
        default="",
        help_text=_(
            "One per line; sub-domains are authorised too; with a port (localhost:3000), "
            "that port only."
        ),
    )
    confirmation_mode = models.CharField(
        _("confirmation mode"),
        max_length=16,
        choices=ConfirmationMode.choices,
        default=ConfirmationMode.AUTO,
    )
    notification_url = models.URLField(
        _("notification URL"), max_length=500, blank=True, default=""
    )
    session_ceiling = models.DecimalField(
        _("ceiling per session"), max_digits=12, decimal_places=2, default=Decimal("1000.00")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    sending_enabled = models.BooleanField(
        _("vouchers mailed to users"),
        default=False,
        help_text=_("Vouchers are e-mailed to the user when the token carries an e-mail."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Only a digest of the API key and of the client secret is kept: they are checked, never
    # read back. The apiSignature and the webhook secret must be read to compute HMACs.
    api_key_digest = models.CharField(_("apiKey digest"), max_length=64, unique=True)
    api_key_hint = models.CharField(_("apiKey (start)"), max_length=12, blank=True, default="")
    client_secret_digest = models.CharField(_("client secret digest"), max_length=64)
    webhook_secret = models.CharField(_("webhook secret"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set on a test twin only (see OWN_FIELDS): the live partner whose test mode this row is.
    live_partner = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="test_twin",
        verbose_name=_("live partner (set on a test-mode twin)"),
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        if self.is_test:
            return gettext("%(partner)s (test mode)") % {"partner": f"{self.name} ({self.live_id})"}
        return f"{self.name} ({self.id})"

    def save(self, *args, **kwargs):
        """Save, and on a live partner copy the shared settings onto its test twin: the one
        place that keeps the two modes' settings the same."""
        super().save(*args, **kwargs)
        if self.is_test:
            return
        shared = self.shared_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = {self._meta.get_field(n).attname for n in update_fields}
            shared = [f for f in shared if f in names]
        if shared:
            Partner.objects.filter(live_partner_id=self.pk).update(
                **{f: getattr(self, f) for f in shared}
            )

    @property
    def is_test(self) -> bool:
        return self.live_partner_id is not None

    @property
    def livemode(self) -> bool:
        return self.live_partner_id is None

    @property
    def live_id(self) -> str:
        """The partner id partners know (client_id, iss): the live one, in either mode."""
        return self.live_partner_id or self.id

    @classmethod
    def shared_fields(cls) -> list[str]:
        """The settings a test twin takes from its live partner (everything but OWN_FIELDS)."""
        return [
            f.attname
            for f in cls._meta.concrete_fields
            if f.name not in OWN_FIELDS and not f.primary_key
        ]

    def clean(self) -> None:
        """Rules across fields, for every path that edits a partner (admin, portal, CLI)."""
        super().clean()
        if self.confirmation_mode == ConfirmationMode.NOTIFICATION and not self.notification_url:
            raise ValidationError(
                {"notification_url": _("The notification mode needs a notification URL.")}
            )
        if not self.is_test:  # a twin's domains are its live partner's, claimed by it
            self._claim_domains()

    def _claim_domains(self) -> None:
        """The authorised domains normalised, refused when one is a public suffix or overlaps
        another partner's (partners.domains); stored one per line. A test twin is the same
        partner, not another."""
        others = Partner.objects.live().exclude(pk=self.pk).exclude(domains="")
        taken = [
            line
            for text in others.values_list("domains", flat=True)
            for line in domain_rules.split(text)
        ]
        try:
            entries = domain_rules.claim(domain_rules.split(self.domains), taken)
        except ValidationError as refused:
            raise ValidationError({"domains": refused.error_list}) from None
        self.domains = "\n".join(str(entry) for entry in entries)

    @property
    def domain_list(self) -> list[str]:
        return domain_rules.split(self.domains.lower())

    @property
    def domain_entries(self) -> list[domain_rules.Entry]:
        """The entries an Origin is matched against (unreadable legacy lines left out)."""
        return domain_rules.stored_entries(self.domain_list)


class ApiSignature(models.Model):
    """A key partners sign tokens with; several are valid at once while a rotation's grace runs."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("partner")
    )
    secret = models.CharField(_("secret"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Null while current; set to the end of the grace period when a newer signature replaces it.
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("apiSignature")
        verbose_name_plural = _("apiSignatures")

    def __str__(self) -> str:
        return gettext("apiSignature of %(partner)s created %(date)s") % {
            "partner": self.partner_id,
            "date": f"{self.created_at:%Y-%m-%d}",
        }


class PartnerAccessToken(models.Model):
    """A bearer token from the client_credentials grant: the partner's servers, for one hour."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("partner")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("partner access token")
        verbose_name_plural = _("partner access tokens")

    def __str__(self) -> str:
        return gettext("access token of %(partner)s until %(date)s") % {
            "partner": self.partner_id,
            "date": f"{self.expires_at:%Y-%m-%d %H:%M}",
        }


class PartnerUser(models.Model):
    """A backoffice login of a partner: a Django user who sees and changes only this partner.

    One user belongs to one partner; a partner has as many users as it needs. Operators are
    Django staff users without this profile: they work in the admin, not in the portal.
    """

    user = models.OneToOneField(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="partner_profile",
        verbose_name=_("user"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="users", verbose_name=_("partner")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["partner_id", "user__username"]
        verbose_name = _("portal user")
        verbose_name_plural = _("portal users")

    def __str__(self) -> str:
        return f"{self.user} ({self.partner_id})"


class LegalInformation(models.Model):
    """The company behind a partner, as printed on its statements and contracts.

    Filled in by the partner in the portal (or by the operator in the admin); nothing in the
    voucher flow depends on it. The table keeps the name it was created with in the portal app.
    """

    partner = models.OneToOneField(
        Partner,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="legal",
        verbose_name=_("partner"),
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
        db_table = "portal_legalinformation"
        verbose_name = _("legal information")
        verbose_name_plural = _("legal information")

    def __str__(self) -> str:
        return self.company_name or self.partner_id
