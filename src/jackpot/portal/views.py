"""The partner portal (SPEC §11): pages translate HTTP into calls of the services, nothing more.

Every view runs under `partner_required`: `request.partner` is the user's partner, every query
is filtered by it, and an object of another partner is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jackpot.core.problems import Problem
from jackpot.ledger import services as ledger
from jackpot.ledger.models import Entry
from jackpot.partners import credentials
from jackpot.partners import services as partner_services
from jackpot.partners.models import ApiSignature, PartnerUser
from jackpot.portal import charts, exports, services, stats
from jackpot.portal.access import actor, partner_required
from jackpot.portal.forms import (
    BulkActionForm,
    CouponFilterForm,
    IntegrationForm,
    LegalForm,
    RefundForm,
    RefundLookupForm,
    RegenerateForm,
    RotationForm,
    ThresholdForm,
    TokenForm,
)
from jackpot.portal.labels import DELIVERY_LABELS, TRANSACTION_LABELS, problem_message
from jackpot.portal.templatetags.portal import when
from jackpot.tokens import verification
from jackpot.vouchers import lifecycle, links, payments
from jackpot.vouchers.models import State, Statement, Voucher
from jackpot.webhooks import services as webhooks
from jackpot.webhooks import signing
from jackpot.webhooks.models import Delivery, Endpoint, OutboxEvent

PAGE_SIZE = 25
COLORS = {"count": "#6d4aff", "converted": "#1f7a8c", "bonus": "#f2a541"}


# --- authentication -------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:dashboard")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("portal:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:account")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


password_change = partner_required(PasswordChangeView.as_view())


def _vouchers(request):
    return Voucher.objects.filter(partner=request.partner).select_related("store")


def _voucher(request, voucher_id) -> Voucher:
    return get_object_or_404(_vouchers(request), pk=voucher_id)


# --- dashboard ------------------------------------------------------------------------------


@partner_required
def dashboard(request):
    partner = request.partner
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in stats.PERIODS else 30
    start, end, day_list = stats.period(days)
    per_day = stats.by_day(partner, start, end, day_list)
    per_store = stats.by_store(partner, start, end)
    labels = [
        date_format(d.day, "d/m" if request.LANGUAGE_CODE == "fr" else "j M") for d in per_day
    ]
    currency = partner.currency
    count_chart = charts.column_chart(
        labels,
        [charts.Series(_("Vouchers"), COLORS["count"], [d.vouchers for d in per_day])],
        aria_label=_("Vouchers confirmed per day"),
        width=480,
        integers=True,
    )
    amount_chart = charts.column_chart(
        labels,
        [
            charts.Series(
                _("Converted"), COLORS["converted"], [d.converted for d in per_day], currency
            ),
            charts.Series(_("Bonus"), COLORS["bonus"], [d.bonus for d in per_day], currency),
        ],
        aria_label=_("Amounts converted and bonus given per day"),
        width=480,
    )
    store_chart = charts.bar_chart(
        [s.store_name for s in per_store],
        [
            charts.Series(
                _("Converted"), COLORS["converted"], [s.converted for s in per_store], currency
            ),
            charts.Series(_("Bonus"), COLORS["bonus"], [s.bonus for s in per_store], currency),
        ],
        notes=[
            ngettext("%(n)d voucher", "%(n)d vouchers", s.vouchers) % {"n": s.vouchers}
            for s in per_store
        ],
        aria_label=_("Amounts converted and bonus given per store"),
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "section": "dashboard",
            "days": days,
            "periods": stats.PERIODS,
            "totals": stats.totals(partner, start, end),
            "per_day": per_day,
            "per_store": per_store,
            "count_chart": count_chart,
            "amount_chart": amount_chart,
            "store_chart": store_chart,
            "colors": COLORS,
            "pending": stats.pending_count(partner),
            "refunding": stats.refunding_count(partner),
            "wallet": ledger.wallet_status(partner),
            "recent": _vouchers(request).order_by("-reservation_date", "-id")[:6],
        },
    )


# --- general information --------------------------------------------------------------------


@partner_required
def account(request):
    partner = request.partner
    return render(
        request,
        "portal/account.html",
        {
            "section": "account",
            "users": PartnerUser.objects.filter(partner=partner).select_related("user"),
            "mode_label": partner.get_confirmation_mode_display(),
        },
    )


# --- security & API keys --------------------------------------------------------------------


def _security_context(request, **extra) -> dict:
    partner = request.partner
    now = timezone.now()
    signatures = []
    for signature in ApiSignature.objects.filter(partner=partner)[:6]:
        if signature.valid_until is None:
            status = "current"
        elif signature.valid_until > now:
            status = "grace"
        else:
            status = "expired"
        signatures.append({"obj": signature, "status": status})
    endpoint = Endpoint.objects.filter(partner=partner).first()
    context = {
        "section": "security",
        "signatures": signatures,
        "endpoint": endpoint,
        "previous_webhook_secret_valid": bool(
            endpoint
            and endpoint.previous_secret_expires_at
            and endpoint.previous_secret_expires_at > now
        ),
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


def _shown_once(request, **extra):
    """The security page with a new secret in it: answered to the POST, never stored or cached."""
    response = render(request, "portal/security.html", _security_context(request, **extra))
    response["Cache-Control"] = "no-store, private"
    return response


@partner_required
def security(request):
    return render(request, "portal/security.html", _security_context(request))


@partner_required
@require_POST
def security_integration(request):
    form = IntegrationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "portal/security.html",
            _security_context(request, integration_form=form),
            status=422,
        )
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
        return render(
            request,
            "portal/security.html",
            _security_context(request, integration_form=form),
            status=422,
        )
    messages.success(request, _("Authorised domains and notification URL saved."))
    return redirect("portal:security")


@partner_required
@require_POST
def rotate_signature(request):
    form = RotationForm(request.POST, prefix="signature")
    if not form.is_valid():
        return render(
            request,
            "portal/security.html",
            _security_context(request, signature_form=form),
            status=422,
        )
    grace = form.cleaned_data["grace"]
    secret = credentials.rotate_api_signature(request.partner, grace)
    return _shown_once(
        request,
        new_secret={
            "name": "apiSignature",
            "value": secret,
            "note": _("Sign your tokens with it from now on.")
            + " "
            + (
                _("The previous apiSignature is accepted until %(when)s.")
                % {"when": when(timezone.now() + grace)}
                if grace
                else _("The previous apiSignature no longer works.")
            ),
        },
    )


@partner_required
@require_POST
def regenerate_api_key(request):
    form = RegenerateForm(request.POST, prefix="apikey")
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm: the current apiKey stops at once."))
        return redirect("portal:security")
    key = credentials.regenerate_api_key(request.partner)
    return _shown_once(
        request,
        new_secret={
            "name": "apiKey",
            "value": key,
            "note": _("Send it in the apikey header. The previous apiKey no longer works."),
        },
    )


@partner_required
@require_POST
def regenerate_client_secret(request):
    form = RegenerateForm(request.POST, prefix="client")
    if not form.is_valid():
        messages.error(
            request, _("Tick the box to confirm: the current client secret stops at once.")
        )
        return redirect("portal:security")
    secret = credentials.regenerate_client_secret(request.partner)
    return _shown_once(
        request,
        new_secret={
            "name": "clientSecret",
            "value": secret,
            "note": _("Use it with your partner id in the client_credentials grant."),
        },
    )


@partner_required
@require_POST
def rotate_webhook_secret(request):
    form = RotationForm(request.POST, prefix="webhook")
    if not form.is_valid():
        return render(
            request,
            "portal/security.html",
            _security_context(request, webhook_form=form),
            status=422,
        )
    grace = form.cleaned_data["grace"]
    secret = signing.rotate_secret(request.partner, grace)
    request.partner.webhook_secret = secret
    return _shown_once(
        request,
        new_secret={
            "name": _("Webhook secret"),
            "value": secret,
            "note": _("Notifications are signed with it from now on")
            + (
                _(", and with the previous secret too until %(when)s.")
                % {"when": when(timezone.now() + grace)}
                if grace
                else "."
            ),
        },
    )


@partner_required
@require_POST
def reveal_webhook_secret(request):
    return _shown_once(
        request,
        new_secret={
            "name": _("Webhook secret"),
            "value": request.partner.webhook_secret,
            "note": _("Verify the webhook-signature header of notifications with it."),
            "revealed": True,
        },
    )


@partner_required
@require_POST
def enable_endpoint(request):
    webhooks.enable_endpoint(request.partner)
    messages.success(request, _("Notifications will be delivered again."))
    return redirect("portal:security")


# --- legal information and wallet -----------------------------------------------------------


@partner_required
def legal(request):
    info = partner_services.legal_information(request.partner)
    form = LegalForm(request.POST or None, instance=info)
    if request.method == "POST":
        if form.is_valid():
            partner_services.save_legal_information(form.save(commit=False), actor(request))
            messages.success(request, _("Legal information saved."))
            return redirect("portal:legal")
    return render(
        request,
        "portal/legal.html",
        {"section": "legal", "form": form, "info": info},
        status=422 if form.errors else 200,
    )


@partner_required
def wallet(request):
    partner = request.partner
    account = ledger.wallet_account(partner)
    form = ThresholdForm(request.POST or None, initial={"threshold": account.low_balance_threshold})
    if request.method == "POST" and form.is_valid():
        ledger.set_low_balance_threshold(partner, form.cleaned_data["threshold"])
        messages.success(request, _("Low-balance warning saved."))
        return redirect("portal:wallet")
    entries = Entry.objects.filter(account=account).select_related("transaction")
    page = Paginator(entries.order_by("-transaction__created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    references = {entry.pk: payments.voucher_id_of(entry.transaction.reference) for entry in page}
    coupons = dict(
        Voucher.objects.filter(
            partner=partner, pk__in=[v for v in references.values() if v]
        ).values_list("pk", "coupon_id")
    )
    rows = [
        {
            "entry": entry,
            "kind": TRANSACTION_LABELS.get(entry.transaction.kind, entry.transaction.kind),
            "voucher_id": references[entry.pk],
            "coupon_id": coupons.get(references[entry.pk]),
        }
        for entry in page
    ]
    return render(
        request,
        "portal/wallet.html",
        {
            "section": "wallet",
            "status": ledger.wallet_status(partner),
            "form": form,
            "page": page,
            "rows": rows,
            "statements": Statement.objects.filter(partner=partner)[:24],
            "topup": {
                "holder": settings.JACKPOT_TOPUP_ACCOUNT_HOLDER,
                "iban": settings.JACKPOT_TOPUP_IBAN,
                "bic": settings.JACKPOT_TOPUP_BIC,
                "reference": f"JACKPOT-{partner.pk}".upper(),
            },
        },
        status=422 if form.errors else 200,
    )


def _statement(request, statement_id) -> Statement:
    return get_object_or_404(Statement, pk=statement_id, partner=request.partner)


@partner_required
def statement_csv(request, statement_id):
    statement = _statement(request, statement_id)
    response = HttpResponse(
        payments.statement_csv(statement), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}.csv"'
    return response


@partner_required
def statement_pdf(request, statement_id):
    statement = _statement(request, statement_id)
    response = HttpResponse(payments.statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}.pdf"'
    return response


# --- coupons --------------------------------------------------------------------------------


@partner_required
def coupons(request):
    form = CouponFilterForm(request.GET or None)
    vouchers = form.apply(_vouchers(request)).order_by("-reservation_date", "-id")
    page = Paginator(vouchers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/coupons.html",
        {"section": "coupons", "form": form, "page": page, "filtered": form.active()},
    )


@partner_required
def coupons_csv(request):
    form = CouponFilterForm(request.GET or None)
    vouchers = form.apply(_vouchers(request)).order_by("-reservation_date", "-id")
    response = StreamingHttpResponse(
        exports.stream(vouchers), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="coupons-{request.partner.pk}-{stamp}.csv"'
    )
    return response


@partner_required
def pending(request):
    if request.method == "POST":
        form = BulkActionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            reason = form.cleaned_data["reason"] or (
                "canceled in the portal" if action == "cancel" else ""
            )
            outcome = services.apply_to_many(
                request.partner, form.voucher_ids, action, actor(request), reason
            )
            if outcome.done:
                text = (
                    ngettext(
                        "%(n)d voucher confirmed.", "%(n)d vouchers confirmed.", len(outcome.done)
                    )
                    if action == "confirm"
                    else ngettext(
                        "%(n)d voucher canceled.", "%(n)d vouchers canceled.", len(outcome.done)
                    )
                )
                messages.success(request, text % {"n": len(outcome.done)})
            for voucher_id, problem in outcome.refused:
                coupon = (
                    Voucher.objects.filter(pk=voucher_id, partner=request.partner)
                    .values_list("coupon_id", flat=True)
                    .first()
                )
                messages.error(request, f"{coupon or voucher_id}: {problem_message(problem)}")
            return redirect("portal:pending")
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("portal:pending")
    vouchers = _vouchers(request).filter(state=State.RESERVED).order_by("resa_expire_date", "id")
    page = Paginator(vouchers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/pending.html",
        {"section": "pending", "page": page, "now": timezone.now()},
    )


@partner_required
def coupon(request, voucher_id):
    voucher = _voucher(request, voucher_id)
    events = OutboxEvent.objects.filter(
        partner=request.partner, notification_key=voucher.notification_key
    ).prefetch_related("deliveries__attempt_log")
    notifications = []
    for event in events:
        for delivery in event.deliveries.all():
            notifications.append(
                {
                    "event": event,
                    "delivery": delivery,
                    "status": DELIVERY_LABELS.get(delivery.status, delivery.status),
                    "attempts": list(delivery.attempt_log.all()),
                }
            )
        if not event.deliveries.all():
            notifications.append({"event": event, "delivery": None, "attempts": []})
    return render(
        request,
        "portal/coupon.html",
        {
            "section": "coupons",
            "voucher": voucher,
            "events": voucher.events.all(),
            "notifications": notifications,
            "pdf_path": links.path(voucher.pk) if voucher.state in links.WITH_PDF else None,
            "refund_form": RefundForm(),
            "can_refund": voucher.state in lifecycle.TRANSITIONS["refund"][0],
        },
    )


def _transition(request, voucher_id, action, reason, done_message):
    voucher = _voucher(request, voucher_id)  # 404 for another partner's voucher
    try:
        lifecycle.transition(
            voucher.pk, action, actor(request), partner_id=request.partner.pk, reason=reason
        )
    except Problem as problem:
        messages.error(request, problem_message(problem))
    else:
        messages.success(request, done_message % {"coupon": voucher.coupon_id})
    return redirect("portal:coupon", voucher_id=voucher.pk)


@partner_required
@require_POST
def coupon_confirm(request, voucher_id):
    return _transition(request, voucher_id, "confirm", "", _("%(coupon)s confirmed."))


@partner_required
@require_POST
def coupon_cancel(request, voucher_id):
    return _transition(
        request, voucher_id, "cancel", "canceled in the portal", _("%(coupon)s canceled.")
    )


@partner_required
@require_POST
def coupon_refund(request, voucher_id):
    form = RefundForm(request.POST)
    reason = (
        form.cleaned_data["reason"] if form.is_valid() else ""
    ) or "refund requested in the portal"
    return _transition(request, voucher_id, "refund", reason, _("Refund of %(coupon)s requested."))


@partner_required
@require_POST
def coupon_resend(request, voucher_id, delivery_id):
    voucher = _voucher(request, voucher_id)
    delivery = get_object_or_404(
        Delivery,
        pk=delivery_id,
        partner=request.partner,
        event__notification_key=voucher.notification_key,
    )
    try:
        webhooks.resend(delivery.pk, partner=request.partner)
    except webhooks.ResendError as exc:
        messages.error(request, _("Not re-sent: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The notification is queued and will be sent again shortly."))
    return redirect(reverse("portal:coupon", args=[voucher.pk]) + "#notifications")


# --- refunds --------------------------------------------------------------------------------


@partner_required
def refunds(request):
    form = RefundLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voucher = _vouchers(request).filter(coupon_id=form.cleaned_data["coupon_id"]).first()
        if voucher is None:
            form.add_error("coupon_id", _("No voucher of yours has this couponId."))
        else:
            reason = form.cleaned_data["reason"] or "refund requested in the portal"
            try:
                lifecycle.transition(
                    voucher.pk,
                    "refund",
                    actor(request),
                    partner_id=request.partner.pk,
                    reason=reason,
                )
            except Problem as problem:
                form.add_error("coupon_id", problem_message(problem))
            else:
                messages.success(
                    request, _("Refund of %(coupon)s requested.") % {"coupon": voucher.coupon_id}
                )
                return redirect("portal:refunds")
    vouchers = (
        _vouchers(request)
        .filter(state__in=[State.REFUNDING, State.REFUNDED, State.REFUND_REJECTED])
        .order_by("-reservation_date", "-id")
    )
    page = Paginator(vouchers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/refunds.html",
        {"section": "refunds", "form": form, "page": page},
        status=422 if form.errors else 200,
    )


# --- token verifier -------------------------------------------------------------------------


@partner_required
def token_verifier(request):
    form = TokenForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        # The partner's own id is the client_id: a token of another partner is a mismatch, and
        # `describe` only reads (it never burns the token).
        report = verification.describe(form.cleaned_data["token"], client_id=request.partner.pk)
    return render(
        request,
        "portal/token.html",
        {"section": "token", "form": form, "report": report},
    )
