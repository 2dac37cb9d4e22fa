"""The operator admin as a whole: every screen opens, only operators enter, and what is history
(vouchers, money, the audit log) is read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from jackpot.vouchers import lifecycle, payments
from jackpot.vouchers.models import Voucher

pytestmark = pytest.mark.django_db


def test_every_admin_screen_opens(ops_client, data):
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = ops_client.get(url)
        assert response.status_code == 200, url
        first = model_admin.get_queryset(response.wsgi_request).first()
        if first is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert ops_client.get(url).status_code == 200, url
    index = ops_client.get(reverse("admin:index"))
    assert "Jackpot operator" in index.content.decode()
    assert (
        "Opérations"
        in ops_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )


def test_partner_users_cannot_enter_the_admin(client, acme, django_user_model):
    from jackpot.partners.services import create_partner_user

    profile, password = create_partner_user(acme, "alice", password="alice-password-123")
    client.force_login(profile.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_vouchers_and_money_are_read_only(ops_client, data):
    _, confirmed = data
    response = ops_client.get(reverse("admin:vouchers_voucher_change", args=[confirmed.pk]))
    body = response.content.decode()
    assert 'name="price"' not in body and 'name="value"' not in body
    assert "What happened" in body  # its events are inlined (column headers are capitalised)
    response = ops_client.post(
        reverse("admin:vouchers_voucher_change", args=[confirmed.pk]), {"price": "1.00"}
    )
    assert response.status_code == 403
    assert Voucher.objects.get(pk=confirmed.pk).price == confirmed.price


def test_the_voucher_journal_names_people_in_the_operators_language(ops_client, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    lifecycle.transition(voucher.pk, "confirm", "partner:acme")
    url = reverse("admin:vouchers_voucher_change", args=[voucher.pk])
    french = ops_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Session du client" in french and "Serveur du partenaire (clé API)" in french
    assert "Réservé (l’utilisateur a choisi la valeur du bon)" in french
    english = ops_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The partner&#x27;s server (API key)" in english


def test_audit_log_is_read_only(ops_client, data):
    assert ops_client.get(reverse("admin:admin_logentry_changelist")).status_code == 200
    assert ops_client.get(reverse("admin:admin_logentry_add")).status_code == 403
    assert payments  # the module is the one the admin calls
