"""The client's address and scheme behind proxies: believed only from a trusted peer."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jackpot.core import proxies

TRUSTED = proxies.networks("10.0.0.0/8, 192.0.2.1, fd00::/8")

public_v4 = st.ip_addresses(v=4).filter(
    lambda ip: not any(ip in net for net in TRUSTED) and ip.is_global
)
proxy_v4 = st.builds(
    lambda n: str(ipaddress.ip_address(int(ipaddress.ip_address("10.0.0.0")) + n)),
    st.integers(0, 2**24 - 1),
)


def test_nobody_is_trusted_by_default():
    assert proxies.networks("") == ()
    assert proxies.client_address("203.0.113.9", "1.2.3.4", ()) == "203.0.113.9"
    assert not proxies.forwarded_https("203.0.113.9", "https", ())


def test_a_bad_entry_is_named():
    with pytest.raises(ValueError, match="'nonsense'"):
        proxies.networks("10.0.0.1,nonsense")


@given(
    client=public_v4, forged=st.lists(public_v4, max_size=3), hops=st.lists(proxy_v4, max_size=3)
)
def test_the_client_is_the_rightmost_address_no_trusted_proxy_wrote(client, forged, hops):
    # What the client forged comes first, then its own address as the first proxy saw it,
    # then the proxies between; the last proxy is the direct peer.
    chain = [str(ip) for ip in forged] + [str(client)] + hops
    assert proxies.client_address("10.9.9.9", ", ".join(chain), TRUSTED) == str(client)


@given(peer=public_v4, forged=st.lists(public_v4, min_size=1, max_size=3))
def test_forwarded_headers_from_an_untrusted_peer_are_ignored(peer, forged):
    header = ", ".join(str(ip) for ip in forged)
    assert proxies.client_address(str(peer), header, TRUSTED) == str(peer)
    assert not proxies.forwarded_https(str(peer), "https", TRUSTED)


def test_every_hop_trusted_gives_the_leftmost():
    assert proxies.client_address("10.0.0.2", "10.0.0.5, 10.0.0.3", TRUSTED) == "10.0.0.5"


def test_garbage_stops_the_walk_at_the_last_proxy():
    assert proxies.client_address("10.0.0.2", "evil, 10.0.0.3", TRUSTED) == "10.0.0.3"


def test_ipv6_and_ports():
    assert proxies.trusted("fd00::1", TRUSTED)
    assert proxies.trusted("::ffff:10.1.2.3", TRUSTED)
    assert proxies.client_address("fd00::1", "[2001:db8::7]:5123", TRUSTED) == "2001:db8::7"
    assert proxies.client_address("192.0.2.1", "198.51.100.4:443", TRUSTED) == "198.51.100.4"


def test_https_from_a_trusted_proxy():
    assert proxies.forwarded_https("192.0.2.1", "https", TRUSTED)
    assert proxies.forwarded_https("192.0.2.1", "HTTPS, http", TRUSTED)
    assert not proxies.forwarded_https("192.0.2.1", "http", TRUSTED)


def test_a_request_without_a_peer_has_no_address_rather_than_a_made_up_one():
    """Django builds such requests itself (`Client.force_login`); django-axes stores the address
    in an inet column on PostgreSQL, which takes NULL but refuses a word like "unknown"."""
    from django.http import HttpRequest

    assert proxies.request_client(HttpRequest()) is None
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "192.0.2.9"
    assert proxies.request_client(request) == "192.0.2.9"
    request.client_address = "203.0.113.7"
    assert proxies.request_client(request) == "203.0.113.7"
