"""The voucher journal: events are written as codes with parameters by the flows that make them,
and worded in the reader's language, actors named for people (`vouchers.journal`)."""

import pytest
from django.utils import translation

from jackpot.partners.models import Partner
from jackpot.vouchers import journal
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Voucher
from support.reservations import reserve_via_api

CODES = [
    value
    for name, value in vars(journal).items()
    if name.isupper() and isinstance(value, str) and name not in ("PARTNER", "OPERATOR")
]


def written(voucher_id) -> list[tuple]:
    events = Voucher.objects.get(pk=voucher_id).events.order_by("at", "id")
    return list(events.values_list("from_state", "to_state", "actor", "code", "params", "reason"))


@pytest.mark.django_db
def test_a_voucher_reserved_confirmed_delivered_and_mailed_journals_codes_not_sentences(
    partner, catalog, api_client, build_token
):
    Partner.objects.filter(pk=partner.pk).update(sending_enabled=True)  # auto confirmation
    voucher = reserve_via_api(api_client, build_token(email="user@example.org"), 110)
    assert process_due_jobs() == 1 and process_due_jobs() == 1  # the PDF, then the mail

    session = Voucher.objects.get(pk=voucher["id"]).session_id
    assert written(voucher["id"]) == [
        ("", "RESERVED", f"session:{session}", "reserved", {"by": "value"}, ""),
        ("RESERVED", "CONFIRMED", "system", "auto_confirmed", {}, ""),
        ("CONFIRMED", "READY", "worker", "delivered", {}, ""),
        ("READY", "SENT", "worker", "mailed", {}, ""),
    ]


@pytest.mark.django_db
def test_what_the_partner_typed_is_kept_as_written_beside_the_code(
    make_partner, catalog, api_client, build_token
):
    manual = make_partner("acme", confirmation_mode="manual")
    first = reserve_via_api(api_client, build_token())
    second = reserve_via_api(api_client, build_token())
    key = manual.issued.apiKey

    api_client.put(
        f"/v2/voucher/{first['id']}/cancel", {"reason": "client a changé d'avis"}, apikey=key
    )
    api_client.put(f"/v2/voucher/{second['id']}/cancel", apikey=key)

    assert written(first["id"])[-1][2:] == (
        "partner:acme",
        "canceled",
        {},
        "client a changé d'avis",
    )
    assert written(second["id"])[-1][2:] == ("partner:acme", "canceled", {}, "")


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_a_sentence_in_english_and_in_french_or_adds_nothing(code):
    params = {"by": "value", "status": 204}
    with translation.override("en"):
        english = journal.message(code, params)
    with translation.override("fr"):
        french = journal.message(code, params)
    if code in journal.SAYS_NOTHING_MORE:  # its two states say it all
        assert english == french == ""
    else:
        assert english and french and english != french


def test_sentences_and_their_parameters_in_both_languages():
    with translation.override("fr"):
        assert journal.message("auto_confirmed") == "Confirmation automatique"
        assert journal.message("reserved", {"by": "price"}) == (
            "Réservé (l’utilisateur a choisi le prix à payer)"
        )
        assert "204" in journal.message("notification_confirmed", {"status": 204})
        assert journal.message("delivered") == "Codes attribués et PDF créé"
    with translation.override("en"):
        assert journal.message("reserved", {"by": "value"}) == (
            "Reserved (the user chose the voucher's value)"
        )
        assert journal.message("delivered") == "Codes assigned and PDF made"
    assert journal.message("no-such-code") == ""


@pytest.mark.parametrize(
    "actor, audience, french, english",
    [
        ("system", journal.PARTNER, "Jackpot (automatique)", "Jackpot (automatic)"),
        ("worker", journal.PARTNER, "Jackpot (tâche de fond)", "Jackpot (background task)"),
        ("session:0b7e…", journal.PARTNER, "Session du client", "The customer's session"),
        ("partner:acme", journal.PARTNER, "Votre serveur (clé API)", "Your server (API key)"),
        (
            "partner:acme",
            journal.OPERATOR,
            "Serveur du partenaire (clé API)",
            "The partner's server (API key)",
        ),
        ("webhook", journal.PARTNER, "Votre URL de notification", "Your notification URL"),
        ("portal:alice", journal.PARTNER, "alice (espace partenaire)", "alice (partner portal)"),
        ("operator:ops", journal.PARTNER, "Opérateur Jackpot ops", "Jackpot operator ops"),
        (
            "operator:cli",
            journal.OPERATOR,
            "Opérateur Jackpot (ligne de commande)",
            "Jackpot operator (command line)",
        ),
        (
            "store:sportmax",
            journal.PARTNER,
            "L’enseigne (API marchand)",
            "The store (merchant API)",
        ),
        ("a-script", journal.PARTNER, "a-script", "a-script"),
    ],
)
def test_actors_are_named_for_people(actor, audience, french, english):
    with translation.override("fr"):
        assert journal.actor_label(actor, audience) == french
    with translation.override("en"):
        assert journal.actor_label(actor, audience) == english
