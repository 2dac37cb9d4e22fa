"""`jackpot codes import|stock|threshold|store-key`, run as an operator runs them: printed JSON,
exit 2 with a message for bad input, and what they leave in the code pool."""

import json
from datetime import date

import pytest

from jackpot.catalog.models import Store
from jackpot.cli import main
from jackpot.vouchers import catalogue_import
from jackpot.vouchers.codes import merchant
from jackpot.vouchers.models import Code, CodeState, MerchantKey
from support.catalogue import pool_store

pytestmark = pytest.mark.django_db

POOL_STORE = pool_store(
    [
        {"code": f"H20-{i}", "pin": str(1000 + i), "value": 20, "expiry": "2099-12-31"}
        for i in range(3)
    ]
    + [{"code": "H50-0", "pin": "2000", "value": 50, "expiry": "2099-12-31"}],
    baseColor="#8e2a8e",
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def halles(db):
    """A pool store with three 20 € codes and one 50 €, warned about below 2 codes."""
    catalogue_import.import_catalog({"stores": [POOL_STORE]})
    Store.objects.filter(pk="halles").update(code_low_stock_threshold=2)
    return Store.objects.get(pk="halles")


def csv_file(tmp_path, text):
    path = tmp_path / "codes.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- import ---------------------------------------------------------------------------------


def test_codes_import_adds_the_file_to_the_pool_and_prints_the_stock(capsys, halles, tmp_path):
    path = csv_file(tmp_path, "code,pin,value,expiry\nN-1,11,50,2099-01-31\nN-2,,20,\n")

    code, out, _ = run(capsys, "codes", "import", "halles", path)

    assert code == 0
    printed = json.loads(out)
    assert printed == {
        "storeId": "halles",
        "added": 2,
        "usable": 6,
        "byValue": {"20": 4, "50": 2},  # written as `codes stock` writes them
        "vouchersAwaitingCodes": 0,
    }
    added = {c.code: c for c in Code.objects.filter(code__startswith="N-")}
    assert added["N-1"].pin == "11" and added["N-1"].expiry == date(2099, 1, 31)
    assert added["N-2"].state == CodeState.AVAILABLE and added["N-2"].expiry is None


def test_codes_import_of_a_bad_file_adds_nothing_and_names_the_line(capsys, halles, tmp_path):
    path = csv_file(tmp_path, "G-1,1,20,\nG-2,2,vingt,\n")

    code, out, err = run(capsys, "codes", "import", "halles", path)

    assert (code, out) == (2, "")
    assert err.startswith("jackpot: nothing imported:\n")
    assert "line 2: value 'vingt' is not an amount" in err
    assert not Code.objects.filter(code__startswith="G-").exists()


def test_codes_import_for_an_unknown_store_exits_2(capsys, halles, tmp_path):
    code, out, err = run(capsys, "codes", "import", "nowhere", csv_file(tmp_path, "Z-1,1,20,\n"))

    assert (code, out) == (2, "")
    assert "no store" in err and "nowhere" in err


# --- stock and threshold --------------------------------------------------------------------


def test_codes_stock_lists_only_low_stores_unless_asked_for_all(capsys, halles):
    code, out, _ = run(capsys, "codes", "stock")
    assert (code, json.loads(out)) == (0, [])  # 4 codes, threshold 2

    code, out, _ = run(capsys, "codes", "stock", "--all")

    assert code == 0
    (row,) = json.loads(out)
    assert (row["storeId"], row["usable"], row["low"]) == ("halles", 4, False)
    assert row["byValue"] == {"20": 3, "50": 1}


def test_codes_stock_of_one_store_shows_it_even_when_not_low(capsys, halles, catalog):
    code, out, _ = run(capsys, "codes", "stock", "halles")

    assert code == 0
    assert [r["storeId"] for r in json.loads(out)] == ["halles"]


def test_codes_stock_of_an_unknown_store_exits_2(capsys, halles):
    code, out, err = run(capsys, "codes", "stock", "nowhere")

    assert (code, out) == (2, "")
    assert "no store 'nowhere'" in err


def test_codes_threshold_makes_the_store_low(capsys, halles):
    code, out, _ = run(capsys, "codes", "threshold", "halles", "5")

    assert code == 0
    assert json.loads(out) == {"storeId": "halles", "threshold": 5}
    assert Store.objects.get(pk="halles").code_low_stock_threshold == 5
    code, out, _ = run(capsys, "codes", "stock")
    (row,) = json.loads(out)
    assert (row["storeId"], row["threshold"], row["low"]) == ("halles", 5, True)


@pytest.mark.parametrize(
    "argv, message",
    [
        (("halles", "-1"), "COUNT must be 0 or more"),
        (("nowhere", "3"), "no store 'nowhere'"),
    ],
)
def test_codes_threshold_refuses_a_negative_count_or_an_unknown_store(
    capsys, halles, argv, message
):
    code, out, err = run(capsys, "codes", "threshold", *argv)

    assert (code, out) == (2, "")
    assert message in err
    assert Store.objects.get(pk="halles").code_low_stock_threshold == 2


def test_codes_threshold_that_is_not_a_number_is_refused_by_the_parser(capsys, halles):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "codes", "threshold", "halles", "many")

    assert exit_.value.code == 2
    assert "invalid int value: 'many'" in capsys.readouterr().err


# --- store keys -----------------------------------------------------------------------------


def test_codes_store_key_prints_a_working_key_once(capsys, catalog):
    code, out, _ = run(capsys, "codes", "store-key", "sportmax")

    assert code == 0
    printed = json.loads(out)
    assert printed["storeId"] == "sportmax" and "shown once" in printed["note"]
    assert merchant.store_for_key(printed["storeKey"]) == Store.objects.get(pk="sportmax")
    (kept,) = MerchantKey.objects.filter(store_id="sportmax")
    assert printed["storeKey"] not in kept.digest


def test_codes_store_key_keeps_other_keys_unless_told_to_revoke_them(capsys, catalog):
    first = json.loads(run(capsys, "codes", "store-key", "sportmax")[1])["storeKey"]
    second = json.loads(run(capsys, "codes", "store-key", "sportmax")[1])["storeKey"]
    assert merchant.store_for_key(first) and merchant.store_for_key(second)

    third = json.loads(run(capsys, "codes", "store-key", "sportmax", "--revoke-others")[1])

    assert merchant.store_for_key(first) is None and merchant.store_for_key(second) is None
    assert merchant.store_for_key(third["storeKey"]) == Store.objects.get(pk="sportmax")


def test_codes_store_key_for_an_unknown_store_exits_2(capsys, catalog):
    code, out, err = run(capsys, "codes", "store-key", "nowhere")

    assert (code, out) == (2, "")
    assert "no store 'nowhere'" in err
    assert not MerchantKey.objects.exists()
