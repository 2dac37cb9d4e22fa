"""The credentials an API call may carry: a session bearer token, a partner's apikey or access
token, a store's merchant key.

Each class only looks its credential up, through `api.credentials` (which the edge asked first,
so each credential costs one lookup per request); what a found credential makes of the request
(who the partner is, which session if any) is decided once, in `_as_partner`.
"""

from ninja.security import APIKeyHeader, HttpBearer

from jackpot.api import credentials


def _as_partner(request, partner, session=None) -> None:
    request.jackpot_session = session
    request.jackpot_partner = partner


class SessionBearer(HttpBearer):
    """`Authorization: Bearer jks_…`, the credential `POST /v2/token` returns for a partner JWT."""

    openapi_description = "Session token from POST /v2/token (jwt-bearer grant)."

    def authenticate(self, request, token):
        session = credentials.session_for(request, token)
        if session is not None:
            _as_partner(request, session.partner, session)
        return session


class _PartnerCredential:
    """A credential that names a partner alone (no session): `find` looks it up, or None."""

    find: staticmethod

    def authenticate(self, request, credential):
        partner = self.find(request, credential)
        if partner is not None:
            _as_partner(request, partner)
        return partner


class PartnerApiKey(_PartnerCredential, APIKeyHeader):
    """`apikey: jpk_…`, for the partner's own servers."""

    param_name = "apikey"
    openapi_description = "The partner's API key, server to server only."
    find = staticmethod(credentials.partner_for_api_key)


class PartnerBearer(_PartnerCredential, HttpBearer):
    """`Authorization: Bearer jpt_…`, from the client_credentials grant of `POST /v2/token`."""

    openapi_description = "Partner access token from POST /v2/token (client_credentials grant)."
    find = staticmethod(credentials.partner_for_access_token)


class StoreKey(HttpBearer):
    """`Authorization: Bearer jsk_…`: a store's merchant key (the merchant API), no partner."""

    openapi_description = "The store's merchant key, from `jackpot codes store-key STORE`."

    def authenticate(self, request, token):
        store = credentials.store_for_key(request, token)
        if store is not None:
            request.jackpot_store = store
        return store


session_auth = SessionBearer()
apikey_auth = PartnerApiKey()
partner_bearer = PartnerBearer()
store_key = StoreKey()
# What a partner's own servers may use: its apikey or a client_credentials access token.
partner_auth = [apikey_auth, partner_bearer]
