"""A voucher's page offers the partner only the actions the lifecycle allows from its state."""

import re

import pytest
from django.urls import reverse

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
