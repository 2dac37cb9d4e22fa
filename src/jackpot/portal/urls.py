"""The partner portal's pages, under /portal/."""

from django.urls import path
from django.views.i18n import set_language

from jackpot.portal.views import (
    account,
    auth,
    coupons,
    dashboard,
    mode,
    personal,
    refunds,
    security,
    token,
    wallet,
)

app_name = "portal"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set-language"),
    path("password/", auth.password_change, name="password"),
    path("", dashboard.dashboard, name="dashboard"),
    path("mode/", mode.switch_mode, name="mode"),
    path("account/", account.account, name="account"),
    path("security/", security.security, name="security"),
    path("security/integration/", security.security_integration, name="security-integration"),
    path("security/signature/rotate/", security.rotate_signature, name="rotate-signature"),
    path("security/api-key/regenerate/", security.regenerate_api_key, name="regenerate-api-key"),
    path(
        "security/client-secret/regenerate/",
        security.regenerate_client_secret,
        name="regenerate-client-secret",
    ),
    path(
        "security/webhook-secret/rotate/",
        security.rotate_webhook_secret,
        name="rotate-webhook-secret",
    ),
    path(
        "security/webhook-secret/reveal/",
        security.reveal_webhook_secret,
        name="reveal-webhook-secret",
    ),
    path("security/endpoint/enable/", security.enable_endpoint, name="enable-endpoint"),
    path("legal/", account.legal, name="legal"),
    path("wallet/", wallet.wallet, name="wallet"),
    path("statements/<int:statement_id>.csv", wallet.statement_csv, name="statement-csv"),
    path("statements/<int:statement_id>.pdf", wallet.statement_pdf, name="statement-pdf"),
    path("coupons/", coupons.coupons, name="coupons"),
    path("coupons/export.csv", coupons.coupons_csv, name="coupons-csv"),
    path("coupons/pending/", coupons.pending, name="pending"),
    path("coupons/<uuid:voucher_id>/", coupons.coupon, name="coupon"),
    path("coupons/<uuid:voucher_id>/confirm/", coupons.coupon_confirm, name="coupon-confirm"),
    path("coupons/<uuid:voucher_id>/cancel/", coupons.coupon_cancel, name="coupon-cancel"),
    path("coupons/<uuid:voucher_id>/refund/", coupons.coupon_refund, name="coupon-refund"),
    path(
        "coupons/<uuid:voucher_id>/deliveries/<int:delivery_id>/resend/",
        coupons.coupon_resend,
        name="coupon-resend",
    ),
    path("refunds/", refunds.refunds, name="refunds"),
    path("token-verifier/", token.token_verifier, name="token"),
    path("personal-data/", personal.personal, name="personal"),
    path("personal-data/download.json", personal.personal_json, name="personal-json"),
    path("personal-data/erase/", personal.personal_erase, name="personal-erase"),
]
