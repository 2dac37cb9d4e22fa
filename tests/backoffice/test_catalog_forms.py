"""Stores and campaigns edited in the admin with real inputs (a row per tier, a box per postcode
or value, a checkbox per category), refused by the catalogue importer's own rules, in the
operator's language, and stored as the importer stores them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jackpot.catalog import importer
from jackpot.catalog.models import Campaign, Store
from support.admin import form_data

pytestmark = pytest.mark.django_db

CAMPAIGN = "admin:catalog_campaign_change"
STORE = "admin:catalog_store_change"


def page_form(client, url_name, pk, form_id):
    response = client.get(reverse(url_name, args=[pk]))
    assert response.status_code == 200
    return form_data(response, form_id)


def rows(name: str, *values, column=None) -> dict:
    """The inputs of a row widget, as typed: `rows("tiers", ("0", "5"), ...)`."""
    data = {}
    for i, value in enumerate(values):
        if column:
            data[f"{name}-{i}-{column}"] = value
        else:
            data[f"{name}-{i}-from"], data[f"{name}-{i}-rate"] = value
    return data


def without(data: dict, prefix: str) -> dict:
    return {k: v for k, v in data.items() if not k.startswith(f"{prefix}-")}


def save_campaign(client, HTTP_ACCEPT_LANGUAGE="en", **changes):  # noqa: N803 - a header
    data = page_form(client, CAMPAIGN, "sportmax-launch", "campaign_form")
    for prefix in ("tiers", "target_postcodes"):
        if any(k.startswith(f"{prefix}-") for k in changes):
            data = without(data, prefix)
    return client.post(
        reverse(CAMPAIGN, args=["sportmax-launch"]),
        {**data, **changes},
        HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE,
    )


def errors(response) -> dict:
    form = response.context["adminform"].form
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_the_campaign_page_shows_tiers_as_rows_and_postcodes_as_boxes(ops_client, catalog):
    data = page_form(ops_client, CAMPAIGN, "sportmax-launch", "campaign_form")
    assert "tiers" not in data  # no JSON text area any more
    assert [(data[f"tiers-{i}-from"], data[f"tiers-{i}-rate"]) for i in range(3)] == [
        ("0", "5"),
        ("50", "8"),
        ("100", "10"),
    ]
    assert (data["tiers-3-from"], data["tiers-3-rate"]) == ("", "")  # a blank row to fill
    assert (data["target_postcodes-0-code"], data["target_postcodes-1-code"]) == ("75", "92")


def test_saving_rows_stores_what_the_importer_stores(ops_client, catalog):
    response = save_campaign(
        ops_client,
        **rows("tiers", ("100", "12,5"), ("0", "5"), ("", ""), ("50", "7.25")),
        **rows("target_postcodes", "75", "", "2a", column="code"),
    )
    assert response.status_code == 302, errors(response)
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert campaign.tiers == [
        {"from": "0.00", "rate": "0.05"},
        {"from": "50.00", "rate": "0.0725"},
        {"from": "100.00", "rate": "0.125"},
    ]
    assert campaign.target_postcodes == ["75", "2A"]
    exported = importer.export_catalog()["stores"]
    tiers = next(s for s in exported if s["id"] == "sportmax")["campaigns"][0]["tiers"]
    assert tiers == [
        {"from": 0, "rate": "0.05"},
        {"from": 50, "rate": "0.0725"},
        {"from": 100, "rate": "0.125"},
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            rows("tiers", ("0", "5"), ("50", "100")),
            "tiers",
            "Tier 2: the rate is a percentage from 0 to 99.99, with at most 2 decimals.",
        ),
        (
            rows("tiers", ("0", "5"), ("-1", "8")),
            "tiers",
            "Tier 2: it starts from 0 € or more, with at most 2 decimals.",
        ),
        (rows("tiers", ("0", "5"), ("0", "8")), "tiers", "Two tiers start at the same amount."),
        (rows("tiers", ("0", "abc")), "tiers", "Tier 1: give the amount it starts from"),
        ({"tiers-0-from": "", "tiers-0-rate": ""}, "tiers", "This field is required."),
        (
            rows("target_postcodes", "75", "ABC", column="code"),
            "target_postcodes",
            "“ABC” is not a French postcode or department prefix (75, 2A, 13008).",
        ),
        (
            {"end_0": "2025-12-31", "end_1": "00:00:00"},
            "end",
            "The campaign ends before it starts.",
        ),
        (
            {"target_age_min": "50", "target_age_max": "20"},
            "target_age_max",
            "The maximum age is below the minimum age.",
        ),
        ({"budget": "10.00"}, "budget", "The budget is below the 15.00 € reservations"),
        ({"max_vouchers": "1"}, "max_vouchers", "The cap is below the 2 vouchers already issued."),
    ],
    ids=[
        "rate 100 %",
        "negative start",
        "same start",
        "not a number",
        "no tier",
        "postcode",
        "end before start",
        "ages",
        "budget below spent",
        "cap below issued",
    ],
)
def test_a_broken_rule_is_refused_on_its_field(ops_client, catalog, changes, field, message):
    Campaign.objects.filter(pk="sportmax-launch").update(
        bonus_spent=Decimal("15.00"), vouchers_issued=2
    )
    before = Campaign.objects.get(pk="sportmax-launch")

    response = save_campaign(ops_client, **changes)

    assert response.status_code == 200
    assert any(m.startswith(message) for m in errors(response).get(field, [])), errors(response)
    after = Campaign.objects.get(pk="sportmax-launch")
    assert (after.tiers, after.end, after.budget) == (before.tiers, before.end, before.budget)


def test_messages_are_in_the_operators_language(ops_client, catalog):
    response = save_campaign(
        ops_client, **rows("tiers", ("0", "5"), ("0", "8")), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert errors(response)["tiers"] == ["Deux paliers commencent au même montant."]
    assert "Palier 1 · À partir de (montant payé, €)" in response.content.decode()


def test_a_store_takes_values_and_categories_from_boxes(ops_client, catalog):
    data = page_form(ops_client, STORE, "bookly", "store_form")
    assert [data[f"voucher_possible_discrete_values-{i}-value"] for i in range(4)] == [
        "10",
        "20",
        "50",
        "100",
    ]
    data = without(data, "voucher_possible_discrete_values")
    data.update(rows("voucher_possible_discrete_values", "12,50", "", "30", column="value"))
    data.update(categories=["culture", "kids"], other_categories="Comics, culture")

    response = ops_client.post(reverse(STORE, args=["bookly"]), data)

    assert response.status_code == 302, errors(response)
    store = Store.objects.get(pk="bookly")
    assert store.voucher_possible_discrete_values == ["12.50", "30.00"]
    assert store.categories == ["culture", "kids", "comics"]
    shown = page_form(ops_client, STORE, "bookly", "store_form")
    assert shown["categories"] == ["culture", "kids", "comics"]  # "comics" now a checkbox


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"voucher_value_min": "", "voucher_value_max": ""},
            "voucher_value_min",
            "Give a minimum and a maximum value, or the list of accepted values.",
        ),
        ({"voucher_value_min": "600"}, "voucher_value_max", "The maximum value is below"),
        ({"base_color": "red"}, "base_color", "A colour written #0a5 or #00aa55."),
        ({"validity_months": "0"}, "validity_months", "Enter 1 or more."),
        ({"slug": "Sport-Max"}, "slug", "Lower-case letters, digits"),
    ],
    ids=["no values", "min above max", "colour", "validity", "slug"],
)
def test_a_store_breaking_a_rule_is_refused(ops_client, catalog, changes, field, message):
    data = page_form(ops_client, STORE, "sportmax", "store_form")
    response = ops_client.post(reverse(STORE, args=["sportmax"]), {**data, **changes})
    assert response.status_code == 200
    assert any(m.startswith(message) for m in errors(response).get(field, [])), errors(response)
    assert Store.objects.get(pk="sportmax").base_color == "#0a5"


def test_a_new_campaign_from_the_store_page(ops_client, catalog):
    page = ops_client.get(reverse(STORE, args=["bookly"])).content.decode()
    add = reverse("admin:catalog_campaign_add") + "?store=bookly"
    assert add in page
    data = form_data(ops_client.get(add), "campaign_form")
    assert data["store"] == "bookly"
    data.update(
        id="bookly-summer",
        mode="majoration",
        start_0="2026-06-01",
        start_1="00:00:00",
        **rows("tiers", ("0", "4")),
    )
    response = ops_client.post(add, data)
    assert response.status_code == 302, errors(response)
    campaign = Campaign.objects.get(pk="bookly-summer")
    assert (campaign.store_id, campaign.tiers) == ("bookly", [{"from": "0.00", "rate": "0.04"}])
