"""`jackpot partner create --domain`: a public suffix or another partner's domain is refused with
`jackpot: …` and exit 2, and no partner is created."""

import pytest

from jackpot.cli import main
from jackpot.partners.models import Partner

pytestmark = pytest.mark.django_db


def create(capsys, name, *domains):
    argv = ["partner", "create", name]
    for domain in domains:
        argv += ["--domain", domain]
    code = main(argv)
    return code, capsys.readouterr()


@pytest.mark.parametrize(
    "claim, says",
    [
        ("com", "com is a public suffix"),
        ("example", "example is a public suffix"),
        ("co.uk", "co.uk is a public suffix"),
        ("acme.example", "acme.example is already authorised for another partner"),
        ("shop.acme.example", "shop.acme.example is already authorised for another partner"),
        ("https://x.example/", "not a domain name"),
        ("shop.example:99999", "not a port"),
    ],
)
def test_a_domain_that_cannot_be_this_partner_s_is_refused_with_exit_2(capsys, claim, says):
    assert create(capsys, "Acme", "acme.example")[0] == 0

    code, captured = create(capsys, "Beta", "beta.example", claim)

    assert (code, captured.out) == (2, "")
    assert captured.err.startswith("jackpot: ")
    assert says in captured.err.lower()
    assert "acme" not in captured.err.replace(claim, "")  # the other partner is not named
    assert not Partner.objects.filter(pk="beta").exists()


def test_two_ports_of_localhost_are_two_partners(capsys):
    assert create(capsys, "Three", "localhost:3000")[0] == 0
    assert create(capsys, "Four", "localhost:4000")[0] == 0

    code, captured = create(capsys, "Any port", "localhost")

    assert code == 2 and "localhost is already authorised for another partner" in captured.err
