"""Voucher events become codes with parameters, worded in the reader's language when shown.

Before, the platform wrote English sentences into `reason` ("automatic confirmation", "reserved
by value", …) beside what people typed. Each sentence the platform ever wrote is recognised here
and turned into its code (`reason` emptied); any other text was a person's own words and stays
in `reason`, the event getting the code of its transition. The table is frozen here on purpose:
a migration must not follow later changes of `vouchers.journal`.

Bulk updates only (one per sentence, one per state): the journal may be large.
"""

from django.db import migrations, models

# The platform's sentences -> (code, params). "the notification endpoint answered <status>"
# carries its status and is matched by prefix.
SENTENCES = {
    "reserved by value": ("reserved", {"by": "value"}),
    "reserved by price": ("reserved", {"by": "price"}),
    "automatic confirmation": ("auto_confirmed", {}),
    "reservation expired": ("expired", {}),
    "codes taken and PDF made": ("delivered", {}),
    "PDF mailed to the user": ("mailed", {}),
    "canceled by the partner": ("canceled", {}),
    "canceled in the portal": ("canceled", {}),
    "refund requested by the partner": ("refund_requested", {}),
    "refund requested in the portal": ("refund_requested", {}),
    "refund accepted by the store": ("refund_accepted", {}),
    "refund refused by the store": ("refund_rejected", {}),
}
NOTIFICATION = "the notification endpoint answered "
# The code of an event whose reason is a person's words (or empty), from the state it reached.
BY_STATE = {
    "RESERVED": "reserved",
    "CONFIRMED": "confirmed",
    "CANCELED": "canceled",
    "EXPIRED": "expired",
    "READY": "delivered",
    "SENT": "mailed",
    "REFUNDING": "refund_requested",
    "REFUNDED": "refund_accepted",
    "REFUND_REJECTED": "refund_rejected",
}


def to_codes(apps, schema_editor):
    events = apps.get_model("vouchers", "VoucherEvent").objects
    for sentence, (code, params) in SENTENCES.items():
        events.filter(reason=sentence).update(code=code, params=params, reason="")
    answers = (
        events.filter(reason__startswith=NOTIFICATION)
        .values_list("reason", flat=True)
        .distinct()
    )
    for sentence in list(answers):
        status = sentence[len(NOTIFICATION) :]
        if status.isdigit():
            events.filter(reason=sentence).update(
                code="notification_confirmed", params={"status": int(status)}, reason=""
            )
    for state, code in BY_STATE.items():
        events.filter(code="", to_state=state).update(code=code)


def to_sentences(apps, schema_editor):
    """Back to the English sentences, for the events whose reason the platform wrote."""
    events = apps.get_model("vouchers", "VoucherEvent").objects
    for sentence, (code, params) in SENTENCES.items():
        if "by" in params:
            events.filter(code=code, params__by=params["by"], reason="").update(reason=sentence)
    first = {}
    for sentence, (code, params) in SENTENCES.items():
        if not params:
            first.setdefault(code, sentence)
    for code, sentence in first.items():
        events.filter(code=code, reason="").update(reason=sentence)
    answered = events.filter(code="notification_confirmed", reason="")
    for params in list(answered.values_list("params", flat=True).distinct()):
        status = (params or {}).get("status", "")
        answered.filter(params=params).update(reason=f"{NOTIFICATION}{status}")


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0008_indexes_match_queries"),
    ]

    operations = [
        migrations.AddField(
            model_name="voucherevent",
            name="code",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="voucherevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(to_codes, to_sentences),
    ]
