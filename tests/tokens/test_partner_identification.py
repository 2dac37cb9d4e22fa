"""SPEC §2, which partner a token is for: named by iss, kid or client_id, or told by the origin's
authorised domain; unknown, disabled or mismatched partners are refused."""

import jwt
import pytest

from jackpot.tokens import verification
from support.tokens import seed_claims
from support.verification import assert_refused

pytestmark = pytest.mark.django_db


def test_the_iss_claim_names_the_partner_without_client_id(build_token):
    assert verification.verify(build_token(iss="acme")).partner.id == "acme"


def test_the_kid_header_names_the_partner_without_client_id(partner, acme_signature, now):
    token = jwt.encode(seed_claims(now), acme_signature, algorithm="HS256", headers={"kid": "acme"})

    assert verification.verify(token).partner.id == "acme"


def test_client_id_names_the_partner(build_token):
    assert verification.verify(build_token(), client_id="acme").partner.id == "acme"


def test_the_origin_of_a_sub_domain_of_an_authorised_domain_names_the_partner(build_token):
    verified = verification.verify(build_token(), origin="https://shop.acme.example")

    assert verified.partner.id == "acme"


def test_the_origin_of_the_authorised_domain_itself_names_the_partner(build_token):
    verified = verification.verify(build_token(), origin="https://acme.example:8443")

    assert verified.partner.id == "acme"


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "https://evilacme.example", "https://acme.example.evil.example"],
)
def test_an_origin_outside_every_authorised_domain_is_an_unknown_partner(build_token, origin):
    assert_refused(build_token(), "unknown-partner", client_id=None, origin=origin)


def test_a_token_with_no_way_to_tell_the_partner_is_refused(build_token):
    assert_refused(build_token(), "unknown-partner", client_id=None)


def test_an_unknown_client_id_is_an_unknown_partner(build_token):
    assert_refused(build_token(), "unknown-partner", client_id="nobody")


def test_a_disabled_partner_is_an_unknown_partner(partner, build_token):
    partner.enabled = False
    partner.save()

    assert_refused(build_token(), "unknown-partner")


def test_iss_and_client_id_naming_different_partners_is_a_mismatch(build_token):
    assert_refused(build_token(iss="acme"), "partner-mismatch", client_id="other")


def test_kid_and_iss_naming_different_partners_is_a_mismatch(make_partner, acme_signature, now):
    make_partner("beta", domains=["beta.example"])
    token = jwt.encode(
        seed_claims(now, iss="acme"), acme_signature, algorithm="HS256", headers={"kid": "beta"}
    )

    assert_refused(token, "partner-mismatch", client_id=None)


def test_a_token_of_partner_a_presented_as_partner_b_fails_on_b_s_key(make_partner, build_token):
    make_partner("beta", domains=["beta.example"])

    assert_refused(build_token(), "invalid-signature", client_id="beta")


def test_the_origin_cannot_override_a_named_partner(make_partner, build_token):
    """A token naming beta, sent from acme's page, is checked against beta's key."""
    make_partner("beta", domains=["beta.example"])

    assert_refused(
        build_token(), "invalid-signature", client_id="beta", origin="https://shop.acme.example"
    )
