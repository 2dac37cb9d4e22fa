"""`jackpot catalog import` and `catalog export` (SPEC §12): an import says what it created and
changes nothing the second time, a missing or bad file exits 2 saying why, an export reimports
unchanged."""

import json

import pytest

from jackpot.catalog.models import Campaign, Store
from support.cli import run_main

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_file(catalog, tmp_path):
    """conftest's SMALL_CATALOG written to a file; the database emptied of it again."""
    Store.objects.all().delete()
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog), encoding="utf-8")
    return path


def test_catalog_import_prints_what_it_created(capsys, catalog_file):
    code, out, _ = run_main(capsys, "catalog", "import", str(catalog_file))

    assert code == 0
    assert json.loads(out) == {
        "created": [
            "store sportmax",
            "campaign sportmax-launch",
            "store bookly",
            "campaign bookly-min",
            "store mixte",
            "campaign mixte-all",
        ],
        "updated": [],
        "unchanged": [],
    }
    assert Store.objects.count() == 3 and Campaign.objects.count() == 3


def test_catalog_import_of_the_same_file_again_changes_nothing(capsys, catalog_file):
    run_main(capsys, "catalog", "import", str(catalog_file))

    code, out, _ = run_main(capsys, "catalog", "import", str(catalog_file))

    assert code == 0
    report = json.loads(out)
    assert report["created"] == [] and report["updated"] == []
    assert len(report["unchanged"]) == 6


def test_catalog_import_of_a_missing_file_exits_2(capsys, db, tmp_path):
    missing = tmp_path / "missing.json"

    code, out, err = run_main(capsys, "catalog", "import", str(missing))

    assert code == 2
    assert out == ""
    assert "no such file" in err and "missing.json" in err


@pytest.mark.parametrize(
    "content, named",
    [
        ('{"stores": [{"id": "x", "name": "X", "colour": "red"}]}', "stores.0.colour"),
        ("{not json", "not valid JSON"),
    ],
    ids=["invalid field", "not json"],
)
def test_catalog_import_of_a_bad_file_exits_2_saying_what_is_wrong(
    capsys, db, tmp_path, content, named
):
    path = tmp_path / "bad.json"
    path.write_text(content)

    code, _, err = run_main(capsys, "catalog", "import", str(path))

    assert code == 2
    assert named in err
    assert not Store.objects.exists()


def test_catalog_export_writes_a_file_that_reimports_unchanged(capsys, catalog, tmp_path):
    out_file = tmp_path / "out.json"

    code, out, err = run_main(capsys, "catalog", "export", str(out_file))

    assert code == 0
    assert str(out_file) in err
    exported = json.loads(out_file.read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in exported["stores"]) == ["bookly", "mixte", "sportmax"]
    code, out, _ = run_main(capsys, "catalog", "import", str(out_file))
    assert code == 0
    report = json.loads(out)
    assert report["created"] == [] and report["updated"] == []
    assert len(report["unchanged"]) == 6


def test_catalog_export_without_a_file_writes_to_stdout(capsys, catalog):
    code, out, _ = run_main(capsys, "catalog", "export")

    assert code == 0
    assert sorted(s["id"] for s in json.loads(out)["stores"]) == ["bookly", "mixte", "sportmax"]
