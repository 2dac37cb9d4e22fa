"""A user's personal data: what it is, where it is kept, and how it is erased (SPEC §13).

The one place that decides it, called by the API (`/v2/users/{userId}/…`), the portal's
"Personal data" page, the CLI (`jackpot users`) and the worker's retention step alike.

**What is personal.** What a partner's token said about its user: `userId`, `cp` (postcode),
`age`, `gender` and `email`. A voucher copies `userId` and `email`; its session keeps all five
(as fields and in the token's claims); the notifications carry the voucher object, whose
`userId` they hold. What the accounts need is not personal and is always kept: amounts, dates,
states, the store, the ids (voucher, couponId, the partner's notificationKey and
customTransactionId, which are the partner's own transaction references), the journal, the
ledger, statements.

**Erasing** blanks those fields on the vouchers and their sessions (claims included), nulls
`userId` in the notifications kept about the vouchers and takes the erased values out of the
text kept around them (a reason typed in the journal, a partner's answer to a notification),
all in one transaction. The voucher is marked (`personal_data_erased_at`); each erasure leaves
an audit entry (`PersonalDataErasure`) that holds none of the data.

**Retention.** A voucher is *closed* once nothing more can happen to it for its user:
CANCELED, EXPIRED or REFUNDED at its last change; READY, SENT or REFUND_REJECTED (the user may
still spend it) when its validity date passed. `JACKPOT_PERSONAL_DATA_RETENTION_DAYS` (365)
after it closed, with no change since, the worker erases it; a session's own data goes that
long after the session expired (unless its voucher is still RESERVED). Open vouchers (RESERVED,
CONFIRMED, REFUNDING) are never erased by retention, only on request.
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jackpot.core.problems import Problem
from jackpot.core.pruning import UNTIL_DONE, Budget, cutoff, delete_in_batches
from jackpot.core.redaction import without_values
from jackpot.partners.models import Partner
from jackpot.tokens.claims import is_user_id
from jackpot.tokens.models import Session
from jackpot.vouchers.models import (
    DeliveryJob,
    ErasureReason,
    PersonalDataErasure,
    State,
    Voucher,
    VoucherEvent,
)
from jackpot.webhooks import forgetting

RETENTION_SETTING = "JACKPOT_PERSONAL_DATA_RETENTION_DAYS"
# The token claims that are personal (SPEC §2), as the session's `claims` keeps them.
PERSONAL_CLAIMS = ("userId", "cp", "age", "gender", "email")
# The personal fields of the voucher object (`vouchers.representation`), in notifications.
NOTIFIED_FIELDS = ("userId",)
# Blank values of the personal fields, as an erased row holds them.
VOUCHER_BLANK = {"user_id": "", "email": ""}
SESSION_BLANK = {"user_id": "", "postcode": "", "age": None, "gender": "", "email": ""}
# Closed at their last change: nothing more can happen to them.
CLOSED_STATES = (State.CANCELED, State.EXPIRED, State.REFUNDED)
# Closed when their validity date passed: until then the user may spend them.
SPENDABLE_STATES = (State.READY, State.SENT, State.REFUND_REJECTED)
# A session holds personal data while one of these is set.
SESSION_HOLDS = (
    ~Q(user_id="") | ~Q(postcode="") | Q(age__isnull=False) | ~Q(gender="") | ~Q(email="")
)

REQUEST = ErasureReason.REQUEST
RETENTION = ErasureReason.RETENTION


@dataclass(frozen=True)
class Erased:
    """How many records one erasure changed."""

    vouchers: int = 0
    sessions: int = 0
    notifications: int = 0

    def __add__(self, other: "Erased") -> "Erased":
        return Erased(
            self.vouchers + other.vouchers,
            self.sessions + other.sessions,
            self.notifications + other.notifications,
        )

    def as_dict(self) -> dict:
        return {
            "vouchers": self.vouchers,
            "sessions": self.sessions,
            "notifications": self.notifications,
        }


def checked_user_id(value) -> str:
    """`value` if it is a userId a token may carry, else the problem every entry point gives."""
    if not is_user_id(value):
        message = "must be 1 to 128 printable characters, as the token's userId claim"
        raise Problem(
            "invalid-user-id",
            "The userId is not valid",
            422,
            f"userId: {message}",
            errors=[{"field": "userId", "message": message}],
        )
    return value


def subject_digest(partner_id: str, user_id: str) -> str:
    """A keyed digest naming a user in the audit log without the userId itself."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{partner_id}\x00{user_id}".encode(), hashlib.sha256).hexdigest()


