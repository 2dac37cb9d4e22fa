"""The security page's authorised domains: a public suffix or another partner's domain is
refused on the field, in the partner's language, and nothing is saved."""

import pytest
from django.urls import reverse
from django.utils import translation

from jackpot.partners.models import Partner


def save(client, domains, language="en"):
    with translation.override(language):
        url = reverse("portal:security-integration")
    return client.post(
        url, {"domains": domains, "notification_url": ""}, HTTP_ACCEPT_LANGUAGE=language
    )


def field_errors(response) -> list[str]:
    return response.context["integration_form"].errors["domains"]


@pytest.mark.parametrize(
    "claim, says",
    [
        ("com", "com is a public suffix"),
        ("example", "example is a public suffix"),
        ("beta.example", "beta.example is already authorised for another partner"),
        ("shop.beta.example", "shop.beta.example is already authorised for another partner"),
        ("shop.example:0", "Not a port: shop.example:0"),
    ],
)
def test_a_domain_that_cannot_be_the_partner_s_is_refused_on_the_field(
    alice_client, acme, beta, claim, says
):
    response = save(alice_client, f"acme.example\n{claim}")

    assert response.status_code == 422
    assert any(says in error for error in field_errors(response))
    assert "Beta" not in " ".join(field_errors(response))  # the other partner is not named
    assert Partner.objects.get(pk="acme").domain_list == ["acme.example"]


def test_the_refusal_is_in_french_for_a_french_partner(alice_client, acme, beta):
    response = save(alice_client, "beta.example\ncom", language="fr")

    assert response.status_code == 422
    assert field_errors(response) == [
        "beta.example est déjà un domaine autorisé d’un autre partenaire : un domaine et ses "
        "sous-domaines n’appartiennent qu’à un seul partenaire.",
        "com est un suffixe public, partagé par de nombreux propriétaires (comme com ou co.uk) : "
        "indiquez votre propre domaine sous ce suffixe, par exemple shop.com.",
    ]


def test_domains_are_saved_normalised_with_their_ports(alice_client, acme, beta):
    response = save(alice_client, "Shop.Acme.Example.\nlocalhost:3000\nacme.example")

    assert response.status_code == 302
    assert Partner.objects.get(pk="acme").domain_list == [
        "shop.acme.example",
        "localhost:3000",
        "acme.example",
    ]
