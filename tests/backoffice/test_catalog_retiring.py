"""A store or a campaign that issued vouchers is disabled or ended in the admin, never deleted
(the vouchers refer to it); one that never issued a voucher can still be deleted."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from jackpot.catalog import offers
from jackpot.catalog.models import Campaign, Store
from jackpot.webhooks.models import OutboxEvent

pytestmark = pytest.mark.django_db


def actions(client, url_name) -> set[str]:
    response = client.get(reverse(url_name))
    return {value for value, _label in response.context["action_form"].fields["action"].choices}


def test_a_campaign_that_issued_vouchers_is_ended_not_deleted(ops_client, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    change = reverse("admin:catalog_campaign_change", args=["sportmax-launch"])

    page = ops_client.get(change).content.decode()
    assert reverse("admin:catalog_campaign_delete", args=["sportmax-launch"]) not in page
    assert "End now" in page
    assert ops_client.get(change.replace("/change/", "/delete/")).status_code == 403
    assert (
        ops_client.post(change.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    )
    assert "delete_selected" not in actions(ops_client, "admin:catalog_campaign_changelist")

    before = timezone.now()
    response = ops_client.post(reverse("admin:catalog_campaign_end", args=["sportmax-launch"]))

    assert response.status_code == 302
    campaign = Campaign.objects.get(pk="sportmax-launch")
    assert before <= campaign.end <= timezone.now()
    assert "sportmax-launch" not in {
        o.campaign.pk
        for o in offers.offers_for(offers.Audience(postcode="75011", age=35, gender="F"))
    }
    assert voucher.__class__.objects.filter(pk=voucher.pk).exists()  # its voucher stays
    assert LogEntry.objects.filter(object_id="sportmax-launch", change_message="ended").exists()
    page = ops_client.get(change).content.decode()
    assert "End now" not in page  # over: nothing left to end


def test_ending_only_applies_to_running_campaigns(ops_client, catalog):
    start = timezone.now() + timedelta(days=3)
    Campaign.objects.filter(pk="bookly-min").update(start=start)
    response = ops_client.post(
        reverse("admin:catalog_campaign_end", args=["bookly-min"]), follow=True
    )
    assert "Only a running campaign can be ended." in response.content.decode()
    assert Campaign.objects.get(pk="bookly-min").end is None


def test_the_bulk_action_ends_the_running_ones(ops_client, catalog):
    Campaign.objects.filter(pk="bookly-min").update(end=timezone.now() - timedelta(days=1))
    ended_before = Campaign.objects.get(pk="bookly-min").end
    response = ops_client.post(
        reverse("admin:catalog_campaign_changelist"),
        {"action": "end_selected", "_selected_action": ["sportmax-launch", "bookly-min"]},
        follow=True,
    )
    assert "Campaigns ended: 1." in response.content.decode()
    assert Campaign.objects.get(pk="sportmax-launch").end is not None
    assert Campaign.objects.get(pk="bookly-min").end == ended_before


def test_a_campaign_without_vouchers_can_be_deleted(ops_client, catalog):
    delete = reverse("admin:catalog_campaign_delete", args=["bookly-min"])
    page = ops_client.get(reverse("admin:catalog_campaign_change", args=["bookly-min"]))
    assert delete in page.content.decode()
    assert ops_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Campaign.objects.filter(pk="bookly-min").exists()


def test_a_store_that_issued_vouchers_is_disabled_not_deleted(ops_client, acme, make_voucher):
    make_voucher(acme, 30)
    change = reverse("admin:catalog_store_change", args=["sportmax"])
    page = ops_client.get(change).content.decode()
    assert reverse("admin:catalog_store_delete", args=["sportmax"]) not in page
    assert ops_client.get(change.replace("/change/", "/delete/")).status_code == 403
    assert "delete_selected" not in actions(ops_client, "admin:catalog_store_changelist")
    OutboxEvent.objects.all().delete()

    response = ops_client.post(reverse("admin:catalog_store_disable", args=["sportmax"]))

    assert response.status_code == 302
    assert Store.objects.get(pk="sportmax").enabled is False
    assert list(OutboxEvent.objects.values_list("partner_id", "event")) == [
        ("acme", "store/disabled")
    ]
    assert LogEntry.objects.filter(object_id="sportmax", change_message="disabled").exists()
    assert ">Disable<" not in ops_client.get(change).content.decode()  # already disabled


def test_the_bulk_action_disables_stores(ops_client, catalog):
    response = ops_client.post(
        reverse("admin:catalog_store_changelist"),
        {"action": "disable_selected", "_selected_action": ["bookly", "mixte"]},
        follow=True,
    )
    assert "Stores disabled: 2." in response.content.decode()
    assert set(Store.objects.filter(enabled=False).values_list("pk", flat=True)) == {
        "bookly",
        "mixte",
    }


def test_a_store_without_vouchers_can_be_deleted(ops_client, catalog):
    delete = reverse("admin:catalog_store_delete", args=["mixte"])
    assert (
        delete
        in ops_client.get(reverse("admin:catalog_store_change", args=["mixte"])).content.decode()
    )
    assert ops_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Store.objects.filter(pk="mixte").exists()
    assert not Campaign.objects.filter(pk="mixte-all").exists()
