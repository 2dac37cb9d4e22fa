"""Store codes (SPEC §6.4): generated codes and their checksum, pools, covering a value, stock."""

import json
import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jackpot.catalog import importer
from jackpot.catalog.models import Store
from jackpot.vouchers import catalogue_import
from jackpot.vouchers.codes import generated, importing, pool
from jackpot.vouchers.models import Code, CodeState, DeliveryJob, Voucher
from support.cli import run_jackpot
from support.reservations import reserve_via_api

HALLES = {
    "id": "halles",
    "name": "Primeur des Halles",
    "baseColor": "#8e2a8e",
    "voucherPossibleDiscreteValues": [20, 50, 70, 100],
    "codeSource": "pool",
    "mentions": "Le code et son PIN sont demandés en caisse.",
    "campaigns": [
        {
            "id": "halles-saison",
            "mode": "majoration",
            "tiers": [{"from": 0, "rate": "0.06"}],
            "start": "2026-01-01T00:00:00Z",
        }
    ],
}


def pool_entry(count20=3, count50=2, **extra):
    entry = json.loads(json.dumps(HALLES))
    entry["codes"] = [
        {"code": f"H20-{i:04d}", "pin": f"{1000 + i}", "value": 20, "expiry": "2027-12-31"}
        for i in range(count20)
    ] + [
        {"code": f"H50-{i:04d}", "pin": f"{2000 + i}", "value": 50, "expiry": "2027-12-31"}
        for i in range(count50)
    ]
    entry.update(extra)
    return entry


@pytest.fixture
def halles(db):
    catalogue_import.import_catalog({"stores": [pool_entry()]})
    return Store.objects.get(pk="halles")


RESERVE = "/v2/stores/halles/offers/halles-saison/reserve-voucher-by-value"


def test_the_jackpot_command_has_the_codes_and_refund_commands(capsys):
    for command in (["codes", "--help"], ["refund", "accept", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            run_jackpot(command)
        assert exit_.value.code == 0
    assert "--reason" in capsys.readouterr().out


# --- generated codes --------------------------------------------------------------------------


def test_a_generated_code_has_80_random_bits_and_a_check_character():
    code = generated.new_generated_code()
    assert len(code) == 17 and set(code) <= set(generated.ALPHABET)
    assert len(generated.ALPHABET) ** generated.RANDOM_CHARS >= 2**80
    assert generated.checksum_ok(code)
    assert len({generated.new_generated_code() for _ in range(2000)}) == 2000


@given(st.text(alphabet=generated.ALPHABET, min_size=16, max_size=16), st.data())
def test_the_checksum_catches_every_single_character_typo(payload, data):
    code = payload + generated.check_character(payload)
    assert generated.checksum_ok(code)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([c for c in generated.ALPHABET if c != code[position]]))
    assert not generated.checksum_ok(code[:position] + wrong + code[position + 1 :])


@given(st.text(alphabet=generated.ALPHABET, min_size=16, max_size=16), st.data())
def test_the_checksum_catches_most_swaps_of_neighbours(payload, data):
    code = payload + generated.check_character(payload)
    i = data.draw(st.integers(0, len(code) - 2))
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    # Luhn mod N misses only the swap of two characters whose values sum to N - 1 (or equal).
    a, b = generated._INDEX[code[i]], generated._INDEX[code[i + 1]]
    if a != b and a + b != len(generated.ALPHABET) - 1:
        assert not generated.checksum_ok(swapped)


def test_codes_are_read_as_people_write_them():
    code = generated.new_generated_code()
    shown = generated.display(code)
    assert shown.count("-") == 4 and shown.replace("-", "") == code
    assert generated.normalise(shown.lower()) == code
    assert generated.normalise(" ".join(shown.split("-"))) == code
    assert generated.normalise("o1l-i") == "0111"


def test_a_generated_code_is_minted_at_the_voucher_value_at_confirmation(
    partner, catalog, api_client, build_token
):
    session = api_client.session(build_token())
    _, voucher = api_client.post(
        "/v2/stores/sportmax/offers/sportmax-launch/reserve-voucher-by-value",
        {"value": 110},
        bearer=session,
    )
    (code,) = Code.objects.filter(voucher_id=voucher["id"])
    assert code.source == "generated" and code.state == CodeState.ISSUED
    assert code.value == Decimal("110.00") and generated.checksum_ok(code.code)
    assert code.expiry == Voucher.objects.get(pk=voucher["id"]).validity_date.date()
    assert DeliveryJob.objects.filter(voucher_id=voucher["id"], kind="pdf").count() == 1


# --- covering a value ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "stock", "expected"),
    [
        (7000, {2000: 5, 5000: 5}, {5000: 1, 2000: 1}),
        (10000, {2000: 5, 5000: 5}, {5000: 2}),
        (6000, {2000: 5, 5000: 5}, {2000: 3}),  # one 50 leaves 10: back to three 20s
        (11000, {2000: 3, 5000: 1}, {5000: 1, 2000: 3}),
        (3000, {2000: 5, 5000: 5}, None),
        (2000, {}, None),
        (15000, {10000: 1, 2000: 10, 5000: 0}, None),
    ],
)
def test_a_combination_sums_exactly_largest_first(target, stock, expected):
    assert pool.combination(target, stock) == expected


