"""The catalogue in the operator admin: a code pool imported from CSV, the offers preview."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jackpot.catalog.models import Store
from jackpot.vouchers.models import Code

pytestmark = pytest.mark.django_db


def test_code_pool_csv_import(ops_client, catalog):
    Store.objects.filter(pk="bookly").update(code_source="pool")
    upload = SimpleUploadedFile(
        "codes.csv", b"code,pin,value,expiry\nBK-0001,1234,10,\nBK-0002,,20,2099-01-01\n"
    )
    response = ops_client.post(
        reverse("admin:vouchers_code_import"), {"store": "bookly", "file": upload}
    )
    assert response.status_code == 302
    assert set(Code.objects.filter(store_id="bookly").values_list("code", flat=True)) == {
        "BK-0001",
        "BK-0002",
    }
    bad = SimpleUploadedFile("codes.csv", b"BK-0003,,abc,\n")
    response = ops_client.post(
        reverse("admin:vouchers_code_import"), {"store": "bookly", "file": bad}
    )
    assert response.status_code == 200 and "line 1" in response.content.decode()
    assert ops_client.get(reverse("admin:vouchers_code_stock")).status_code == 200


def test_offers_preview_uses_the_catalogue_rules(ops_client, catalog):
    url = reverse("admin:catalog_campaign_preview")
    response = ops_client.get(url, {"amount": "100", "cp": "75011", "age": "30", "gender": "F"})
    offered = {row["offer"].id for row in response.context["rows"]}
    assert offered == {
        "sportmax-launch",
        "bookly-min",
        "mixte-all.majoration",
        "mixte-all.minoration",
    }
    best = next(r["best"] for r in response.context["rows"] if r["offer"].id == "sportmax-launch")
    assert (best.price, best.value) == (100, 110)
    response = ops_client.get(url, {"amount": "100", "cp": "13001", "age": "30"})
    assert "sportmax-launch" not in {row["offer"].id for row in response.context["rows"]}
    assert [e["campaign"].id for e in response.context["excluded"]] == ["sportmax-launch"]
