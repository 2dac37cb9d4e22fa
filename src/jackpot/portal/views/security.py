"""Security & API keys: credentials, their rotation, authorised domains and the webhook endpoint.

A freshly issued secret is shown once, in the answer to the POST that issued it, never cached.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jackpot.partners import credentials
from jackpot.partners.models import ApiSignature
from jackpot.portal.access import partner_required
from jackpot.portal.forms import IntegrationForm, RegenerateForm, RotationForm
from jackpot.portal.templatetags.portal import when
from jackpot.webhooks import services as webhooks
from jackpot.webhooks import signing
from jackpot.webhooks.models import Endpoint


def _security_context(request, **extra) -> dict:
    partner = request.partner
    now = timezone.now()
    signatures = []
    for signature in ApiSignature.objects.filter(partner=partner)[:6]:
        signatures.append(
            {"obj": signature, "status": credentials.signature_status(signature, now)}
        )
    endpoint = Endpoint.objects.filter(partner=partner).first()
    context = {
        "section": "security",
        "signatures": signatures,
        "endpoint": endpoint,
        "previous_webhook_secret_valid": signing.previous_secret_signs(endpoint, now),
        "integration_form": IntegrationForm(
            initial={"domains": partner.domains, "notification_url": partner.notification_url}
        ),
        "signature_form": RotationForm(prefix="signature"),
        "webhook_form": RotationForm(prefix="webhook"),
        "api_key_form": RegenerateForm(prefix="apikey"),
        "client_secret_form": RegenerateForm(prefix="client"),
    }
    context.update(extra)
    return context


def _refused(request, **forms):
    """The security page again with the form that failed, its errors shown (422)."""
    context = _security_context(request, **forms)
    return render(request, "portal/security.html", context, status=422)


def _shown_once(request, name: str, value: str, note: str, **more):
    """The security page with a new secret in it: answered to the POST, never stored or cached."""
    new_secret = {"name": name, "value": value, "note": note, **more}
    context = _security_context(request, new_secret=new_secret)
    response = render(request, "portal/security.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _regenerated(request, prefix: str, refusal: str, regenerate, name: str, note: str):
    """A credential replaced at once, once the partner ticked the box that says so."""
    if not RegenerateForm(request.POST, prefix=prefix).is_valid():
        messages.error(request, refusal)
        return redirect("portal:security")
    return _shown_once(request, name, regenerate(request.partner), note)


@partner_required
def security(request):
    return render(request, "portal/security.html", _security_context(request))


@partner_required
@require_POST
def security_integration(request):
    form = IntegrationForm(request.POST)
    if not form.is_valid():
        return _refused(request, integration_form=form)
    try:
        credentials.update_integration(
            request.partner,
            domains=form.cleaned_data["domains"],
            notification_url=form.cleaned_data["notification_url"],
        )
    except ValidationError as refused:  # the partner's own rules (Partner.clean)
        request.partner.refresh_from_db()
        for field, errors in refused.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _refused(request, integration_form=form)
    messages.success(request, _("Authorised domains and notification URL saved."))
    return redirect("portal:security")


@partner_required
@require_POST
def rotate_signature(request):
    form = RotationForm(request.POST, prefix="signature")
    if not form.is_valid():
        return _refused(request, signature_form=form)
    grace = form.cleaned_data["grace"]
    secret = credentials.rotate_api_signature(request.partner, grace)
    return _shown_once(
        request,
        "apiSignature",
        secret,
        _("Sign your tokens with it from now on.")
        + " "
        + (
            _("The previous apiSignature is accepted until %(when)s.")
            % {"when": when(timezone.now() + grace)}
            if grace
            else _("The previous apiSignature no longer works.")
        ),
    )


@partner_required
@require_POST
def regenerate_api_key(request):
    return _regenerated(
        request,
        "apikey",
        _("Tick the box to confirm: the current apiKey stops at once."),
        credentials.regenerate_api_key,
        "apiKey",
        _("Send it in the apikey header. The previous apiKey no longer works."),
    )


@partner_required
@require_POST
def regenerate_client_secret(request):
    return _regenerated(
        request,
        "client",
        _("Tick the box to confirm: the current client secret stops at once."),
        credentials.regenerate_client_secret,
        "clientSecret",
        _("Use it with your partner id in the client_credentials grant."),
    )


@partner_required
@require_POST
def rotate_webhook_secret(request):
    form = RotationForm(request.POST, prefix="webhook")
    if not form.is_valid():
        return _refused(request, webhook_form=form)
    grace = form.cleaned_data["grace"]
    secret = signing.rotate_secret(request.partner, grace)
    request.partner.webhook_secret = secret
    return _shown_once(
        request,
        _("Webhook secret"),
        secret,
        _("Notifications are signed with it from now on")
        + (
            _(", and with the previous secret too until %(when)s.")
            % {"when": when(timezone.now() + grace)}
            if grace
            else "."
        ),
    )


@partner_required
@require_POST
def reveal_webhook_secret(request):
    return _shown_once(
        request,
        _("Webhook secret"),
        request.partner.webhook_secret,
        _("Verify the webhook-signature header of notifications with it."),
        revealed=True,
    )


@partner_required
@require_POST
def enable_endpoint(request):
    webhooks.enable_endpoint(request.partner)
    messages.success(request, _("Notifications will be delivered again."))
    return redirect("portal:security")
