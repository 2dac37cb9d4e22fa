"""The voucher object of the partner contract (the seed's sample, SPEC §6.3)."""

from urllib.parse import urlencode

from jackpot.core.formats import amount, iso
from jackpot.vouchers import links
from jackpot.vouchers.models import Voucher


def back_url(voucher: Voucher) -> str | None:
    url = voucher.partner.notification_url
    if not url:
        return None
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'notificationKey': voucher.notification_key})}"


def voucher_object(voucher: Voucher) -> dict:
    return {
        "id": str(voucher.id),
        "state": voucher.state,
        "value": amount(voucher.value),
        "initialAmount": amount(voucher.price),
        "price": amount(voucher.price),
        "bonus": amount(voucher.bonus),
        "currency": voucher.currency,
        "reservationDate": iso(voucher.reservation_date),
        "validityDate": iso(voucher.validity_date),
        "resaExpireDate": iso(voucher.resa_expire_date),
        "couponId": voucher.coupon_id,
        "confirmDate": iso(voucher.confirm_date),
        "canceledDate": iso(voucher.canceled_date),
        "paymentState": voucher.payment_state or None,
        "customTransactionId": voucher.custom_transaction_id or None,
        "backUrl": back_url(voucher),
        "walletOperationId": voucher.wallet_operation_id or None,
        "sendDate": iso(voucher.send_date),
        "url": links.pdf_url(voucher),  # signed, valid one hour, new on every read
        "notificationKey": voucher.notification_key,
        "userId": voucher.user_id or None,
        "storeId": voucher.store_id,
        "storeName": voucher.store.name,
        "offerId": voucher.offer_id,
        # A test voucher (made with test credentials) says so wherever it is read or sent.
        "livemode": voucher.partner.livemode,
        # When its user's personal data was erased (`vouchers.personal_data`), else null.
        "personalDataErasedAt": iso(voucher.personal_data_erased_at),
    }
