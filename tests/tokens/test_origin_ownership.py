"""Issue 13 item 4: a browser exchange goes to the partner that owns the page's Origin, and no
other partner can claim that Origin (a public suffix, the same domain, a sub-domain of it)."""

import pytest
from django.core.exceptions import ValidationError

from jackpot.partners import credentials
from support.tokens import partner_token

pytestmark = pytest.mark.django_db

CLAIMS_ON_ACME = ["com", "example", "acme.example", "Shop.Acme.Example.", "acme.example:443"]


@pytest.mark.parametrize("claim", CLAIMS_ON_ACME)
def test_another_partner_cannot_claim_acme_s_origin_and_acme_s_exchange_keeps_working(
    build_token, post_token, claim
):
    with pytest.raises(ValidationError) as refused:
        credentials.create_partner("Beta", partner_id="beta", domains=[claim])

    assert "domains" in refused.value.message_dict
    response = post_token(build_token(), client_id=None, origin="https://shop.acme.example")
    assert response.status_code == 200, response.content


def test_partners_on_two_ports_of_localhost_each_get_their_own_exchanges(make_partner, post_token):
    three = make_partner("three", domains=["localhost:3000"], api_signature="three-" + "s" * 40)
    four = make_partner("four", domains=["localhost:4000"], api_signature="four-" + "s" * 40)

    for partner, port in ((three, 3000), (four, 4000)):
        token = partner_token(partner.issued.apiSignature)
        response = post_token(token, client_id=None, origin=f"http://localhost:{port}")
        assert response.status_code == 200, response.content


def test_an_origin_on_a_port_no_partner_names_is_no_partner_s(make_partner, post_token, refused):
    make_partner("three", domains=["localhost:3000"], api_signature="three-" + "s" * 40)
    token = partner_token("three-" + "s" * 40)

    response = post_token(token, client_id=None, origin="http://localhost:5000")

    refused(response, "unknown-partner", 401)


def test_an_entry_without_a_port_matches_every_port_of_its_host(make_partner, post_token):
    make_partner("shop", domains=["shop.example"], api_signature="shop-" + "s" * 40)
    token = partner_token("shop-" + "s" * 40)

    response = post_token(token, client_id=None, origin="https://m.shop.example:8443")

    assert response.status_code == 200, response.content
