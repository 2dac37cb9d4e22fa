"""The operator sets a partner's limits on its admin page: saved as typed, empty for none,
refused with the field named when not a positive whole number or amount."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jackpot.partners.models import Partner
from support.admin import partner_change

URL = reverse("admin:partners_partner_change", args=["acme"])


@pytest.fixture
def ops_client(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@x.example", "pw"))
    return client


def change(ops_client, **limits):
    return ops_client.post(URL, partner_change(domains="acme.example", **limits))


def test_the_partner_page_shows_and_saves_the_limits(ops_client, acme):
    page = ops_client.get(URL).content.decode()
    assert "Abuse limits" in page and 'name="limit_per_user_day"' in page
    response = change(
        ops_client,
        limit_per_user_day="3",
        limit_per_user_month="10",
        limit_amount_per_user_month="500.5",
        limit_per_address_hour="",
    )
    assert response.status_code == 302
    saved = Partner.objects.get(pk="acme")
    assert saved.limit_per_user_day == 3 and saved.limit_per_user_month == 10
    assert saved.limit_amount_per_user_month == Decimal("500.50")
    assert saved.limit_per_address_hour is None


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("limit_per_user_day", "0"),
        ("limit_per_user_month", "-2"),
        ("limit_per_address_hour", "1.5"),
        ("limit_amount_per_user_month", "0"),
        ("limit_amount_per_user_month", "1.234"),
    ],
)
def test_a_limit_that_is_not_positive_is_refused_on_its_field(ops_client, acme, field, typed):
    response = change(ops_client, **{field: typed})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert getattr(Partner.objects.get(pk="acme"), field) is None
