"""The public API (SPEC §9): one NinjaAPI under /v2 with its OpenAPI schema and docs."""

from jackpot import __version__
from jackpot.api import (
    handlers,
    merchant_routes,
    pdf_routes,
    store_routes,
    token_routes,
    user_routes,
    voucher_routes,
    wallet_routes,
)
from jackpot.api.openapi import JackpotAPI

api = JackpotAPI(
    title="Jackpot API",
    version=__version__,
    description=(
        "Turn an amount your user holds into a store voucher worth more. Exchange your one-time "
        "partner JWT at `POST /v2/token`, list the offers, reserve a voucher; confirm and cancel "
        "with your `apikey`. Errors are RFC 9457 problem documents with a stable `code`."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
handlers.install(api)
api.add_router("", token_routes.router)
api.add_router("", store_routes.router)
api.add_router("", voucher_routes.router)
api.add_router("", wallet_routes.router)
api.add_router("", pdf_routes.router)
api.add_router("", merchant_routes.router)
api.add_router("", user_routes.router)