@given(
    st.dictionaries(st.sampled_from([500, 1000, 2000, 2500, 5000]), st.integers(0, 6)),
    st.integers(1, 60).map(lambda n: n * 500),
)
def test_a_combination_exists_exactly_when_the_sum_is_reachable(stock, target):
    found = pool.combination(target, stock)
    reachable = pool.reachable(stock, target) >> target & 1
    assert (found is not None) == bool(reachable)
    if found is not None:
        assert sum(d * n for d, n in found.items()) == target


def test_a_voucher_takes_pool_codes_that_sum_to_its_value(halles, partner, api_client, build_token):
    voucher = reserve_via_api(api_client, build_token(), 70, RESERVE)
    taken = Code.objects.filter(voucher_id=voucher["id"]).order_by("-value")
    assert [c.value for c in taken] == [Decimal("50.00"), Decimal("20.00")]
    assert all(c.state == CodeState.ISSUED and c.issued_at for c in taken)
    assert pool.stock("halles") == {2000: 2, 5000: 1}


def test_expired_pool_codes_are_never_handed_out(halles, partner, api_client, build_token):
    Code.objects.filter(value=50).update(expiry=timezone.now().date() - timedelta(days=1))
    voucher = reserve_via_api(api_client, build_token(), 50, RESERVE)
    assert not Code.objects.filter(voucher_id=voucher["id"]).exists()
    assert Voucher.objects.get(pk=voucher["id"]).state == "CONFIRMED"  # awaiting codes


# --- pool import --------------------------------------------------------------------------------


