"""Portal forms: they check input and translate it; the services decide."""

import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jackpot.catalog.models import Store
from jackpot.partners import domains as domain_rules
from jackpot.partners.models import LegalInformation
from jackpot.portal import search
from jackpot.portal.labels import STATE_LABELS
from jackpot.vouchers.models import PaymentState, State

GRACE_CHOICES = [
    ("0", _("None: the current one stops at once")),
    ("3600", _("1 hour")),
    ("86400", _("24 hours")),
    ("604800", _("7 days")),
    ("2592000", _("30 days")),
]


class CouponFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=128,
        help_text=_(
            "A whole couponId, notificationKey, userId, customTransactionId or voucher id."
        ),
        widget=forms.TextInput(
            attrs={
                "placeholder": _("couponId, notificationKey or userId"),
                "type": "search",
                "aria-describedby": "id_q-hint",
            }
        ),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    payment = forms.ChoiceField(label=_("Payment"), required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    date_from = forms.DateField(
        label=_("Reserved from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reserved to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states"))] + [
            (s, STATE_LABELS[s]) for s in State.values
        ]
        self.fields["payment"].choices = [("", _("All"))] + [
            (s, STATE_LABELS[s]) for s in PaymentState.values
        ]
        self.fields["store"].choices = [("", _("All stores"))] + list(
            Store.objects.order_by("name").values_list("id", "name")
        )

    def apply(self, vouchers):
        """The vouchers matching the filters (an invalid filter is ignored, as if left blank)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            vouchers = vouchers.filter(search.matching(data["q"]))
        if data.get("state"):
            vouchers = vouchers.filter(state=data["state"])
        if data.get("payment"):
            vouchers = vouchers.filter(payment_state=data["payment"])
        if data.get("store"):
            vouchers = vouchers.filter(store_id=data["store"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            start = timezone.make_aware(datetime.combine(data["date_from"], time.min), tz)
            vouchers = vouchers.filter(reservation_date__gte=start)
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min)
            vouchers = vouchers.filter(reservation_date__lt=timezone.make_aware(end, tz))
        return vouchers

    def active(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class BulkActionForm(forms.Form):
    """Several pending vouchers, one action: the ids are checked to be UUIDs, nothing more."""

    action = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("cancel", _("Cancel"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.voucher_ids: list[str] = []
        if data is not None:
            for raw in data.getlist("voucher"):
                try:
                    self.voucher_ids.append(str(uuid.UUID(raw)))
                except ValueError:
                    continue

    def clean(self):
        cleaned = super().clean()
        if not self.voucher_ids:
            raise forms.ValidationError(_("Select at least one voucher."))
        return cleaned


class IntegrationForm(forms.Form):
    domains = forms.CharField(
        label=_("Authorised domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "shop.example.com"}),
        help_text=_(
            "One per line. Sub-domains of each are authorised too; add a port (localhost:3000) "
            "to authorise that port only."
        ),
    )
    notification_url = forms.URLField(
        label=_("Notification URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://api.example.com/jackpot/webhook"}),
        help_text=_("Where the platform POSTs coupon notifications. Leave empty to receive none."),
    )

    def clean_domains(self):
        """The lines as typed; `credentials.update_integration` checks and normalises them by
        the one rule (partners.domains) and the view shows its refusals on this field."""
        return domain_rules.split(self.cleaned_data["domains"])


class RotationForm(forms.Form):
    grace = forms.TypedChoiceField(
        label=_("Keep the current one valid for"),
        choices=GRACE_CHOICES,
        initial="86400",
        coerce=lambda v: timedelta(seconds=int(v)),
    )


class RegenerateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the current one stops working at once."), required=True
    )


class LegalForm(forms.ModelForm):
    class Meta:
        model = LegalInformation
        fields = [
            "company_name",
            "legal_form",
            "registration_number",
            "vat_number",
            "address",
            "billing_email",
            "representative",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class ThresholdForm(forms.Form):
    threshold = forms.DecimalField(
        label=_("Warn me below"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty for no warning."),
    )


class RefundForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the customer returned the order")}),
    )


class RefundLookupForm(RefundForm):
    coupon_id = forms.CharField(
        label=_("couponId"),
        max_length=10,
        min_length=10,
        widget=forms.TextInput(attrs={"placeholder": "ABCDEFGHIJ", "autocomplete": "off"}),
    )
    field_order = ["coupon_id", "reason"]

    def clean_coupon_id(self):
        return self.cleaned_data["coupon_id"].strip().upper()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Token"),
        max_length=8192,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 5, "spellcheck": "false", "placeholder": "eyJhbGciOiJIUzI1NiIs…"}
        ),
    )


class PersonalDataForm(forms.Form):
    """The userId whose personal data the partner looks up, downloads or erases."""

    userId = forms.CharField(  # noqa: N815 (the name the API and the tokens use)
        label=_("userId"),
        max_length=128,
        strip=False,
        help_text=_("The userId your tokens carried for this user, exactly as they carried it."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "aria-describedby": "id_userId-hint",
            }
        ),
    )

    def clean_userId(self):  # noqa: N802
        from jackpot.core.problems import Problem
        from jackpot.vouchers.personal_data import checked_user_id

        value = self.cleaned_data["userId"]
        try:
            return checked_user_id(value)
        except Problem:
            raise forms.ValidationError(
                _("A userId is 1 to 128 printable characters, as your tokens carry it."),
                code="invalid-user-id",
            ) from None
