"""What the seed platform answers, which partners already read: the voucher object's fields."""

SEED_VOUCHER_FIELDS = {
    "id",
    "state",
    "value",
    "initialAmount",
    "reservationDate",
    "validityDate",
    "resaExpireDate",
    "couponId",
    "confirmDate",
    "paymentState",
    "customTransactionId",
    "backUrl",
    "walletOperationId",
    "sendDate",
    "url",
}
