"""Sign-in throttling (django-axes), CSRF on every state change, cookie settings."""

import pytest
from django.test import Client
from django.urls import reverse

from jackpot.vouchers.models import State, Voucher
from support.portal import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, password, username="alice"):
    return client.post(reverse("portal:login"), {"username": username, "password": password})


def test_repeated_failures_lock_the_login_out(client, alice, low_limit):
    for _ in range(2):
        response = _login(client, "wrong")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    # even the right password is refused now
    response = _login(client, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_a_lockout_is_logged_as_a_warning(client, alice, low_limit, caplog):
    # django-axes is not verbose (no start-up banner), yet a lockout is a real problem: logged.
    for _ in range(3):
        _login(client, "wrong")

    warnings = [r for r in caplog.records if r.name.startswith("axes") and r.levelname == "WARNING"]
    assert any("Locking out" in r.getMessage() for r in warnings)


def test_lockout_is_per_username_and_address(client, alice, bob, low_limit):
    for _ in range(3):
        _login(client, "wrong")
    response = _login(Client(), PASSWORD, username="bob")
    assert response.status_code == 302


def test_the_operator_admin_is_throttled_too(client, django_user_model, low_limit):
    django_user_model.objects.create_superuser("ops", "ops@example.com", PASSWORD)
    for _ in range(3):
        client.post(reverse("admin:login"), {"username": "ops", "password": "nope"})
    response = client.post(reverse("admin:login"), {"username": "ops", "password": PASSWORD})
    assert response.status_code == 429


def test_a_success_resets_the_count(client, alice, low_limit):
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    client.post(reverse("portal:logout"))
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_state_changes_without_the_csrf_token_are_refused(alice, acme, make_voucher):
    voucher = make_voucher(acme, 30)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for name, args, data in [
        ("portal:pending", [], {"action": "confirm", "voucher": [voucher.pk]}),
        ("portal:coupon-cancel", [voucher.pk], {}),
        ("portal:rotate-signature", [], {"signature-grace": "0"}),
        ("portal:regenerate-api-key", [], {"apikey-confirm": "on"}),
    ]:
        response = client.post(reverse(name, args=args), data)
        assert response.status_code == 403, name
    assert Voucher.objects.get(pk=voucher.pk).state == State.RESERVED
    assert len(acme.signatures.all()) == 1
    # with the token taken from the page, the same request goes through
    client.get(reverse("portal:pending"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("portal:pending"),
        {"action": "confirm", "voucher": [voucher.pk], "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Voucher.objects.get(pk=voucher.pk).state == State.CONFIRMED


def test_login_itself_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("portal:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_cookies_are_secure_outside_demo_and_test():
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('JACKPOT_TESTING', None); os.environ.pop('JACKPOT_DEMO', None);"
        "os.environ['DJANGO_SETTINGS_MODULE']='jackpot.settings';"
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SESSION_COOKIE_HTTPONLY)"
    )
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("JACKPOT_TESTING", "JACKPOT_DEMO", "DEBUG")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["True", "True", "True"]
