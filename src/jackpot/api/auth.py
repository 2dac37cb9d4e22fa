"""The credentials an API call may carry: a session bearer token or a partner's apikey."""

from ninja.security import APIKeyHeader, HttpBearer

from jackpot.api import credentials


class SessionBearer(HttpBearer):
    """`Authorization: Bearer jks_…`, the credential `POST /v2/token` returns for a partner JWT."""

    openapi_description = "Session token from POST /v2/token (jwt-bearer grant)."

    def authenticate(self, request, token):
        session = credentials.session_for(request, token)
        if session is not None:
            request.jackpot_session = session
            request.jackpot_partner = session.partner
        return session


class PartnerApiKey(APIKeyHeader):
    """`apikey: jpk_…`, for the partner's own servers."""

    param_name = "apikey"
    openapi_description = "The partner's API key, server to server only."

    def authenticate(self, request, key):
        partner = credentials.partner_for_api_key(request, key)
        if partner is not None:
            request.jackpot_session = None
            request.jackpot_partner = partner
        return partner


class PartnerBearer(HttpBearer):
    """`Authorization: Bearer jpt_…`, from the client_credentials grant of `POST /v2/token`."""

    openapi_description = "Partner access token from POST /v2/token (client_credentials grant)."

    def authenticate(self, request, token):
        partner = credentials.partner_for_access_token(request, token)
        if partner is not None:
            request.jackpot_session = None
            request.jackpot_partner = partner
        return partner


session_auth = SessionBearer()
apikey_auth = PartnerApiKey()
partner_bearer = PartnerBearer()
# What a partner's own servers may use: its apikey or a client_credentials access token.
partner_auth = [apikey_auth, partner_bearer]
