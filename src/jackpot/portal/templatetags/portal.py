from django import template
from django.utils.html import format_html

from jackpot.core import formatting

register = template.Library()


@register.filter
def money(value, currency="EUR"):
    return formatting.money(value, currency or "EUR")


@register.filter
def signed_money(value, currency="EUR"):
    text = formatting.money(abs(value), currency or "EUR")
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


STATE_TONES = {
    "RESERVED": "warning",
    "CONFIRMED": "info",
    "READY": "success",
    "SENT": "success",
    "CANCELED": "muted",
    "EXPIRED": "muted",
    "REFUNDING": "warning",
    "REFUNDED": "muted",
    "REFUND_REJECTED": "danger",
    "DUE": "warning",
    "WAITING": "info",
    "PAID": "success",
}


@register.simple_tag
def state_badge(state, label=None):
    from jackpot.portal.labels import state_label

    if not state:
        return format_html('<span class="badge badge-muted">—</span>')
    return format_html(
        '<span class="badge badge-{}">{}</span>',
        STATE_TONES.get(state, "muted"),
        label or state_label(state),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (pagination links keep filters)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return _query_string(query)


def _query_string(query) -> str:
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_query(context, page, which):
    """The query string of the page `which` ("first", "previous", "next", "last") of a keyset
    `paging.Page`: the current one with only that list's pagination parameters changed."""
    from jackpot.portal.paging import PARAMETERS

    query = context["request"].GET.copy()
    for name in (*(f"{page.prefix}{p}" for p in PARAMETERS), "page"):  # "page": the old links'
        query.pop(name, None)
    for key, value in page.link(which).items():
        query[key] = value
    return _query_string(query)


@register.filter
def mask(secret, keep=4):
    if not secret:
        return ""
    return f"{secret[:keep]}{'•' * 12}"


@register.simple_tag(takes_context=True)
def pending_total(context):
    """How many vouchers wait for the partner's confirmation (the sidebar's badge)."""
    from jackpot.portal.stats import pending_count

    partner = getattr(context["request"], "partner", None)
    return pending_count(partner) if partner is not None else 0


@register.filter
def transaction_label(kind):
    from jackpot.portal.labels import TRANSACTION_LABELS

    return TRANSACTION_LABELS.get(kind, kind)


@register.filter
def json_pretty(value):
    import json

    if value is None:
        return "—"
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)


DATETIME_FORMATS = {"fr": "d/m/Y H:i", "en": "j M Y, H:i"}
# To the second, with the time zone: a token's iat/exp/nbf are checked to the second.
INSTANT_FORMATS = {"fr": "d/m/Y H:i:s T", "en": "j M Y, H:i:s T"}
DATE_FORMATS = {"fr": "d/m/Y", "en": "j M Y"}


def _format(value, formats):
    from django.utils import timezone
    from django.utils.dateformat import format as date_format
    from django.utils.translation import get_language

    if not value:
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, formats.get((get_language() or "en")[:2], formats["en"]))


@register.filter
def when(value):
    """A date and time the way the active language writes them (24-hour clock)."""
    return _format(value, DATETIME_FORMATS)


@register.filter
def instant(value):
    """A date and time to the second, with its time zone, the way the active language writes it."""
    return _format(value, INSTANT_FORMATS)


@register.filter
def day(value):
    return _format(value, DATE_FORMATS)


@register.filter
def time_left(value):
    """'1 day', '5 hours': the largest unit only."""
    from django.utils.timesince import timeuntil

    return timeuntil(value, depth=1) if value else ""
