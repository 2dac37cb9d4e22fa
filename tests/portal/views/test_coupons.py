"""The coupon list and a voucher's page: pages that keep the filters, exact searches, and only the
actions the lifecycle allows."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jackpot.core import cursors
from jackpot.portal.views import coupons as coupon_views
from jackpot.vouchers import lifecycle

pytestmark = pytest.mark.django_db


def test_confirm_and_cancel_are_offered_only_while_reserved(alice_client, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    page = alice_client.get(reverse("portal:coupon", args=[voucher.pk])).content.decode()
    assert reverse("portal:coupon-confirm", args=[voucher.pk]) in page
    assert reverse("portal:coupon-cancel", args=[voucher.pk]) in page
    lifecycle.transition(voucher.pk, "confirm", "test")
    page = alice_client.get(reverse("portal:coupon", args=[voucher.pk])).content.decode()
    assert reverse("portal:coupon-confirm", args=[voucher.pk]) not in page
    assert reverse("portal:coupon-cancel", args=[voucher.pk]) not in page


def test_the_history_is_told_in_the_readers_language_with_people_named(
    alice_client, acme, make_voucher
):
    voucher = make_voucher(acme, 30)
    lifecycle.transition(voucher.pk, "confirm", "partner:acme")
    lifecycle.transition(voucher.pk, "deliver", "worker")
    lifecycle.transition(voucher.pk, "refund", "portal:alice", reason="article rendu")
    url = reverse("portal:coupon", args=[voucher.pk])

    french = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for words in (
        "Session du client",
        "Réservé (l’utilisateur a choisi la valeur du bon)",
        "Votre serveur (clé API)",
        "Jackpot (tâche de fond)",
        "Codes attribués et PDF créé",
        "alice (espace partenaire)",
        "Remboursement demandé",
        '<q class="journal-note">article rendu</q>',
    ):
        assert words in french
    timeline = french.split('<ol class="timeline">')[1].split("</ol>")[0]
    shown = re.sub(r'title="[^"]*"', "", timeline)  # the stored actor stays in a tooltip
    for raw in ("session:", "partner:acme", "reserved by", "codes taken", "worker"):
        assert raw not in shown

    english = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The customer&#x27;s session" in english and "Your server (API key)" in english
    assert "Codes assigned and PDF made" in english


def link(content: str, rel: str) -> str | None:
    """The query string of the page's link `rel` ("next", "prev"), as a browser would follow it."""
    found = re.search(rf'<a href="(\?[^"]*)" rel="{rel}"', content)
    return html.unescape(found.group(1)) if found else None


def coupons(client, query: str = "", **headers):
    response = client.get(reverse("portal:coupons") + query, **headers)
    assert response.status_code == 200
    return [v.coupon_id for v in response.context["page"]], response.content.decode()


def test_pages_keep_the_filters_and_stay_the_same_when_bookmarked(
    alice_client, acme, make_voucher, monkeypatch
):
    monkeypatch.setattr(coupon_views, "PAGE_SIZE", 3)
    sportmax = [make_voucher(acme, 10 + n).coupon_id for n in range(7)][::-1]  # newest first
    make_voucher(acme, 20, store="bookly", offer="bookly-min")
    seen, content = coupons(alice_client, "?store=sportmax")
    assert seen == sportmax[:3] and link(content, "prev") is None
    assert "First page" in content
    pages = [seen]
    while (following := link(content, "next")) is not None:
        assert "store=sportmax" in following and "after=" in following
        seen, content = coupons(alice_client, following)
        assert coupons(alice_client, following)[0] == seen  # the same link, the same rows
        pages.append(seen)
    assert pages == [sportmax[:3], sportmax[3:6], sportmax[6:]]
    assert "Last page" in content
    assert coupons(alice_client, link(content, "prev"))[0] == sportmax[3:6]
    assert coupons(alice_client, "?store=sportmax&at=last")[0] == sportmax[-3:]  # a full page


def test_the_pages_say_where_they_are_in_french(alice_client, acme, make_voucher, monkeypatch):
    monkeypatch.setattr(coupon_views, "PAGE_SIZE", 1)
    for value in (10, 20, 30):
        make_voucher(acme, value)
    _, content = coupons(alice_client, "?at=last", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Dernière page" in content and "Précédent" in content
    _, content = coupons(alice_client, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Première page" in content and "Suivant" in content


def test_search_finds_exact_identifiers_of_the_partner_only(alice_client, acme, beta, make_voucher):
    first = make_voucher(acme, 10, userId="client-7", customTransactionId="T-0001")
    second = make_voucher(acme, 20, userId="client-7")
    other = make_voucher(acme, 30, userId="client-8")
    theirs = make_voucher(beta, 10, userId="client-7")
    found = {
        first.coupon_id.lower(): [first],  # a couponId, in any case
        str(second.pk): [second],  # a voucher id, as its page's address shows it
        f"  {other.notification_key} ": [other],
        "client-7": [second, first],  # a userId: each of its vouchers, newest first
        "T-0001": [first],  # a customTransactionId
        theirs.coupon_id: [],  # another partner's voucher does not exist here
        first.notification_key[:-1]: [],  # exact: no substring
        "CLIENT-7": [],  # the partner's own keys are matched as sent
    }
    for text, vouchers in found.items():
        seen, _ = coupons(alice_client, f"?q={text}")
        assert seen == [v.coupon_id for v in vouchers], text


def test_search_combines_with_the_filters(alice_client, acme, make_voucher):
    reserved = make_voucher(acme, 10, userId="client-7")
    confirmed = make_voucher(acme, 20, userId="client-7")
    lifecycle.transition(confirmed.pk, "confirm", "test")
    seen, _ = coupons(alice_client, "?q=client-7&state=RESERVED")
    assert seen == [reserved.coupon_id]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "after", "before", "at", "page", "state", "store", "date_from"]),
        st.one_of(
            st.text(max_size=140),
            st.from_regex(r"[A-Za-z0-9_-]{1,60}", fullmatch=True),  # a cursor's alphabet
            st.just(cursors.encode(datetime(1999, 12, 31, tzinfo=UTC), "not-a-uuid")),
        ),
    )
)
def test_any_query_string_gives_a_page_never_an_error(alice_client, acme, params):
    response = alice_client.get(reverse("portal:coupons"), params)
    assert response.status_code == 200
