from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jackpot.ledger"
    label = "ledger"