# --- erasing --------------------------------------------------------------------------------


def _erase_sessions(sessions: list[Session]) -> tuple[int, set[str]]:
    """Blank the sessions' personal fields and claims; how many held any, and the values."""
    values: set[str] = set()
    changed = 0
    for session in sessions:
        claims = session.claims if isinstance(session.claims, dict) else {}
        kept = {k: v for k, v in claims.items() if k not in PERSONAL_CLAIMS}
        held = any(getattr(session, f) not in ("", None) for f in SESSION_BLANK) or kept != claims
        if not held:
            continue
        values.update(str(claims[k]) for k in ("userId", "email") if claims.get(k))
        values.update(v for v in (session.user_id, session.email) if v)
        Session.objects.filter(pk=session.pk).update(claims=kept, **SESSION_BLANK)
        changed += 1
    return changed, values


def _erase_from_journal(voucher_ids: list, values: set[str]) -> None:
    """Take the erased values out of what people typed in the vouchers' journal, and out of
    the last error of their mail jobs (a mail server's refusal names the address)."""
    if not values:
        return
    for job in DeliveryJob.objects.filter(voucher_id__in=voucher_ids).exclude(last_error=""):
        cleaned = without_values(job.last_error, values)
        if cleaned != job.last_error:
            DeliveryJob.objects.filter(pk=job.pk).update(last_error=cleaned)
    for event in VoucherEvent.objects.filter(voucher_id__in=voucher_ids):
        reason = without_values(event.reason, values)
        params = {
            k: without_values(v, values) if isinstance(v, str) else v
            for k, v in (event.params or {}).items()
        }
        if reason != event.reason or params != event.params:
            VoucherEvent.objects.filter(pk=event.pk).update(reason=reason, params=params)


def erase_vouchers(vouchers: list[Voucher], now: datetime) -> Erased:
    """Erase the personal data of `vouchers` (locked by the caller, inside its transaction),
    of their sessions and of the notifications kept about them."""
    if not vouchers:
        return Erased()
    ids = [v.pk for v in vouchers]
    values = {v for voucher in vouchers for v in (voucher.user_id, voucher.email) if v}
    sessions, session_values = _erase_sessions(
        list(Session.objects.filter(pk__in=[v.session_id for v in vouchers if v.session_id]))
    )
    values |= session_values
    Voucher.objects.filter(pk__in=ids).update(personal_data_erased_at=now, **VOUCHER_BLANK)
    _erase_from_journal(ids, values)
    notifications = 0
    keys_by_partner: dict[str, list[str]] = {}
    for voucher in vouchers:
        keys_by_partner.setdefault(voucher.partner_id, []).append(voucher.notification_key)
    for partner_id, keys in keys_by_partner.items():
        notifications += forgetting.forget(partner_id, keys, NOTIFIED_FIELDS, values)
    held = sum(1 for v in vouchers if v.user_id or v.email or v.personal_data_erased_at is None)
    return Erased(held, sessions, notifications)


def _audit(partner_id: str, actor: str, reason: str, erased: Erased, digest: str = "") -> None:
    PersonalDataErasure.objects.create(
        partner_id=partner_id,
        at=timezone.now(),
        actor=actor[:100],
        reason=reason,
        subject_digest=digest,
        **erased.as_dict(),
    )


