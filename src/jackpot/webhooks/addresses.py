"""Where a delivery may go: URLs with the notificationKey, and the guard against private targets.

In production mode a notification URL is an attacker-chosen address (any partner sets its own),
so a delivery never reaches loopback, private, link-local or otherwise non-public addresses
(SSRF: cloud metadata at 169.254.169.254, the database next door, …). The host is resolved once,
every address checked, and the request then goes to the checked address (the Host header and TLS
name stay the partner's), so a DNS answer that changes between check and connect cannot
redirect it. Redirects are never followed. Demo, debug and test modes allow any address.
"""

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class Refused(Exception):
    """The URL may not be delivered to; the message says why, for the delivery log."""


def with_notification_key(url: str, notification_key: str | None) -> str:
    """Add `notificationKey` to the URL's query (keeping what is there), drop any fragment."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if notification_key:
        query = [(k, v) for k, v in query if k != "notificationKey"]
        query.append(("notificationKey", notification_key))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for any address that is not a public unicast one."""
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None and forbidden(mapped):
        return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class Target:
    """What to connect to: the URL to request and, when pinned, the name to present."""

    url: str
    host_header: str | None = None
    extensions: dict = field(default_factory=dict)


def check(url: str, *, guard: bool) -> Target:
    """Check a URL before a delivery; with `guard`, pin it to a checked public address.

    Raises `Refused` for a URL that is not http(s), has no host, or (guarded) resolves to an
    address that is not public.
    """
    if not url:
        raise Refused("refused: the partner has no notification URL any more")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"refused: only http and https URLs are delivered to, not {parts.scheme!r}")
    host = parts.hostname
    if not host:
        raise Refused("refused: the notification URL has no host")
    if parts.username or parts.password:
        raise Refused("refused: credentials in the notification URL are not supported")
    if not guard:
        return Target(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("refused: the notification URL has an invalid port") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"refused: cannot resolve {host}: {exc}") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if forbidden(address):
            raise Refused(
                f"refused: {host} resolves to {address}, a loopback, private or reserved address "
                "(production mode delivers only to public addresses)"
            )
        addresses.append(address)
    if not addresses:
        raise Refused(f"refused: {host} has no address")
    pinned = addresses[0]
    literal = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned_url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Target(pinned_url, host_header=host_header, extensions=extensions)
