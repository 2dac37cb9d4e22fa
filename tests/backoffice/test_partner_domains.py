"""The operator admin refuses a public suffix or another partner's domain, on the field, when it
creates a partner and when it edits one."""

import pytest
from django.urls import reverse

from jackpot.partners.models import Partner
from support.admin import partner_change

CHANGE = partner_change()


@pytest.fixture
def beta(make_partner):
    return make_partner("beta", domains=["beta.example"])


@pytest.mark.parametrize(
    "claim, says",
    [
        ("co.uk", "co.uk is a public suffix"),
        ("beta.example", "beta.example is already authorised for another partner"),
        ("m.beta.example", "m.beta.example is already authorised for another partner"),
    ],
)
def test_creating_a_partner_on_a_taken_or_public_domain_is_refused_on_the_field(
    ops_client, beta, claim, says
):
    response = ops_client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Gamma", "partner_id": "gamma", "domains": claim, "confirmation_mode": "auto"},
    )

    assert response.status_code == 200
    assert any(says in error for error in response.context["form"].errors["domains"])
    assert not Partner.objects.filter(pk="gamma").exists()


def test_editing_a_partner_onto_another_s_domain_is_refused_on_the_field(ops_client, acme, beta):
    url = reverse("admin:partners_partner_change", args=["acme"])

    response = ops_client.post(url, {**CHANGE, "domains": "acme.example\nshop.beta.example"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["domains"]
    assert any("shop.beta.example is already authorised for another partner" in e for e in errors)
    assert Partner.objects.get(pk="acme").domain_list == ["acme.example"]


def test_an_edit_stores_the_domains_normalised(ops_client, acme, beta):
    url = reverse("admin:partners_partner_change", args=["acme"])

    response = ops_client.post(url, {**CHANGE, "domains": "ACME.example., localhost:3000"})

    assert response.status_code == 302
    assert Partner.objects.get(pk="acme").domain_list == ["acme.example", "localhost:3000"]
