"""The coupon list as CSV: the filtered list, streamed, safe to open in a spreadsheet."""

import csv

from jackpot.core.formats import iso

COLUMNS = [
    "couponId",
    "id",
    "state",
    "storeId",
    "storeName",
    "value",
    "price",
    "bonus",
    "currency",
    "reservationDate",
    "confirmDate",
    "canceledDate",
    "resaExpireDate",
    "validityDate",
    "paymentState",
    "notificationKey",
    "userId",
    "customTransactionId",
]
# A cell a spreadsheet would read as a formula is prefixed with a quote (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(v) -> list[str]:
    return [
        cell(x)
        for x in (
            v.coupon_id,
            v.pk,
            v.state,
            v.store_id,
            v.store.name,
            v.value,
            v.price,
            v.bonus,
            v.currency,
            iso(v.reservation_date),
            iso(v.confirm_date),
            iso(v.canceled_date),
            iso(v.resa_expire_date),
            iso(v.validity_date),
            v.payment_state,
            v.notification_key,
            v.user_id,
            v.custom_transaction_id,
        )
    ]


class _Echo:
    def write(self, value):
        return value


def stream(vouchers):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so that spreadsheets read UTF-8 (store names with accents)
    yield writer.writerow(COLUMNS)
    for voucher in vouchers.select_related("store").iterator(chunk_size=500):
        yield writer.writerow(row(voucher))
