"""What the platform holds about one of a partner's users: the answer to a right-of-access
request (`GET /v2/users/{userId}/personal-data`, the portal's download, `jackpot users show`).

Everything found under the partner's userId: its vouchers (the voucher object, with the e-mail
the token gave), the sessions its tokens opened (their personal claims as received), and the
notifications kept about its vouchers (as they were sent). Another partner's user of the same
userId is another person: never part of the answer. Once erased, nothing is found any more.
"""

from django.utils import timezone

from jackpot.core.formats import amount, iso
from jackpot.partners.models import Partner
from jackpot.tokens.models import Session
from jackpot.vouchers.models import NEWEST, PersonalDataErasure, Voucher
from jackpot.vouchers.personal_data import subject_digest
from jackpot.vouchers.representation import voucher_object
from jackpot.webhooks import forgetting


def _session(session: Session) -> dict:
    return {
        "id": str(session.id),
        "createdAt": iso(session.created_at),
        "expiresAt": iso(session.expires_at),
        "closedAt": iso(session.closed_at),
        "amount": amount(session.amount),
        "currency": session.currency,
        "notificationKey": session.notification_key,
        "userId": session.user_id or None,
        "cp": session.postcode or None,
        "age": session.age,
        "gender": session.gender or None,
        "email": session.email or None,
        "origin": session.origin or None,
    }


def held_about(partner: Partner, user_id: str) -> dict:
    """Everything held about the partner's user `user_id`, as one JSON document."""
    vouchers = list(
        Voucher.objects.select_related("partner", "store")
        .filter(partner=partner, user_id=user_id)
        .order_by(*NEWEST)
    )
    sessions = list(
        Session.objects.filter(partner=partner, user_id=user_id).order_by("-created_at", "-id")
    )
    events = forgetting.held(partner.pk, [v.notification_key for v in vouchers])
    erasures = PersonalDataErasure.objects.filter(
        partner=partner, subject_digest=subject_digest(partner.pk, user_id)
    ).order_by("-at", "-id")
    return {
        "userId": user_id,
        "partnerId": partner.pk,
        "generatedAt": iso(timezone.now()),
        "vouchers": [{**voucher_object(v), "email": v.email or None} for v in vouchers],
        "sessions": [_session(s) for s in sessions],
        "notifications": [
            {
                "id": str(e.id),
                "event": e.event,
                "createdAt": iso(e.created_at),
                "notificationKey": e.notification_key,
                "payload": e.payload,
            }
            for e in events
        ],
        "erasures": [{"at": iso(e.at), "vouchers": e.vouchers} for e in erasures[:20]],
    }
