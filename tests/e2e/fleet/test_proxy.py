"""Two nodes behind a real nginx, configured by docs/deploy/nginx.conf as docs/deploy.md says.

nginx terminates TLS and shares requests round-robin; the nodes trust it (and only it) for the
client's address and the request's scheme. Clients here connect from addresses of their own
(127.0.0.7, 127.0.0.8, …; all of 127/8 is loopback) so that the nodes can tell a client from
the proxy, which reaches them from 127.0.0.1.

The nodes trust nginx through JACKPOT_TRUSTED_PROXIES (docs/deploy.md); the health probes
answer through it too.
"""

import re

import httpx
import pytest

from support.nginx import Nginx, missing

from .test_nodes import inside_one_rate_window

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANONYMOUS_LIMIT = 3
OPENAPI = "/v2/openapi.json"  # anonymous, cheap, under the API's rate limits


def client(address: str) -> httpx.Client:
    """A client connecting from `address`; the proxy's certificate is the test's own."""
    return httpx.Client(
        transport=httpx.HTTPTransport(local_address=address, verify=False), timeout=20
    )


@pytest.fixture
def proxied(start_nodes, tmp_path):
    reason = missing()
    if reason:
        pytest.skip(reason)
    nodes = start_nodes(
        2,
        JACKPOT_HTTPS=1,
        JACKPOT_RATE_LIMIT_ANONYMOUS=ANONYMOUS_LIMIT,
        JACKPOT_TRUSTED_PROXIES="127.0.0.1",
    )
    directory = tmp_path / "nginx"
    directory.mkdir()
    nginx = Nginx(directory, [node.base_url.removeprefix("http://") for node in nodes])
    nginx.start()
    yield nodes, nginx
    nginx.stop()


def test_nginx_shares_requests_over_both_nodes_and_its_https_makes_them_secure(proxied):
    nodes, nginx = proxied
    with client("127.0.0.9") as browser:
        answers = [browser.get(f"{nginx.url}/") for _ in range(6)]

    # Through the proxy's HTTPS, the node sees a secure request: no redirect, and HSTS sent
    # (Django sends it only on requests it deems secure).
    assert {a.status_code for a in answers} == {200}
    assert all("max-age=" in a.headers["Strict-Transport-Security"] for a in answers)
    upstreams = re.findall(r'"GET / HTTP/1.1" 200 upstream=(\S+)', nginx.access_log())
    assert sorted(set(upstreams)) == sorted(n.base_url.removeprefix("http://") for n in nodes)

    # Plain HTTP to nginx is sent to HTTPS; plain HTTP straight to a node is not secure either.
    with client("127.0.0.9") as browser:
        plain = browser.get(f"http://127.0.0.1:{nginx.http_port}/v2/stores")
        direct = browser.get(f"{nodes[0].base_url}/")
    assert (plain.status_code, plain.headers["location"]) == (
        301,
        "https://127.0.0.1/v2/stores",
    )
    assert direct.status_code == 301 and direct.headers["location"].startswith("https://")


def test_the_client_address_and_scheme_come_only_from_the_trusted_proxy(proxied):
    nodes, nginx = proxied
    with client("127.0.0.9") as probe:
        health = probe.get(f"{nginx.url}/healthz")
        ready = probe.get(f"{nginx.url}/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200, ready.text

    # Anonymous limits count the client nginx saw, whatever X-Forwarded-For the client forged.
    inside_one_rate_window()
    with client("127.0.0.7") as forger:
        forged = [
            forger.get(f"{nginx.url}{OPENAPI}", headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(ANONYMOUS_LIMIT + 2)
        ]
    assert [a.status_code for a in forged] == [200] * ANONYMOUS_LIMIT + [429, 429]
    with client("127.0.0.8") as other:  # another client through the same proxy: its own count
        assert other.get(f"{nginx.url}{OPENAPI}").status_code == 200

    # A scheme header sent straight to a node by anyone but the proxy is ignored.
    with client("127.0.0.5") as forger:
        direct = forger.get(f"{nodes[1].base_url}/", headers={"X-Forwarded-Proto": "https"})
    assert direct.status_code == 301
