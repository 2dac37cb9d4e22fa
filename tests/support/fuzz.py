"""The public API as schemathesis sees it, and the world its generated calls run against
(tests/api/test_schemathesis.py, tests/api/test_schema_findings.py).

`JACKPOT_FUZZ_SEED` and `JACKPOT_FUZZ_EXAMPLES` set the fuzzing's seed and depth.
"""

import os

import schemathesis
from django.core.wsgi import get_wsgi_application

from support.reservations import reserve_in_session
from support.tokens import partner_token

SIGNATURE = "fuzz-api-signature-0123456789abcdef0123456789"

config = schemathesis.Config.from_dict(
    {
        # A fixed seed: the same cases every run, so a failure here is reproducible as is.
        "seed": int(os.environ.get("JACKPOT_FUZZ_SEED", "20260101")),
        "generation": {"max-examples": int(os.environ.get("JACKPOT_FUZZ_EXAMPLES", "20"))},
        "phases": {"stateful": {"enabled": False}},
    }
)
# `jackpot.wsgi` refuses to load without a production SECRET_KEY while the suite runs with the
# development key; this is the same handler (same settings and middleware) without that guard.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", application, config=config)


class World:
    """A manual-confirmation partner with credentials of every kind and vouchers in each state."""

    def __init__(self, partner, other):
        from jackpot.partners import credentials

        self.partner = partner
        self.other = other
        self.apikey = partner.issued.apiKey
        self.client_secret = partner.issued.clientSecret
        self.partner_bearer, _ = credentials.issue_access_token(partner)
        self.vouchers = {"RESERVED": [], "CONFIRMED": [], "CANCELED": []}
        self.foreign = None  # another partner's voucher: never visible to `acme`
        self._store_key = None

    def token(self, signature=SIGNATURE, **claims) -> str:
        """A one-time partner JWT, as the seed's Python sample builds it."""
        return partner_token(signature, **claims)

    def session(self, partner=None):
        from jackpot.tokens import sessions

        partner = partner or self.partner
        token = self.token(signature=partner.issued.apiSignature)
        return sessions.exchange(token, client_id=partner.pk)

    def reserve(self, opened=None):
        return reserve_in_session(opened or self.session())

    def store_key(self) -> str:
        if self._store_key is None:
            from jackpot.catalog.models import Store
            from jackpot.vouchers.codes import merchant

            self._store_key = merchant.issue_store_key(Store.objects.get(pk="sportmax"))
        return self._store_key
