from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "jackpot.vouchers"
    label = "vouchers"
