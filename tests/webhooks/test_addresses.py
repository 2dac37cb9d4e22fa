"""The SSRF guard: in production mode nothing is delivered to a non-public address."""

import socket

import httpx
import pytest

from jackpot.webhooks import addresses
from jackpot.webhooks.delivery import deliver_due
from jackpot.webhooks.models import Attempt, Delivery

PRIVATE_URLS = [
    "http://127.0.0.1:8000/hooks",
    "http://10.0.0.1/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8080/hooks",
    "http://[::ffff:127.0.0.1]/hooks",
    "http://192.168.1.10/hooks",
    "http://172.16.0.5/hooks",
    "http://100.64.0.1/hooks",
    "http://0.0.0.0/hooks",
    "http://localhost/hooks",
]


@pytest.fixture
def production(settings):
    settings.DEMO = False
    settings.DEBUG = False
    settings.TESTING = False
    return settings


def fake_dns(monkeypatch, answers: dict[str, list[str]]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_and_loopback_addresses_are_refused_when_guarded(url):
    with pytest.raises(addresses.Refused, match="production mode delivers only to public"):
        addresses.check(url, guard=True)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_they_are_allowed_unguarded(url):
    assert addresses.check(url, guard=False).url == url


def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(addresses.Refused, match="10.1.2.3"):
        addresses.check("https://hooks.partner.example/x", guard=True)


def test_only_http_and_https_are_delivered_to():
    for url in ("ftp://93.184.216.34/x", "file:///etc/passwd", "gopher://a/"):
        with pytest.raises(addresses.Refused, match="only http and https"):
            addresses.check(url, guard=False)


def test_a_public_name_is_pinned_to_the_address_that_was_checked(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34"]})
    target = addresses.check("https://hooks.partner.example:8443/in?a=1", guard=True)
    assert target.url == "https://93.184.216.34:8443/in?a=1"
    assert target.host_header == "hooks.partner.example:8443"
    assert target.extensions == {"sni_hostname": "hooks.partner.example"}


def test_a_public_ipv6_literal_is_pinned_with_brackets():
    target = addresses.check("http://[2606:2800:220:1:248:1893:25c8:1946]/in", guard=True)
    assert target.url == "http://[2606:2800:220:1:248:1893:25c8:1946]/in"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]"], ids=lambda h: h
)
def test_in_production_mode_a_delivery_to_a_private_address_fails_with_its_reason(
    production, make_partner, store_event, host
):
    partner = make_partner("acme", notification_url=f"http://{host}/hooks")
    store_event(partner)

    assert deliver_due() == 1

    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_error.startswith("refused: ")
    assert "public addresses" in delivery.last_error
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and attempt.error == delivery.last_error


@pytest.mark.django_db
def test_in_production_mode_a_public_name_is_requested_at_its_checked_address(
    production, make_partner, store_event, monkeypatch
):
    fake_dns(monkeypatch, {"hooks.acme.example": ["93.184.216.34"]})
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    partner = make_partner("acme", notification_url="http://hooks.acme.example/in")
    store_event(partner, key="nk")

    deliver_due(client=httpx.Client(transport=httpx.MockTransport(handler)))

    [request] = seen
    assert str(request.url) == "http://93.184.216.34/in?notificationKey=nk"
    assert request.headers["host"] == "hooks.acme.example"
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db
def test_in_tests_loopback_is_allowed(hooked_partner, receiver, store_event):
    store_event(hooked_partner)
    deliver_due()
    assert Delivery.objects.get().status == "delivered"
    assert len(receiver.requests) == 1
