"""The coupon list's search box: exact identifiers, each found through an index.

What a partner looks a voucher up by is an identifier it holds, typed or pasted whole:

- a couponId: ten letters (the platform writes them in capitals; any case is accepted) — the
  voucher with that couponId (`coupon_id`'s unique index);
- a voucher id: a UUID, as the voucher's page address shows it — that voucher (primary key);
- anything, the two above included: the voucher with that notificationKey (unique per partner),
  the vouchers of that userId, or with that customTransactionId (the partner's transaction id),
  exactly as the partner sent them (case and spaces inside count; spaces around are dropped).

The shape of the text decides which of the first two is tried; the last three always are, as a
partner's own keys may look like anything (a notificationKey may well be a UUID). Each is an
equality on an index that starts with the partner (`Voucher.Meta.indexes`), so PostgreSQL reads
the few matching rows through a bitmap of those indexes, whatever the partner's size.

No substring search: `ILIKE '%q%'` can use no B-tree index and read each of the partner's rows
(3.4 s at 3 million vouchers); a trigram index would serve it but costs pg_trgm, an index as big
as the columns it covers, and slower writes, for a way of searching nobody needs to find a
voucher by an identifier they hold.
"""

import re
import uuid

from django.db.models import Q

COUPON_ID = re.compile(r"[A-Za-z]{10}")


def matching(text: str) -> Q:
    """The vouchers `text` names (already stripped and non-empty); see the module's docstring."""
    found = Q(notification_key=text) | Q(user_id=text) | Q(custom_transaction_id=text)
    if COUPON_ID.fullmatch(text):
        found |= Q(coupon_id=text.upper())
    try:
        found |= Q(pk=uuid.UUID(text))
    except ValueError:
        pass
    return found
