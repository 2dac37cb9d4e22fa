"""A partner's test mode is its test twin: created with it (and by migration 0007 for partners
made before), holding its own credentials, sharing every other setting with the live row."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jackpot.partners import credentials
from jackpot.partners.models import OWN_FIELDS, ApiSignature, Partner, twin_id

pytestmark = pytest.mark.django_db


def test_a_new_partner_has_its_test_mode(make_partner):
    acme = make_partner("acme")
    twin = credentials.test_twin(acme)
    assert twin.pk == "acme~test" and twin.live_partner_id == "acme" and twin.is_test
    assert twin.live_id == "acme" and acme.live_id == "acme" and not twin.livemode
    assert credentials.partner_for_api_key(acme.issued.test["apiKey"]) == twin
    assert credentials.valid_signatures(twin) == [acme.issued.test["apiSignature"]]
    assert twin.webhook_secret == acme.issued.test["webhookSecret"] != acme.webhook_secret
    assert list(Partner.objects.live()) == [acme]


def test_the_shared_settings_follow_the_live_partner(make_partner):
    acme = make_partner("acme")
    acme.confirmation_mode = "manual"
    acme.session_ceiling = Decimal("250.00")
    acme.sending_enabled = True
    acme.name = "Acme Cashback"
    acme.save()
    twin = credentials.test_twin(acme)
    assert (twin.confirmation_mode, twin.session_ceiling, twin.sending_enabled, twin.name) == (
        "manual",
        Decimal("250.00"),
        True,
        "Acme Cashback",
    )
    acme.enabled = False
    acme.save(update_fields=["enabled"])
    twin.refresh_from_db()
    assert twin.enabled is False


def test_every_setting_but_the_credentials_is_shared():
    shared = set(Partner.shared_fields())
    assert {"domains", "confirmation_mode", "session_ceiling", "currency", "enabled"} <= shared
    assert not shared & {"api_key_digest", "client_secret_digest", "webhook_secret"}
    assert {f.name for f in Partner._meta.concrete_fields} - OWN_FIELDS <= shared | {"id"}


def test_the_live_partner_owns_its_domains_in_both_modes(make_partner):
    acme = make_partner("acme", domains=["acme.example"])
    credentials.update_integration(acme, domains=["shop.acme.example"], notification_url="")
    assert credentials.test_twin(acme).domains == "shop.acme.example"
    # the test mode saving the same domains is the partner itself, not another one
    credentials.update_integration(
        credentials.test_twin(acme),
        domains=["shop.acme.example", "acme.example"],
        notification_url="https://hooks.acme.example/test",
    )
    acme.refresh_from_db()
    assert acme.domain_list == ["shop.acme.example", "acme.example"]
    assert acme.notification_url == ""
    with pytest.raises(ValidationError):
        make_partner("beta", domains=["acme.example"])


def test_a_long_partner_id_has_a_twin_id_that_fits():
    long_id = "a" * 64
    assert len(twin_id(long_id)) <= 64 and twin_id(long_id) != twin_id("a" * 63 + "b")


def test_test_keys_are_rotated_apart_from_live_ones(make_partner):
    acme = make_partner("acme")
    twin = credentials.test_twin(acme)
    key = credentials.regenerate_api_key(twin)
    secret = credentials.regenerate_client_secret(twin)
    assert key.startswith("jpk_test_") and secret.startswith("jcs_test_")
    assert credentials.partner_for_api_key(acme.issued.apiKey) == acme
    assert credentials.partner_for_api_key(key) == twin
    assert credentials.partner_for_client_credentials("acme", secret) == twin
    assert credentials.partner_for_client_credentials("acme", acme.issued.clientSecret) == acme
    assert credentials.partner_for_client_credentials("acme~test", secret) is None


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migration_0007_gives_partners_made_before_their_test_mode(make_partner):
    acme = make_partner("acme", confirmation_mode="manual")
    _migrate([("partners", "0006_testmode_test_twin")])
    assert not Partner.objects.filter(live_partner__isnull=False).exists()
    _migrate([("partners", "0007_testmode_twins_for_existing")])
    twin = Partner.objects.get(live_partner=acme)
    assert twin.pk == "acme~test" and twin.confirmation_mode == "manual"
    assert twin.notification_url == "" and twin.api_key_hint.startswith("jpk_test_")
    assert ApiSignature.objects.filter(partner=twin).count() == 1
