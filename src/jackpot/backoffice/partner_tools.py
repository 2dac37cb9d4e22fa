"""The partner page's tools: create a partner with its credentials, regenerate its apiKey,
credit its wallet, issue a statement, add a portal user.

Each tool is an admin page with one form that calls a service (`partners.credentials`,
`partners.services`, `ledger.services`, `vouchers.payments`); secrets are shown once and every
change is journalled with the operator who made it.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jackpot.backoffice import kit, statements
from jackpot.core.formatting import money
from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.partners import credentials
from jackpot.partners import domains as domain_rules
from jackpot.partners.models import ConfirmationMode, Partner
from jackpot.partners.services import create_partner_user


class PartnerCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    partner_id = forms.SlugField(
        label=_("Partner id"),
        max_length=64,
        required=False,
        help_text=_("The client_id partners send; derived from the name when left empty."),
    )
    domains = forms.CharField(
        label=_("Authorised domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line; sub-domains are authorised too; with a port (localhost:3000), "
            "that port only."
        ),
    )
    confirmation_mode = forms.ChoiceField(
        label=_("Confirmation mode"), choices=ConfirmationMode.choices, initial="auto"
    )
    notification_url = forms.URLField(
        label=_("Notification URL"), required=False, max_length=500, assume_scheme="https"
    )
    session_ceiling = forms.DecimalField(
        label=_("Ceiling per session"), required=False, min_value=Decimal("0.01"), decimal_places=2
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirmation_mode") == "notification" and not cleaned.get(
            "notification_url"
        ):
            raise ValidationError(_("The notification mode needs a notification URL."))
        return cleaned


class CreditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=200, help_text=_("The bank transfer's reference.")
    )
    idempotency_key = forms.CharField(
        label=_("Idempotency key"),
        max_length=255,
        required=False,
        help_text=_("Optional: the same key never credits twice."),
    )


class PortalUserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one (shown once)."),
    )

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise ValidationError(_("This username is taken."))
        return username


class ConfirmRegenerationForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The partner's current apiKey stops working at once."), required=True
    )


class PartnerTools:
    """The tool pages of `PartnerAdmin` (mixed into it, before `ModelAdmin`)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/api-key/",
                view(self.api_key_view),
                name="partners_partner_api_key",
            ),
            path(
                "<path:object_id>/credit/", view(self.credit_view), name="partners_partner_credit"
            ),
            path(
                "<path:object_id>/statement/",
                view(self.statement_view),
                name="partners_partner_statement",
            ),
            path(
                "<path:object_id>/portal-user/",
                view(self.portal_user_view),
                name="partners_partner_portal_user",
            ),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return redirect("admin:partners_partner_changelist")
        form = PartnerCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                partner, issued = credentials.create_partner(
                    data["name"],
                    domains=domain_rules.split(data["domains"]),
                    partner_id=data["partner_id"] or None,
                    confirmation_mode=data["confirmation_mode"],
                    notification_url=data["notification_url"] or "",
                    session_ceiling=data["session_ceiling"],
                )
            except credentials.CredentialError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:  # Partner.clean: on the field at fault when it is here
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.log_addition(request, partner, [{"added": {}}])
                return kit.shown_once(
                    request,
                    self,
                    gettext("Partner created"),
                    issued.as_flat_dict(),
                    obj=partner,
                    note=gettext("Add a portal user for the partner from its page."),
                )
        return kit.form_page(
            request,
            self,
            gettext("Add partner"),
            form,
            intro=gettext("The partner's credentials are generated and shown once."),
            submit=gettext("Create the partner"),
        )

    def _partner(self, request, object_id) -> Partner:
        # A test twin is no partner to operators: no credit, statement or login of its own.
        partner = get_object_or_404(Partner.objects.live(), pk=object_id)
        if not self.has_change_permission(request, partner):
            raise PermissionDenied
        return partner

    def api_key_view(self, request, object_id):
        partner = self._partner(request, object_id)
        form, confirmed = kit.confirmation(request, ConfirmRegenerationForm)
        if not confirmed:
            return kit.form_page(
                request,
                self,
                gettext("Regenerate the apiKey"),
                form,
                obj=partner,
                submit=gettext("Regenerate the apiKey"),
            )
        key = credentials.regenerate_api_key(partner)
        kit.log(request, partner, "apiKey regenerated")
        return kit.shown_once(
            request,
            self,
            gettext("New apiKey"),
            {"apiKey": key},
            obj=partner,
            note=gettext("The previous apiKey no longer works."),
        )

    def credit_view(self, request, object_id):
        partner = self._partner(request, object_id)
        form = CreditForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                txn = ledger.credit_wallet(
                    partner,
                    data["amount"],
                    reference=data["reference"],
                    created_by=kit.operator(request),
                    idempotency_key=data["idempotency_key"] or None,
                )
            except Problem as problem:
                form.add_error(None, kit.problem_text(problem))
            else:
                kit.log(request, partner, f"wallet credited {data['amount']} ({txn.pk})")
                messages.success(
                    request,
                    gettext("Wallet credited: %(amount)s.")
                    % {"amount": money(data["amount"], partner.currency)},
                )
                return redirect("admin:partners_partner_change", partner.pk)
        return kit.form_page(
            request,
            self,
            gettext("Credit the wallet"),
            form,
            obj=partner,
            intro=gettext("Record a top-up received from the partner (bank → wallet)."),
            submit=gettext("Credit"),
        )

    def statement_view(self, request, object_id):
        partner = self._partner(request, object_id)
        form = statements.PeriodForm(request.POST or None)
        return statements.issue_page(request, self, form, partner=partner)

    def portal_user_view(self, request, object_id):
        partner = self._partner(request, object_id)
        form = PortalUserForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            profile, password = create_partner_user(
                partner, data["username"], password=data["password"] or None, email=data["email"]
            )
            kit.log(request, partner, f"portal user {profile.user.username} added")
            if data["password"]:
                messages.success(request, gettext("Portal user created."))
                return redirect("admin:partners_partner_change", partner.pk)
            return kit.shown_once(
                request,
                self,
                gettext("Portal user created"),
                {gettext("Username"): profile.user.username, gettext("Password"): password},
                obj=partner,
                note=gettext("The user signs in at /portal/."),
            )
        return kit.form_page(
            request,
            self,
            gettext("Add a portal user"),
            form,
            obj=partner,
            submit=gettext("Create the user"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["tools"] = [
            (
                reverse("admin:partners_partner_portal_user", args=[object_id]),
                gettext("Add a portal user"),
                "get",
            ),
            (
                reverse("admin:partners_partner_credit", args=[object_id]),
                gettext("Credit the wallet"),
                "get",
            ),
            (
                reverse("admin:partners_partner_statement", args=[object_id]),
                gettext("Issue a statement"),
                "get",
            ),
            (
                reverse("admin:partners_partner_api_key", args=[object_id]),
                gettext("Regenerate the apiKey"),
                "get",
            ),
        ]
        return super().change_view(request, object_id, form_url, extra_context)
