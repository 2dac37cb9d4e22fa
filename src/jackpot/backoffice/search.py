"""The operator admin's search on big tables: exact keys, each found through its index.

Django's search compiles `=coupon_id` to `UPPER(coupon_id) = UPPER(q)`, which no index serves,
and a plain field to `ILIKE '%q%'`, which reads every row. The operator searches for a key they
were given (a couponId, a voucher or event id, a partner's notificationKey, a userId, the id of a
request in the logs, a code), so each `=field` of `search_fields` is matched exactly:

- a word of the search is tried against every field it can be: a UUID field only takes a UUID,
  a number field a number, a text field a word no longer than its column; several words (or
  "quoted words") find the rows matching any of them;
- letters follow the rule of the column they are compared with (`KEYS`): couponIds are stored
  in capitals and a digest in small letters, so `abcdefghij` finds `ABCDEFGHIJ`; other keys are
  stored as the partner sent them and match as typed;
- a key unique per partner (or per store) is indexed behind the partner: the search asks for
  every partner at once (`partner_id IN (…)`, one index descent each: there are few partners), so
  no index is built for the admin alone;
- each field is its own query, and the page lists the rows those queries found (`pk IN (…)`):
  an `OR` across fields, or across a join, would make the database read the whole table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.text import smart_split, unescape_string_literal

MAX_WORDS = 20


@dataclass(frozen=True)
class Key:
    """How a key column holds its values: their case, and the column its index starts with."""

    case: Callable[[str], str] | None = None
    scope: str = ""  # a foreign key to a small table (partners, stores) leading the index

    def value(self, field, word: str):
        """`word` as the column holds it, or None when the column cannot hold it."""
        if self.case:
            word = self.case(word)
        try:
            value = field.to_python(word)
            field.run_validators(value)  # too long for the column, out of an integer's range
        except ValidationError:
            return None
        return value


# The keys whose case or index needs a rule (model label . field); any other key is matched as
# typed, through an index of its own (primary keys, unique columns, `request_id`).
KEYS = {
    "vouchers.voucher.coupon_id": Key(case=str.upper),  # ten capital letters
    "vouchers.voucher.notification_key": Key(scope="partner"),  # unique per partner
    "vouchers.voucher.user_id": Key(scope="partner"),
    "vouchers.code.code": Key(scope="store"),  # unique per store
    "webhooks.outboxevent.notification_key": Key(scope="partner"),
    "tokens.session.notification_key": Key(scope="partner"),
    "tokens.tokenburn.digest": Key(case=str.lower, scope="partner"),  # hexadecimal SHA-256
}
AS_TYPED = Key()


def exact(queryset, search_fields, search_term: str, limit: int):
    """`queryset` narrowed to the rows whose key is one of the words of `search_term`.

    Each field yields at most `limit + 1` rows (a paginator bound to `limit` then says "more
    than"); the page shows them in the list's order.
    """
    words = _words(search_term)
    if not words:
        return queryset
    found = []
    for name in search_fields:
        if not name.startswith("="):
            raise ImproperlyConfigured(f"{name!r}: a big list searches exact keys only ('=field')")
        path = name[1:]
        field = get_fields_from_path(queryset.model, path)[-1]
        key = KEYS.get(f"{field.model._meta.label_lower}.{field.name}", AS_TYPED)
        values = {value for word in words if (value := key.value(field, word)) is not None}
        if not values:
            continue
        rows = queryset.filter(**{f"{path}__in": values})
        if key.scope:
            prefix = path.rpartition("__")[0]
            scope = f"{prefix}__{key.scope}" if prefix else key.scope
            holders = field.model._meta.get_field(key.scope).related_model
            every = list(holders._default_manager.values_list("pk", flat=True))
            rows = rows.filter(**{f"{scope}__in": every})
        # No ORDER BY: the database reads the key's index, not the list's order.
        found.extend(rows.order_by().values_list("pk", flat=True)[: limit + 1])
    return queryset.filter(pk__in=found)


def _words(search_term: str) -> list[str]:
    words = []
    for bit in smart_split(search_term):
        if bit[:1] in "\"'" and bit[-1:] == bit[:1] and len(bit) > 1:
            bit = unescape_string_literal(bit)
        if bit.strip():
            words.append(bit.strip())
    return words[:MAX_WORDS]
