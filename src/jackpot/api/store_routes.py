"""The catalogue as a session sees it: stores, proposed vouchers, offers, and reservation."""

from django.utils import timezone
from ninja import Router

from jackpot.api.auth import session_auth
from jackpot.api.responses import json_answer
from jackpot.api.schemas import (
    OfferOut,
    ProblemOut,
    ProposedVouchers,
    ReserveByPrice,
    ReserveByValue,
    StoreList,
    StoreVouchers,
    VoucherOut,
)
from jackpot.catalog import offers as catalog_offers
from jackpot.catalog.models import Store
from jackpot.catalog.representation import offer_object, quote_object, store_object
from jackpot.core.formats import amount
from jackpot.core.problems import Problem
from jackpot.core.proxies import request_client
from jackpot.tokens.models import Session
from jackpot.vouchers import reservation
from jackpot.vouchers.representation import voucher_object

router = Router(tags=["Catalogue"], auth=session_auth)
ERRORS = {401: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def live_session(request) -> Session:
    session: Session = request.jackpot_session
    if not session.is_live():
        raise Problem(
            "session-closed",
            "The session is over",
            401,
            "A session ends after one hour or with its reservation; exchange a new token.",
        )
    return session


def _store_vouchers(store: Store, store_offers, budget) -> dict:
    quotes = catalog_offers.store_vouchers(store_offers, budget)
    return {"store": store_object(store), "vouchers": [quote_object(o, q) for o, q in quotes]}


@router.get("/stores", response={200: StoreList, **ERRORS}, summary="Stores with their best offer")
def list_stores(request):
    """Every store with an offer for this session, each with the offer giving the most value."""
    session = live_session(request)
    found = catalog_offers.offers_for(reservation.audience(session), timezone.now())
    best = catalog_offers.best_by_store(found, session.amount)
    items = [{**store_object(o.store), "bestOffer": quote_object(o, q)} for o, q in best]
    return json_answer(
        {
            "amount": amount(session.amount),
            "currency": session.currency,
            "count": len(items),
            "items": items,
        }
    )


@router.get(
    "/stores/proposed-vouchers",
    response={200: ProposedVouchers, **ERRORS},
    summary="Every voucher this session can take, store by store",
)
def all_proposed_vouchers(request):
    """Each store's vouchers as `/stores/{storeId}/proposed-vouchers` lists them."""
    session = live_session(request)
    by_store: dict[str, list] = {}
    for offer in catalog_offers.offers_for(reservation.audience(session), timezone.now()):
        by_store.setdefault(offer.store.id, []).append(offer)
    items = [_store_vouchers(o[0].store, o, session.amount) for o in by_store.values()]
    return json_answer(
        {
            "amount": amount(session.amount),
            "currency": session.currency,
            "items": [i for i in items if i["vouchers"]],
        }
    )


@router.get(
    "/stores/{store_id}/proposed-vouchers",
    response={200: StoreVouchers, **ERRORS},
    summary="Every voucher of one store this session can take",
)
def store_proposed_vouchers(request, store_id: str):
    """The vouchers of the store this session can take, ascending by value, one per value:
    every accepted value whose price is within the session amount and whose bonus the campaign
    can still fund, except a value that the same price (or less) buys a larger voucher of. Of
    a mixed campaign's two offers, the one asking less for a value gives it."""
    session = live_session(request)
    store = Store.objects.filter(pk=store_id, enabled=True).first()
    if store is None:
        raise Problem("store-not-found", "Store not found", 404, f"No store {store_id!r}.")
    store_offers = catalog_offers.offers_for(
        reservation.audience(session), timezone.now(), store_id
    )
    return json_answer(_store_vouchers(store, store_offers, session.amount))


@router.get(
    "/stores/{store_id}/offers/{offer_id}",
    response={200: OfferOut, **ERRORS},
    summary="One offer in detail",
    by_alias=True,
)
def offer_detail(request, store_id: str, offer_id: str):
    session = live_session(request)
    offer = catalog_offers.find_offer(store_id, offer_id, reservation.audience(session))
    return offer_object(offer, session.amount)


def _reserve(request, store_id, offer_id, by, amount_, custom_transaction_id):
    session: Session = request.jackpot_session
    result = reservation.reserve(
        session,
        store_id,
        offer_id,
        by=by,
        amount=amount_,
        custom_transaction_id=custom_transaction_id,
        client_address=request_client(request),
    )
    return json_answer(voucher_object(result.voucher), status=201 if result.created else 200)


RESERVE_DOC = (
    "Reserves a voucher in this session: re-prices the offer, checks the price against the "
    "session amount and the campaign's budget, and creates the voucher `RESERVED` (or "
    "`CONFIRMED` at once when the partner confirms automatically). The session then ends. "
    "A second reservation with the same notificationKey returns the first voucher (200).\n\n"
    'The partner\'s abuse limits (README, "Abuse limits") are checked here; a refusal writes '
    "nothing and leaves the session open: `user-limit-reached` (409) names the limit "
    "(`limit`: `vouchers` or `amount`, `window`: `day` or `month`, `maximum`, `resetsAt`, and "
    "`remaining` for the amount), `address-limit-reached` (429, `Retry-After`) the client "
    "address's reservations this hour."
)
RESERVE_RESPONSES = {
    409: {
        "description": "`session-closed`, `offer-exhausted`, or `user-limit-reached`: this "
        "userId reached one of the partner's limits (vouchers a day or a month, amount a month)."
    },
    429: {
        "description": "`address-limit-reached`: the partner's limit of reservations per client "
        "address per hour is reached, see `Retry-After`; or `rate-limited`."
    },
}
# What both ways of reserving answer and how the API reference presents them.
RESERVE = {
    "response": {201: VoucherOut, 200: VoucherOut, **ERRORS, 429: ProblemOut},
    "description": RESERVE_DOC,
    "tags": ["Reservation"],
    "openapi_extra": {"responses": RESERVE_RESPONSES},
}


@router.post(
    "/stores/{store_id}/offers/{offer_id}/reserve-voucher-by-price",
    summary="Reserve the voucher a price buys",
    **RESERVE,
)
def reserve_by_price(request, store_id: str, offer_id: str, payload: ReserveByPrice):
    return _reserve(
        request, store_id, offer_id, "price", payload.price, payload.customTransactionId
    )


@router.post(
    "/stores/{store_id}/offers/{offer_id}/reserve-voucher-by-value",
    summary="Reserve a voucher of a given value",
    **RESERVE,
)
def reserve_by_value(request, store_id: str, offer_id: str, payload: ReserveByValue):
    return _reserve(
        request, store_id, offer_id, "value", payload.value, payload.customTransactionId
    )
