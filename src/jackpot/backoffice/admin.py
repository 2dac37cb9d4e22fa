"""Registers every model of the operator admin: Django's autodiscovery imports this module, and
each domain's module registers its own models on `admin.site` as it is imported."""

from jackpot.backoffice import (  # noqa: F401
    catalog,
    codes,
    ledger,
    partners,
    site,
    statements,
    tokens,
    vouchers,
    webhooks,
)
