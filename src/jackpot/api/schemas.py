"""Request and response bodies of the public API, spelled as the partner contract spells them."""
# ruff: noqa: N815 - field names are the contract's camelCase

import math
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

# A JSON number with at most two decimals (110, 52.48): computed as Decimal, written at the edge.
Money = int | float

# An amount in a string, tolerated as JSON writes a number: ASCII digits and a dot. Python's
# Decimal (which pydantic uses) would also read `100_0` as 1000, `1e2`, and other scripts' digits.
_AMOUNT_TEXT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _amount_in(value):
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, float):
        return Decimal(repr(value))  # its shortest form: 52.48 stays 52.48
    if isinstance(value, str) and not _AMOUNT_TEXT.fullmatch(value):
        raise ValueError("must be a number with at most 2 decimals")
    return value


# A money amount in a request body: a JSON number, > 0, at most 2 decimals.
MoneyIn = Annotated[Decimal, BeforeValidator(_amount_in)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class TokenRequest(Strict):
    grant_type: Literal["urn:ietf:params:oauth:grant-type:jwt-bearer", "client_credentials"] = (
        Field(
            JWT_BEARER,
            description="`urn:ietf:params:oauth:grant-type:jwt-bearer` (the default, as the "
            "widget sends it) for a session, or `client_credentials` for a partner token.",
        )
    )
    client_id: str | None = Field(None, max_length=64, description="Your partner id.")
    assertion: str | None = Field(None, max_length=8192, description="The partner JWT.")
    token: str | None = Field(None, max_length=8192, description="Same as assertion (widget form).")
    client_secret: str | None = Field(None, max_length=200, description="client_credentials only.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"grant_type": JWT_BEARER, "client_id": "demo", "assertion": "eyJhbGciOi…"},
                {"grant_type": "client_credentials", "client_id": "demo", "client_secret": "jcs_…"},
            ]
        },
    )


class SessionOut(Schema):
    id: str
    partnerId: str
    livemode: bool = Field(
        description="false when the token was signed with a test apiSignature: a test session."
    )
    amount: Money
    currency: str
    notificationKey: str
    userId: str | None
    expiresAt: str


class TokenResponse(Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: Literal["session", "partner"]
    session: SessionOut | None = Field(None, description="The session opened (jwt-bearer only).")


class Logos(Schema):
    small: str | None
    medium: str | None
    large: str | None


class StoreOut(Schema):
    id: str
    name: str
    slug: str
    description: str
    mentions: str
    baseColor: str
    logos: Logos
    monogram: str = Field(
        description="The letters that stand for the store where it has no logo: the widget "
        "shows them, the voucher PDF prints the same."
    )
    illustration: str | None
    categories: list[str]
    online: bool
    inStore: bool
    shippingTime: str
    validityMonths: int
    voucherValueMin: Money | None
    voucherValueMax: Money | None
    voucherValueStep: Money | None
    voucherPossibleDiscreteValues: list[Money]


class QuoteOut(Schema):
    offerId: str
    mode: Literal["majoration", "minoration"]
    price: Money = Field(description="What the user converts (paid by the partner).")
    value: Money = Field(description="What the voucher is worth.")
    bonus: Money = Field(description="value − price, funded by the store.")
    rate: str = Field(description='The tier rate applied, as a decimal string ("0.08").')


class StoreWithOffer(StoreOut):
    bestOffer: QuoteOut


class StoreList(Schema):
    amount: Money
    currency: str
    count: int
    items: list[StoreWithOffer]


class StoreVouchers(Schema):
    store: StoreOut
    vouchers: list[QuoteOut]


class ProposedVouchers(Schema):
    amount: Money
    currency: str
    items: list[StoreVouchers]


class TierOut(Schema):
    from_: Money = Field(alias="from")
    rate: str


class OfferOut(Schema):
    id: str
    storeId: str
    store: StoreOut
    mode: Literal["majoration", "minoration"]
    campaignMode: Literal["majoration", "minoration", "mixed"]
    tiers: list[TierOut]
    rounding: Literal["cent", "euro"]
    start: str
    end: str | None
    bestVoucher: QuoteOut | None
    vouchers: list[QuoteOut]


class ReserveByPrice(Strict):
    price: MoneyIn = Field(gt=0, max_digits=12, decimal_places=2, description="Amount to convert.")
    customTransactionId: str | None = Field(None, max_length=128)


class ReserveByValue(Strict):
    value: MoneyIn = Field(gt=0, max_digits=12, decimal_places=2, description="Voucher value.")
    customTransactionId: str | None = Field(None, max_length=128)


class CancelRequest(Strict):
    reason: str | None = Field(None, max_length=300)


class VoucherOut(Schema):
    id: str
    state: str
    value: Money
    initialAmount: Money
    price: Money
    bonus: Money
    currency: str
    reservationDate: str
    validityDate: str
    resaExpireDate: str
    couponId: str
    confirmDate: str | None
    canceledDate: str | None
    paymentState: Literal["DUE", "WAITING", "PAID"] | None = Field(
        description="DUE (owed), WAITING (on an unpaid statement) or PAID; null before "
        "confirmation and once REFUNDED (nothing owed, nothing left paid)."
    )
    customTransactionId: str | None
    backUrl: str | None
    walletOperationId: str | None
    sendDate: str | None
    url: str | None
    notificationKey: str
    userId: str | None
    storeId: str
    storeName: str
    offerId: str
    livemode: bool = Field(
        description="false for a test voucher (test credentials): no budget, wallet, statement "
        "or code pool touched, a fake TEST- code and a SPECIMEN PDF."
    )
    personalDataErasedAt: str | None = Field(
        None,
        description="When the user's personal data (userId, e-mail, the token's targeting "
        "claims) was erased, on your request or after the retention period; null while kept.",
    )


class VoucherPage(Schema):
    items: list[VoucherOut]
    nextCursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    hasMore: bool


class RefundRequest(Strict):
    reason: str | None = Field(None, max_length=300)


class ProblemOut(Schema):
    type: str
    code: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict] | None = None
