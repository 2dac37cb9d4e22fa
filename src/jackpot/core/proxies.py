"""Who the client is behind a reverse proxy (JACKPOT_TRUSTED_PROXIES).

A proxy tells the server the address it took a request from by appending it to
`X-Forwarded-For`, and the scheme in `X-Forwarded-Proto`. Anybody can send those headers, so
they are believed only from a peer the operator listed: when the direct peer (REMOTE_ADDR) is a
trusted proxy, `X-Forwarded-For` is read from the right, each trusted address skipped (a chain
of proxies), and the first other address is the client. Addresses left of it were written by
the client itself and mean nothing. With no proxy trusted (the default), REMOTE_ADDR is the
client and the headers are ignored.
"""

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def networks(spec: str) -> tuple[Network, ...]:
    """The comma-separated IPs and CIDRs of `spec` as networks; ValueError names a bad one."""
    found = []
    for item in spec.split(","):
        item = item.strip()
        if item:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"JACKPOT_TRUSTED_PROXIES: {item!r} is no IP address or CIDR"
                ) from None
    return tuple(found)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51000"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    if not proxies:
        return False
    ip = _address(address)
    if ip is None:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in proxies)


def client_address(remote_addr: str, forwarded_for: str, proxies: tuple[Network, ...]) -> str:
    """The client's address: REMOTE_ADDR, or the rightmost untrusted `X-Forwarded-For` entry
    when REMOTE_ADDR is a trusted proxy (the leftmost entry if every one is trusted)."""
    if not forwarded_for or not trusted(remote_addr, proxies):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = remote_addr
    for hop in reversed(hops):
        if _address(hop) is None:
            break  # garbage written by someone: stop at the last address a proxy vouched for
        client = str(_address(hop))
        if not trusted(hop, proxies):
            break
    return client


def forwarded_https(remote_addr: str, forwarded_proto: str, proxies) -> bool:
    """Whether a trusted proxy says the client's request came over HTTPS."""
    first = forwarded_proto.split(",", 1)[0].strip().lower()
    return first == "https" and trusted(remote_addr, proxies)


def request_client(request) -> str | None:
    """The client's address of a request, as `web.requests` found it behind trusted proxies;
    the direct peer for a request that did not pass that middleware; None when there is none
    (a request Django builds itself, as `Client.force_login` does: django-axes stores the
    address in an `inet` column on PostgreSQL, which takes NULL but no made-up word). What rate
    limits count and django-axes locks out (AXES_CLIENT_IP_CALLABLE)."""
    return getattr(request, "client_address", None) or request.META.get("REMOTE_ADDR") or None
