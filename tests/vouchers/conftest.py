"""Voucher payment fixtures: `manual`, a partner confirming its vouchers itself; `beta`, a second
partner; `money`, the partner's side of payments through the API."""

import pytest

from support.payments import SPORTMAX


@pytest.fixture
def manual(make_partner, catalog):
    """A partner that confirms its vouchers itself (they wait in RESERVED)."""
    return make_partner("acme", confirmation_mode="manual")


@pytest.fixture
def beta(make_partner):
    return make_partner("beta", domains=["beta.example"])


@pytest.fixture
def money(api_client, build_token):
    """The partner's side through the API."""

    class Money:
        def reserve(self, path=SPORTMAX, value=30):
            status, body = api_client.post(
                path, {"value": value}, bearer=api_client.session(build_token())
            )
            assert status == 201, body
            return body

        def confirm(self, partner, voucher_id, **headers):
            return api_client.put(
                f"/v2/voucher/{voucher_id}/confirm", apikey=partner.issued.apiKey, **headers
            )

        def confirmed(self, partner, path=SPORTMAX, value=30):
            status, body = self.confirm(partner, self.reserve(path, value)["id"])
            assert status == 200, body
            return body

        def refund(self, partner, voucher_id):
            return api_client.post(f"/v2/voucher/{voucher_id}/refund", apikey=partner.issued.apiKey)

        def get(self, partner, path, **headers):
            return api_client.get(path, apikey=partner.issued.apiKey, **headers)

    return Money()
