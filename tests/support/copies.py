"""Many vouchers at once, for the plans that only show with more than a handful of rows.

On a few rows every plan costs the same and PostgreSQL's choice between two indexes, or between
an ordered index scan and a sort, is a coin toss; with a few thousand rows and fresh statistics
the index that gives a query its order wins, as it does on a big database.
"""

import copy
import uuid
from datetime import datetime, timedelta

from django.db import connection

from jackpot.vouchers.models import Voucher


def voucher_copies(
    voucher: Voucher, count: int, moment_field: str, start: datetime, tag: str = "C"
) -> None:
    """`count` copies of `voucher` (new ids, coupon ids starting with `tag` and keys, no
    session), `moment_field` a minute earlier each from `start`; then the table's statistics
    are brought up to date."""

    def copy_of(n: int) -> Voucher:
        row = copy.copy(voucher)
        row.id, row.session_id = uuid.uuid4(), None
        row.coupon_id, row.notification_key = f"{tag}{n:09d}", f"copy-{tag}-{n}"
        setattr(row, moment_field, start - timedelta(minutes=n))
        return row

    Voucher.objects.bulk_create(copy_of(n) for n in range(count))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Voucher._meta.db_table}")
