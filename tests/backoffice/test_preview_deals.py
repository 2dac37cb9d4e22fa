"""The admin's offers preview shows of each offer what the API lists and the widget shows."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_preview_offers_what_the_store_lists(
    ops_client, api_client, partner, catalog, build_token
):
    session = api_client.session(build_token(cp="75011", age=30))
    claims = {"amount": "100", "cp": "75011", "age": "30", "gender": "M"}

    response = ops_client.get(reverse("admin:catalog_campaign_preview"), claims)

    rows = {row["offer"].id: row for row in response.context["rows"]}
    for store in ("sportmax", "mixte"):
        _, listed = api_client.get(f"/v2/stores/{store}/proposed-vouchers", bearer=session)
        shown = [
            (offer_id, q.value, q.price)
            for offer_id, row in sorted(rows.items())
            if row["offer"].store.id == store
            for q in row["proposed"]
        ]
        api = sorted(
            (v["offerId"], D(str(v["value"])), D(str(v["price"]))) for v in listed["vouchers"]
        )
        assert shown[-12:] == api[-12:]  # the preview shows an offer's 12 largest values
    assert [q.value for q in rows["sportmax-launch"]["proposed"]][-3:] == [106, 107, 110]
    assert rows["mixte-all.majoration"]["best"] is None and rows["mixte-all.majoration"]["beaten"]
    assert "another offer of this store gives as much for less" in response.content.decode()
