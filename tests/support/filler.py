"""Rows around a test's own on PostgreSQL, so that the planner sees tables where an index pays.

On a table of three rows every plan costs nothing and the planner's choice says little; with a
few thousand rows and their statistics it picks what it picks on ten million (an index lookup
over a walk of the table). `fill` clones the first voucher of the test `n` times, each with its
journal event, PDF job, code, notification and delivery, session, token burn and ledger
transaction, all with keys of their own ("filler-…"), then runs ANALYZE.
"""

from django.db import connection

_FILLERS = "SELECT * FROM vouchers_voucher WHERE notification_key LIKE 'filler-%%'"

STATEMENTS = [
    """INSERT INTO vouchers_voucher (id, coupon_id, partner_id, store_id, campaign_id, session_id,
        offer_id, mode, state, value, price, rate, currency, notification_key, user_id,
        custom_transaction_id, email, reservation_date, resa_expire_date, validity_date,
        payment_state, wallet_operation_id)
    SELECT gen_random_uuid(), 'F' || lpad(g::text, 9, '0'), partner_id, store_id, campaign_id,
        NULL, offer_id, mode, 'EXPIRED', value, price, rate, currency, 'filler-' || g,
        'filler-user-' || g, '', '', reservation_date - g * interval '1 hour', resa_expire_date,
        validity_date, '', ''
    FROM (SELECT * FROM vouchers_voucher ORDER BY reservation_date LIMIT 1) AS first_voucher
    CROSS JOIN generate_series(1, %(n)s) AS g""",
    f"""INSERT INTO vouchers_voucherevent (voucher_id, at, actor, from_state, to_state, reason,
        code, params)
    SELECT id, reservation_date, 'filler', '', 'EXPIRED', '', 'expired', '{{}}'
    FROM ({_FILLERS}) AS v""",
    f"""INSERT INTO vouchers_deliveryjob (voucher_id, kind, status, attempts, next_attempt_at,
        last_error, created_at, updated_at, done_at, request_id)
    SELECT id, 'pdf', 'done', 0, reservation_date, '', reservation_date, reservation_date,
        reservation_date, 'filler-' || coupon_id FROM ({_FILLERS}) AS v""",
    f"""INSERT INTO vouchers_code (store_id, source, code, pin, value, currency, state, voucher_id,
        created_at, issued_at, redeemed_by)
    SELECT store_id, 'generated', 'FILLER-' || coupon_id, '', value, currency, 'issued', id,
        reservation_date, reservation_date, '' FROM ({_FILLERS}) AS v""",
    f"""INSERT INTO webhooks_outboxevent (id, partner_id, event, notification_key, payload,
        created_at, request_id)
    SELECT gen_random_uuid(), partner_id, 'coupon/expired', notification_key, '{{}}',
        reservation_date, 'filler-' || coupon_id FROM ({_FILLERS}) AS v""",
    """INSERT INTO webhooks_delivery (event_id, partner_id, url, status, attempts, schedule_step,
        next_attempt_at, last_error, created_at, updated_at)
    SELECT id, partner_id, 'https://filler.example/', 'delivered', 1, 0, created_at, '',
        created_at, created_at
    FROM webhooks_outboxevent WHERE notification_key LIKE 'filler-%%'""",
    f"""INSERT INTO tokens_session (id, partner_id, credential_digest, amount, currency, claims,
        notification_key, user_id, postcode, gender, force_manual_confirm, email,
        custom_transaction_id, origin, created_at, expires_at, closed_at)
    SELECT gen_random_uuid(), partner_id, md5(coupon_id), 10, currency, '{{}}', notification_key,
        user_id, '', '', false, '', '', '', reservation_date, reservation_date, reservation_date
    FROM ({_FILLERS}) AS v""",
    f"""INSERT INTO tokens_tokenburn (partner_id, digest, burned_at)
    SELECT partner_id, md5(coupon_id) || md5(notification_key), reservation_date
    FROM ({_FILLERS}) AS v""",
    f"""INSERT INTO ledger_transaction (id, kind, reference, description, created_by, created_at)
    SELECT gen_random_uuid(), 'voucher_payment', 'voucher:' || id, '', 'filler', reservation_date
    FROM ({_FILLERS}) AS v""",
]


def fill(n: int = 2000) -> None:
    """`n` rows of each growing table beside the test's (needs one voucher), then ANALYZE."""
    with connection.cursor() as cursor:
        for statement in STATEMENTS:
            cursor.execute(statement, {"n": n})
        cursor.execute("ANALYZE")
