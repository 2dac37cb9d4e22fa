"""While a rotation's grace runs, messages are signed with the previous secret too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.webhooks import signing
from jackpot.webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def test_the_previous_secret_signs_until_its_grace_ends(make_partner):
    partner = make_partner()
    before = partner.webhook_secret
    after = signing.rotate_secret(partner, grace=timedelta(hours=1))
    partner.refresh_from_db()
    endpoint = Endpoint.objects.get(partner=partner)
    now = timezone.now()
    assert signing.previous_secret_signs(endpoint, now)
    assert signing.signing_secrets(partner, endpoint, now) == [after, before]
    ended = endpoint.previous_secret_expires_at
    assert not signing.previous_secret_signs(endpoint, ended)
    assert signing.signing_secrets(partner, endpoint, ended) == [after]
    assert not signing.previous_secret_signs(None, now)
