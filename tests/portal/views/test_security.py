"""The security page shows each apiSignature's status and the webhook secret still signing
beside the new one, as the token verification and the webhook signing decide them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jackpot.partners.models import ApiSignature

pytestmark = pytest.mark.django_db


def statuses(response) -> list[str]:
    return [row["status"] for row in response.context["signatures"]]


def test_a_rotated_signature_shows_in_grace_then_expired(alice_client, acme):
    alice_client.post(reverse("portal:rotate-signature"), {"signature-grace": "3600"})
    assert sorted(statuses(alice_client.get(reverse("portal:security")))) == ["current", "grace"]
    ApiSignature.objects.filter(partner=acme, valid_until__isnull=False).update(
        valid_until=timezone.now() - timedelta(seconds=1)
    )
    assert sorted(statuses(alice_client.get(reverse("portal:security")))) == [
        "current",
        "expired",
    ]


@pytest.mark.parametrize(("grace", "still_signs"), [("86400", True), ("0", False)])
def test_the_previous_webhook_secret_shows_while_it_still_signs(
    alice_client, acme, grace, still_signs
):
    alice_client.post(reverse("portal:rotate-webhook-secret"), {"webhook-grace": grace})
    response = alice_client.get(reverse("portal:security"))
    assert response.context["previous_webhook_secret_valid"] is still_signs
