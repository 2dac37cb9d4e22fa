"""The portal's Limits page: the partner's limits, the refusals of the last 30 days by day and
kind, the users nearest their limits (today, this month); only the partner's own; in French."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jackpot.limits import enforcement
from jackpot.limits.models import LimitRefusal
from jackpot.partners import limits

pytestmark = pytest.mark.django_db


def page(client, language="en"):
    response = client.get(reverse("portal:limits"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response


def test_without_limits_the_page_says_so(alice_client, acme):
    response = page(alice_client)
    body = response.content.decode()
    assert body.count("No limit") == 4
    assert "No reservation was refused by a limit." in body
    assert "No daily limit per userId is set." in body
    assert 'aria-current="page"' in body and "Limits</a>" in body


def test_it_shows_the_limits_refusals_and_users_nearest_them(alice_client, acme, make_voucher):
    limits.set_limits(acme, {"perUserDay": 2, "perUserMonth": 4, "amountPerUserMonth": "100"})
    make_voucher(acme, userId="alice-user")
    make_voucher(acme, userId="alice-user")
    make_voucher(acme, 80, userId="big-spender")  # 74.07 € of 100: the month's nearest
    make_voucher(acme, userId="quiet")
    with pytest.raises(enforcement.LimitReached):
        make_voucher(acme, userId="alice-user")
    today = timezone.now().date()
    LimitRefusal.objects.create(
        partner=acme, day=today - timedelta(days=3), kind="address-hour", refusals=7
    )
    LimitRefusal.objects.create(
        partner=acme, day=today - timedelta(days=40), kind="user-day", refusals=99
    )
    response = page(alice_client)
    context = response.context
    refusals = context["refusals"]
    assert [(d.day, d.total) for d in refusals.days] == [(today, 1), (today - timedelta(days=3), 7)]
    assert dict(context["refusal_totals"])["Vouchers per userId per day"] == 1
    day_rows, month_rows = context["nearest"][0][1], context["nearest"][1][1]
    assert [(u.user_id, u.percent) for u in day_rows][0] == ("alice-user", 100)
    assert {u.user_id for u in day_rows} == {"alice-user", "big-spender", "quiet"}
    assert [u.user_id for u in month_rows][:2] == ["big-spender", "alice-user"]
    assert month_rows[0].percent == 74  # 74.07 of 100 €, nearer than 1 of 4 vouchers
    body = response.content.decode()
    assert "€100.00" in body or "100.00" in body
    assert "99" not in [td.strip() for td in body.split("<td")]  # 40 days ago: not shown


def test_another_partners_users_and_refusals_never_show(alice_client, acme, beta, make_voucher):
    limits.set_limits(acme, {"perUserDay": 1})
    limits.set_limits(beta, {"perUserDay": 1})
    make_voucher(beta, userId="beta-only-user")
    with pytest.raises(enforcement.LimitReached):
        make_voucher(beta, userId="beta-only-user")
    response = page(alice_client)
    assert "beta-only-user" not in response.content.decode()
    assert response.context["refusals"].days == []


def test_the_page_is_in_french(alice_client, acme):
    limits.set_limits(acme, {"amountPerUserMonth": "250.5"})
    body = page(alice_client, "fr").content.decode()
    assert "Limites" in body
    assert "Montant converti par userId par mois" in body
    assert "Aucune limite" in body
