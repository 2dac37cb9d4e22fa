"""The partner portal's pages, under /portal/."""

from django.urls import path
from django.views.i18n import set_language

from jackpot.portal import views

app_name = "portal"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set-language"),
    path("password/", views.password_change, name="password"),
    path("", views.dashboard, name="dashboard"),
    path("account/", views.account, name="account"),
    path("security/", views.security, name="security"),
    path("security/integration/", views.security_integration, name="security-integration"),
    path("security/signature/rotate/", views.rotate_signature, name="rotate-signature"),
    path("security/api-key/regenerate/", views.regenerate_api_key, name="regenerate-api-key"),
    path(
        "security/client-secret/regenerate/",
        views.regenerate_client_secret,
        name="regenerate-client-secret",
    ),
    path(
        "security/webhook-secret/rotate/", views.rotate_webhook_secret, name="rotate-webhook-secret"
    ),
    path(
        "security/webhook-secret/reveal/", views.reveal_webhook_secret, name="reveal-webhook-secret"
    ),
    path("security/endpoint/enable/", views.enable_endpoint, name="enable-endpoint"),
    path("legal/", views.legal, name="legal"),
    path("wallet/", views.wallet, name="wallet"),
    path("statements/<int:statement_id>.csv", views.statement_csv, name="statement-csv"),
    path("statements/<int:statement_id>.pdf", views.statement_pdf, name="statement-pdf"),
    path("coupons/", views.coupons, name="coupons"),
    path("coupons/export.csv", views.coupons_csv, name="coupons-csv"),
    path("coupons/pending/", views.pending, name="pending"),
    path("coupons/<uuid:voucher_id>/", views.coupon, name="coupon"),
    path("coupons/<uuid:voucher_id>/confirm/", views.coupon_confirm, name="coupon-confirm"),
    path("coupons/<uuid:voucher_id>/cancel/", views.coupon_cancel, name="coupon-cancel"),
    path("coupons/<uuid:voucher_id>/refund/", views.coupon_refund, name="coupon-refund"),
    path(
        "coupons/<uuid:voucher_id>/deliveries/<int:delivery_id>/resend/",
        views.coupon_resend,
        name="coupon-resend",
    ),
    path("refunds/", views.refunds, name="refunds"),
    path("token-verifier/", views.token_verifier, name="token"),
]