def write(tmp_path, text, name="codes.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_pool_import_adds_every_row(halles, tmp_path, capsys):
    path = write(
        tmp_path,
        "code,pin,value,expiry\nNEW-1,1111,20,2028-01-31\nNEW-2,,50.00,2028-01-31\n"
        "NEW-3,3333,20,\n",
    )
    assert run_jackpot(["codes", "import", "halles", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["added"] == 3 and out["usable"] == 8
    new = {c.code: c for c in Code.objects.filter(code__startswith="NEW-")}
    assert new["NEW-1"].pin == "1111" and new["NEW-1"].expiry == date(2028, 1, 31)
    assert new["NEW-2"].pin == "" and new["NEW-2"].value == Decimal("50.00")
    assert new["NEW-3"].expiry is None and new["NEW-3"].state == CodeState.AVAILABLE


def test_a_bad_row_refuses_the_whole_file_naming_its_line(halles, tmp_path, capsys):
    path = write(
        tmp_path,
        "code,pin,value,expiry\nOK-1,1,20,2028-01-31\nOK-2,2,vingt,2028-01-31\n"
        "OK-3,3,20,31/01/2028\nOK 4,4,20,2028-01-31\nOK-5,5,20.001,2028-01-31\n",
    )
    assert run_jackpot(["codes", "import", "halles", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 3: value 'vingt' is not an amount" in err
    assert "line 4: expiry '31/01/2028' is not a date" in err
    assert "line 5: code 'OK 4'" in err
    assert "line 6: value '20.001' has more than 2 decimals" in err
    assert not Code.objects.filter(code__startswith="OK-").exists()


def test_duplicate_codes_are_refused_in_the_file_and_against_the_pool(halles, tmp_path):
    with pytest.raises(
        importing.CodeImportError, match=r"line 3: code 'X-1' appears twice \(first"
    ):
        importing.import_csv(
            "halles", write(tmp_path, "X-1,1,20,2028-01-01\nX-2,2,20,\nX-1,3,50,\n")
        )
    with pytest.raises(importing.CodeImportError, match="line 2: code 'H20-0001' is already in"):
        importing.import_csv("halles", write(tmp_path, "Y-1,1,20,\nH20-0001,2,20,\n"))
    assert not Code.objects.filter(code__in=["X-1", "X-2", "Y-1"]).exists()


def test_expired_rows_and_generated_stores_are_refused(halles, catalog, tmp_path):
    with pytest.raises(importing.CodeImportError, match="line 1: code 'Z-1' expired on 2020-01-01"):
        importing.import_csv("halles", write(tmp_path, "Z-1,1,20,2020-01-01\n"))
    with pytest.raises(importing.CodeImportError, match="uses generated codes"):
        importing.import_csv("sportmax", write(tmp_path, "Z-2,1,20,\n"))
    with pytest.raises(importing.CodeImportError, match="no store"):
        importing.import_csv("nowhere", write(tmp_path, "Z-3,1,20,\n"))


def test_the_catalogue_carries_pool_codes_and_a_reimport_changes_nothing(halles):
    assert Code.objects.filter(store=halles).count() == 5
    report = catalogue_import.import_catalog({"stores": [pool_entry()]})
    assert report.created == [] and report.updated == [] and not report.codes
    assert Code.objects.filter(store=halles).count() == 5
    report = catalogue_import.import_catalog({"stores": [pool_entry(count20=4)]})
    assert report.codes == {"halles": 1}
    exported = next(s for s in importer.export_catalog()["stores"] if s["id"] == "halles")
    assert len(exported["codes"]) == 6
    assert exported["codes"][0] == {
        "code": "H20-0000",
        "pin": "1000",
        "value": 20,
        "expiry": "2027-12-31",
    }


def test_the_catalogue_refuses_changed_or_misplaced_codes(halles):
    entry = pool_entry()
    entry["codes"][0]["pin"] = "9999"
    with pytest.raises(importer.CatalogError, match="H20-0000' is already in the pool"):
        catalogue_import.import_catalog({"stores": [entry]})
    entry = pool_entry(codeSource="generated")
    with pytest.raises(importer.CatalogError, match="codes are for codeSource 'pool'"):
        catalogue_import.import_catalog({"stores": [entry]})
    entry = pool_entry()
    entry["codes"].append(dict(entry["codes"][0]))
    with pytest.raises(importer.CatalogError, match="codes appear twice: H20-0000"):
        catalogue_import.import_catalog({"stores": [entry]})


def test_the_demo_catalogue_has_a_pool_store(db):
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    store = Store.objects.get(pk="primeur-des-halles")
    assert store.code_source == "pool" and not store.codes_exhausted
    assert {c.value for c in store.codes.all()} == {Decimal("20.00"), Decimal("50.00")}
    assert store.codes.count() >= 30


# --- stock ------------------------------------------------------------------------------------


def test_falling_below_the_threshold_warns_the_operator(
    halles, partner, api_client, build_token, caplog, capsys
):
    Store.objects.filter(pk="halles").update(code_low_stock_threshold=4)
    assert run_jackpot(["codes", "stock"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # 5 codes left, threshold 4

    with caplog.at_level(logging.WARNING, logger="jackpot.codes"):
        reserve_via_api(api_client, build_token(), 70, RESERVE)  # takes a 50 and a 20: 3 left
    assert "code pool of store halles is low: 3 usable code(s) left (threshold 4)" in caplog.text

    assert run_jackpot(["codes", "stock"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["storeId"] == "halles" and row["usable"] == 3 and row["low"]
    assert row["byValue"] == {"20": 2, "50": 1}


def test_an_empty_pool_takes_the_stores_offers_out_of_the_catalogue(
    halles, partner, api_client, build_token, tmp_path, caplog
):
    def listed():
        session = api_client.session(build_token())
        _, stores = api_client.get("/v2/stores", bearer=session)
        return "halles" in {s["id"] for s in stores["items"]}

    assert listed()
    reserve_via_api(api_client, build_token(), 100, RESERVE)  # two 50s
    assert listed()  # 3 × 20 still make 20
    with caplog.at_level(logging.WARNING, logger="jackpot.codes"):
        reserve_via_api(api_client, build_token(), 20, RESERVE)
        reserve_via_api(api_client, build_token(), 20, RESERVE)
        reserve_via_api(api_client, build_token(), 20, RESERVE)
    assert Store.objects.get(pk="halles").codes_exhausted
    assert "cannot make any accepted value" in caplog.text
    assert not listed()
    session = api_client.session(build_token())
    status, problem = api_client.post(RESERVE, {"value": 20}, bearer=session)
    assert status == 404 and problem["code"] == "offer-not-found"

    importing.import_csv("halles", write(tmp_path, "AGAIN-1,1,20,\n"))
    assert not Store.objects.get(pk="halles").codes_exhausted
    assert listed()


def test_codes_that_make_no_accepted_value_count_as_empty(db):
    entry = pool_entry(count20=0, count50=0)
    entry["codes"] = [{"code": "ODD-1", "pin": "", "value": 15, "expiry": None}]
    catalogue_import.import_catalog({"stores": [entry]})
    assert Store.objects.get(pk="halles").codes_exhausted  # 15 makes none of 20/50/70/100
    entry["codes"].append({"code": "ODD-2", "pin": "", "value": 5, "expiry": None})
    catalogue_import.import_catalog({"stores": [entry]})
    assert not Store.objects.get(pk="halles").codes_exhausted  # 15 + 5 = 20


def test_a_pool_store_imported_without_codes_has_no_offers(db):
    catalogue_import.import_catalog({"stores": [pool_entry(count20=0, count50=0)]})
    assert Store.objects.get(pk="halles").codes_exhausted


def test_a_voucher_awaiting_codes_gets_them_when_codes_arrive(
    halles, partner, api_client, build_token, tmp_path
):
    from jackpot.vouchers.delivery import process_due_jobs

    Code.objects.filter(value=50).update(state=CodeState.VOID)  # only 3 × 20 usable
    voucher = reserve_via_api(api_client, build_token(), 100, RESERVE)
    assert Voucher.objects.get(pk=voucher["id"]).state == "CONFIRMED"
    assert process_due_jobs() == 0
    job = DeliveryJob.objects.get(voucher_id=voucher["id"])
    assert job.last_error == "awaiting codes" and job.attempts == 0
    assert job.next_attempt_at > timezone.now()

    assert (
        run_jackpot(["codes", "import", "halles", str(write(tmp_path, "B-1,1,50,\nB-2,2,50,\n"))])
        == 0
    )
    assert DeliveryJob.objects.get(pk=job.pk).next_attempt_at <= timezone.now()
    assert process_due_jobs() == 1
    assert Voucher.objects.get(pk=voucher["id"]).state == "READY"
    assert sorted(Code.objects.filter(voucher_id=voucher["id"]).values_list("code", flat=True)) == [
        "B-1",
        "B-2",
    ]
