"""The voucher PDF and its signed link (SPEC §6.3 `url`, §6.4).

The PDF is read back with pypdf (text) and its QR codes are taken out of it as images and
decoded with purepix, a pure-Python decoder (no zbar, no poppler needed).
"""

import io
import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import purepix.qr
import pytest
from django.core import signing
from purepix.codecs import png
from pypdf import PdfReader

from jackpot.catalog.models import Store
from jackpot.vouchers import catalogue_import, links, pdf, rendering
from jackpot.vouchers.codes import generated
from jackpot.vouchers.delivery import process_due_jobs
from jackpot.vouchers.models import Code, Voucher
from support.catalogue import pool_store
from support.clock import Clock

RESERVE = "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value"
POOL = pool_store(
    [
        {"code": "PDH50-KX7Q2M", "pin": "4821", "value": 50, "expiry": "2027-12-31"},
        {"code": "PDH20-RT5W9B", "pin": "0937", "value": 20, "expiry": "2027-06-30"},
    ],
    baseColor="#8e2a8e",
    mentions="Valable en boutique — le code et son PIN sont demandés en caisse (5 € min.).",
)


def text_of(content: bytes) -> str:
    """The PDF's text, no-break spaces as plain spaces."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")


def qr_codes_of(content: bytes) -> list[str]:
    """Decode every QR code image embedded in the PDF."""
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            out = io.BytesIO()
            image.image.convert("L").save(out, format="PNG")
            found.append(purepix.qr.decode_text(png.loads(out.getvalue())))
    return found


def ready_voucher(api_client, build_token, path=RESERVE, value=110) -> dict:
    session = api_client.session(build_token())
    status, voucher = api_client.post(path, {"value": value}, bearer=session)
    assert status == 201, voucher
    assert process_due_jobs() >= 1
    return voucher


def read(api_client, partner, voucher_id) -> dict:
    status, body = api_client.get(f"/v2/voucher/{voucher_id}", apikey=partner.issued.apiKey)
    assert status == 200, body
    return body


def download(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_the_pdf_holds_the_code_value_and_coupon_id_and_its_qr_code_decodes_to_the_code(
    partner, catalog, api_client, build_token, client
):
    voucher = ready_voucher(api_client, build_token)
    body = read(api_client, partner, voucher["id"])
    assert body["state"] == "READY" and body["url"]

    response = download(client, body["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-cache"  # kept, but checked each time
    content = response.content
    assert content.startswith(b"%PDF-")

    code = Code.objects.get(voucher_id=voucher["id"]).code
    text = text_of(content)
    assert generated.display(code) in text
    assert "110,00 €" in text  # the French way: the page's first language
    assert voucher["couponId"] in text
    assert "SportMax" in text
    assert qr_codes_of(content) == [code]


def test_a_pool_voucher_pdf_shows_each_code_with_its_pin_and_earliest_validity(
    partner, db, api_client, build_token, client
):
    catalogue_import.import_catalog({"stores": [POOL]})
    voucher = ready_voucher(
        api_client,
        build_token,
        "/v2/stores/halles/offers/halles-saison/reserve-voucher-by-value",
        70,
    )
    content = rendering.render(Voucher.objects.get(pk=voucher["id"]))
    text = text_of(bytes(content))
    for needle in ("PDH50-KX7Q2M", "4821", "PDH20-RT5W9B", "0937", "70,00 €", "50,00 €"):
        assert needle in text
    assert "Valid until: 30/06/2027" in text  # the 20 € code ends first
    assert "(5 € min.)" in text and "Valable en boutique — le code" in text  # € and dashes
    assert sorted(qr_codes_of(bytes(content))) == ["PDH20-RT5W9B", "PDH50-KX7Q2M"]


def test_the_url_is_null_until_ready_then_new_on_every_read(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())
    _, voucher = api_client.post(RESERVE, {"value": 110}, bearer=session)
    assert voucher["state"] == "CONFIRMED" and voucher["url"] is None

    process_due_jobs()
    first = read(api_client, partner, voucher["id"])["url"]
    second = read(api_client, partner, voucher["id"])["url"]
    assert first != second
    assert first.startswith(f"http://127.0.0.1:8000/v2/voucher/{voucher['id']}/pdf?sig=")
    for url in (first, second):
        sig = parse_qs(urlsplit(url).query)["sig"][0]
        assert links.check(voucher["id"], sig)


def test_expired_tampered_and_other_voucher_links_are_refused(
    partner, catalog, api_client, build_token, client, settings, monkeypatch
):
    mine = ready_voucher(api_client, build_token)
    other = ready_voucher(api_client, build_token)
    url = read(api_client, partner, mine["id"])["url"]
    sig = parse_qs(urlsplit(url).query)["sig"][0]
    base = f"/v2/voucher/{mine['id']}/pdf"

    def refused(path):
        response = client.get(path)
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "invalid-link"

    assert client.get(f"{base}?sig={sig}").status_code == 200
    nonce, timestamp, signature = sig.split(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    refused(f"{base}?sig={nonce}:{timestamp}:{flipped}")  # signature altered
    other_nonce = ("x" if nonce[0] != "x" else "y") + nonce[1:]
    refused(f"{base}?sig={other_nonce}:{timestamp}:{signature}")  # nonce altered
    later = signing.b62_encode(signing.b62_decode(timestamp) + 3600)
    refused(f"{base}?sig={nonce}:{later}:{signature}")  # timestamp pushed forward
    refused(f"/v2/voucher/{other['id']}/pdf?sig={sig}")  # another voucher's link
    refused(base)  # no signature
    refused(f"{base}?sig=garbage")

    settings.JACKPOT_PDF_LINK_TTL = 1
    clock = Clock()
    monkeypatch.setattr(signing, "time", clock)  # the signer's clock: checked with max_age
    clock.advance(2.1)
    refused(f"{base}?sig={sig}")  # expired


def test_a_link_made_an_hour_ago_is_expired(partner, catalog, api_client, build_token, client):
    voucher = ready_voucher(api_client, build_token)
    old = signing.TimestampSigner(salt=links.SALT)
    old.timestamp = lambda: signing.b62_encode(int(time.time()) - 3601)
    sig = old.sign(f"{voucher['id']}.n0nce").split(".", 1)[1]
    assert not links.check(voucher["id"], sig)
    response = client.get(f"/v2/voucher/{voucher['id']}/pdf?sig={sig}")
    assert response.status_code == 403 and response.json()["code"] == "invalid-link"


def test_a_refunded_voucher_has_no_url_and_its_link_is_gone(
    partner, catalog, api_client, build_token, client
):
    from jackpot.vouchers import refunds

    voucher = ready_voucher(api_client, build_token)
    url = read(api_client, partner, voucher["id"])["url"]
    status, _ = api_client.post(f"/v2/voucher/{voucher['id']}/refund", apikey=partner.issued.apiKey)
    assert status == 200
    assert read(api_client, partner, voucher["id"])["url"]  # REFUNDING: codes still good
    refunds.accept(voucher["id"], "operator:test")
    assert read(api_client, partner, voucher["id"])["url"] is None
    response = download(client, url)
    assert response.status_code == 404 and response.json()["code"] == "pdf-not-available"


def test_the_pdf_is_drawn_on_request_the_same_bytes_every_time_with_a_strong_etag(
    partner, catalog, api_client, build_token, client
):
    voucher = ready_voucher(api_client, build_token)
    first = download(client, read(api_client, partner, voucher["id"])["url"])
    url = read(api_client, partner, voucher["id"])["url"]  # another link: a new nonce
    second = download(client, url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content  # nothing random in the file, nothing stored
    etag = first["ETag"]
    assert etag == second["ETag"] and etag.startswith('"') and not etag.startswith("W/")
    confirmed = Voucher.objects.get(pk=voucher["id"]).confirm_date
    assert f"/CreationDate (D:{confirmed:%Y%m%d%H%M%S}Z)".encode() in first.content

    parts = urlsplit(url)
    for asked in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = client.get(f"{parts.path}?{parts.query}", HTTP_IF_NONE_MATCH=asked)
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == etag and again["Cache-Control"] == "private, no-cache"
    stale = client.get(f"{parts.path}?{parts.query}", HTTP_IF_NONE_MATCH='"other"')
    assert stale.status_code == 200 and stale.content == first.content


def test_a_store_that_changes_its_colour_gets_a_new_page_and_a_new_etag(
    partner, catalog, api_client, build_token, client
):
    voucher = ready_voucher(api_client, build_token)
    url = read(api_client, partner, voucher["id"])["url"]
    before = download(client, url)
    Store.objects.filter(pk="sportmax").update(base_color="#123456")
    parts = urlsplit(url)
    after = client.get(f"{parts.path}?{parts.query}", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.content != before.content and text_of(after.content) == text_of(before.content)


def test_a_refunded_voucher_answers_404_even_to_a_browser_holding_its_etag(
    partner, catalog, api_client, build_token, client
):
    from jackpot.vouchers import refunds

    voucher = ready_voucher(api_client, build_token)
    url = read(api_client, partner, voucher["id"])["url"]
    etag = download(client, url)["ETag"]
    api_client.post(f"/v2/voucher/{voucher['id']}/refund", apikey=partner.issued.apiKey)
    refunds.accept(voucher["id"], "operator:test")
    parts = urlsplit(url)
    gone = client.get(f"{parts.path}?{parts.query}", HTTP_IF_NONE_MATCH=etag)
    assert gone.status_code == 404 and gone.json()["code"] == "pdf-not-available"


def test_the_pdf_renders_every_character_and_many_codes():
    sheet = pdf.VoucherSheet(
        coupon_id="ABCDEFGHIJ",
        store_name="Łódź “Évasion” — 東京",
        base_color="#fe0",
        value=Decimal("500.00"),
        currency="EUR",
        validity=None,
        mentions="x" * 300 + " " + "mot " * 200,
        codes=tuple(pdf.CodeLine(f"CODE-{i}", str(i), Decimal("50"), None) for i in range(10)),
    )
    content = pdf.render(sheet)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 3
    assert sorted(qr_codes_of(content)) == sorted(f"CODE-{i}" for i in range(10))
    assert "“Évasion” —" in text_of(content)  # beyond Windows-1252 (Ł, 東) only is "?"


@pytest.mark.parametrize(
    "logo",
    [
        "https://cdn.example/logo.png",  # never fetched
        "data:image/png;base64,not-base64!",
        "../../etc/passwd",
    ],
)
def test_a_logo_that_cannot_be_used_falls_back_to_the_monogram(logo):
    assert pdf.logo_bytes(logo) is None
    sheet = pdf.VoucherSheet(
        "ABCDEFGHIJ", "Fil & Trame", "#5c4033", Decimal("20"), "EUR", None, "", (), logo=logo
    )
    assert text_of(pdf.render(sheet)).startswith("FT\n")  # catalog.monogram's, as the widget


def test_a_data_uri_logo_is_drawn():
    out = io.BytesIO()
    pdf.qr_image("logo").save(out, format="PNG")
    import base64

    logo = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    sheet = pdf.VoucherSheet(
        "ABCDEFGHIJ", "Foulée Sport", "#007a3d", Decimal("20"), "EUR", None, "", (), logo=logo
    )
    assert qr_codes_of(pdf.render(sheet)) == ["logo"]
