"""Which apiSignatures a partner's tokens may be signed with: the one rule that token
verification and the portal's security page both read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.partners import credentials
from jackpot.partners.models import ApiSignature

pytestmark = pytest.mark.django_db

FIRST = "first-api-signature-0123456789abcdef0123"


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