def erase_user(partner: Partner, user_id: str, actor: str) -> Erased:
    """Erase at once everything held about the partner's user `user_id`, open vouchers
    included, and record the request in the audit log. Asking again erases nothing more (the
    counts are 0) and is recorded again."""
    checked_user_id(user_id)  # a blank one would name every user without one
    now = timezone.now()
    with transaction.atomic():
        # Row locks in primary-key order: two erasures of one user never deadlock.
        vouchers = list(
            Voucher.objects.select_for_update(of=("self",))
            .filter(partner=partner, user_id=user_id)
            .order_by("pk")
        )
        erased = erase_vouchers(vouchers, now)
        mine = {v.session_id for v in vouchers}
        others = (
            Session.objects.select_for_update(of=("self",))
            .filter(partner=partner, user_id=user_id)
            .exclude(pk__in=mine)
            .order_by("pk")
        )
        sessions, _ = _erase_sessions(list(others))
        erased += Erased(sessions=sessions)
        _audit(partner.pk, actor, REQUEST, erased, subject_digest(partner.pk, user_id))
    return erased


# --- retention (run by the worker, `worker.pruning`) ----------------------------------------


def closed_before(before: datetime) -> QuerySet:
    """Vouchers not erased yet, closed before `before` and unchanged since, the oldest first
    (read through `voucher_personal_data_kept`)."""
    changed_since = VoucherEvent.objects.filter(voucher=OuterRef("pk"), at__gte=before)
    return (
        Voucher.objects.filter(personal_data_erased_at__isnull=True)
        .filter(
            Q(state__in=CLOSED_STATES) | Q(state__in=SPENDABLE_STATES, validity_date__lt=before)
        )
        .exclude(Exists(changed_since))
        .order_by("reservation_date")
    )


def expired_sessions_before(before: datetime) -> QuerySet:
    """Sessions that expired before `before` and still hold personal data, the oldest first;
    the session of a voucher still RESERVED is left (its voucher is open)."""
    reserved = Voucher.objects.filter(session=OuterRef("pk"), state=State.RESERVED)
    return (
        Session.objects.filter(expires_at__lt=before)
        .filter(SESSION_HOLDS)
        .exclude(Exists(reserved))
        .order_by("expires_at")
    )


def _erase_closed_batch(pks: list, now: datetime) -> int:
    vouchers = list(Voucher.objects.filter(pk__in=pks).order_by("pk"))
    by_partner: dict[str, list[Voucher]] = {}
    for voucher in vouchers:
        by_partner.setdefault(voucher.partner_id, []).append(voucher)
    for partner_id, theirs in by_partner.items():
        _audit(partner_id, "worker", RETENTION, erase_vouchers(theirs, now))
    return len(vouchers)


def _erase_sessions_batch(pks: list) -> int:
    sessions = list(Session.objects.filter(pk__in=pks).order_by("pk"))
    counts = Counter()
    for session in sessions:
        changed, _ = _erase_sessions([session])
        counts[session.partner_id] += changed
    for partner_id, n in counts.items():
        if n:
            _audit(partner_id, "worker", RETENTION, Erased(sessions=n))
    return sum(counts.values())


def erase_closed(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    """Erase the vouchers closed for the retention period, in locked batches (`core.pruning`:
    a voucher another transaction holds is left for the next run); returns how many."""
    before = cutoff(now, RETENTION_SETTING)
    return delete_in_batches(
        closed_before(before), budget, lambda pks: _erase_closed_batch(pks, now)
    )


def erase_expired_sessions(now: datetime, budget: Budget = UNTIL_DONE) -> int:
    """Erase the personal data of sessions expired for the retention period; returns how many."""
    before = cutoff(now, RETENTION_SETTING)
    return delete_in_batches(expired_sessions_before(before), budget, _erase_sessions_batch)
