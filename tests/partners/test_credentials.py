"""A partner's apiSignature (jackpot.partners.credentials): generated strong, rotated with a grace
period during which tokens signed with the old and the new one are both accepted; which
signatures are valid is one rule that token verification and the portal's security page read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.partners import credentials
from jackpot.partners.models import ApiSignature
from jackpot.tokens import verification
from support.tokens import b64url_decode

pytestmark = pytest.mark.django_db

FIRST = "first-api-signature-0123456789abcdef0123"


def assert_signature_refused(token) -> None:
    with pytest.raises(Problem) as refused:
        verification.verify(token, client_id="acme")
    assert (refused.value.code, refused.value.status) == ("invalid-signature", 401)


def test_generated_api_signatures_carry_at_least_256_random_bits():
    first, second = credentials.new_api_signature(), credentials.new_api_signature()

    assert len(b64url_decode(first)) >= 32
    assert len(b64url_decode(second)) >= 32
    assert first != second


def test_a_partner_created_without_a_signature_gets_a_generated_one(make_partner):
    beta = make_partner("beta", domains=["beta.example"])

    assert len(b64url_decode(beta.issued.apiSignature)) >= 32


def test_during_a_rotation_grace_old_and_new_signatures_are_both_accepted(partner, build_token):
    old = partner.issued.apiSignature
    new = credentials.rotate_api_signature(partner, grace=timedelta(hours=1))
    assert new != old

    assert verification.verify(build_token(signature=old), client_id="acme")
    assert verification.verify(build_token(signature=new), client_id="acme")


def test_after_the_grace_the_old_signature_is_refused(partner, build_token):
    old = partner.issued.apiSignature
    new = credentials.rotate_api_signature(partner, grace=timedelta(0))

    assert_signature_refused(build_token(signature=old))
    assert verification.verify(build_token(signature=new), client_id="acme")


def test_an_old_signature_whose_grace_ended_is_refused(partner, build_token):
    old = partner.issued.apiSignature
    credentials.rotate_api_signature(partner, grace=timedelta(hours=1))
    ApiSignature.objects.filter(partner=partner, secret=old).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )

    assert_signature_refused(build_token(signature=old))


def test_a_replaced_signature_is_in_grace_until_its_end_then_expired(make_partner):
    partner = make_partner(api_signature=FIRST)
    new = credentials.rotate_api_signature(partner, grace=timedelta(hours=1))
    now = timezone.now()
    current = ApiSignature.objects.get(partner=partner, secret=new)
    replaced = ApiSignature.objects.get(partner=partner, secret=FIRST)
    assert credentials.signature_status(current, now) == "current"
    assert credentials.signature_status(replaced, now) == "grace"
    assert credentials.signature_status(replaced, replaced.valid_until) == "expired"


def test_valid_signatures_are_the_current_one_and_those_in_grace(make_partner):
    partner = make_partner(api_signature=FIRST)
    kept = credentials.rotate_api_signature(partner, grace=timedelta(hours=1))
    newest = credentials.rotate_api_signature(partner, grace=timedelta(0))
    # The second rotation, without grace, ends `kept` at once; the first one's grace still runs.
    valid = credentials.valid_signatures(partner)
    assert valid[0] == newest and FIRST in valid and kept not in valid
    later = timezone.now() + timedelta(hours=2)
    assert credentials.valid_signatures(partner, now=later) == [newest]
