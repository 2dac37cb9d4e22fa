"""Authorised domains: what a partner may claim, and which browser Origin an entry lets in.

An entry is `host` or `host:port`. The host authorises its sub-domains too, so a claim decides
whose browser token exchanges a page's Origin routes to (tokens.verification) and to which pages
the API's answers are shared (api.cors). Hence the two rules that keep one partner from breaking
another's widget: no public suffix (a claim on `com` or `github.io` covers strangers' sites), and
a host, with its sub-domains, belongs to one partner only. Ports let several partners share a
development host (`localhost:3000`, `localhost:4000`): an entry with a port lets in that port
only, one without lets in every port.

The Public Suffix List is the copy `publicsuffixlist` ships, read once, never downloaded.
`localhost` and IP addresses are not under the list and are accepted (local development, the
demo partner).
"""

import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from publicsuffixlist import PublicSuffixList

LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
DEFAULT_PORTS = {"http": 80, "https": 443}
LOCAL_HOSTS = {"localhost"}


@functools.cache
def _suffixes() -> PublicSuffixList:
    """The list bundled with the package (no `source`: nothing is fetched)."""
    return PublicSuffixList()


@dataclass(frozen=True)
class Entry:
    """One authorised domain: a lower-case ASCII host (or IP address) and an optional port."""

    host: str
    port: int | None = None

    @property
    def is_ip(self) -> bool:
        return _ip(self.host) is not None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"

    def covers_host(self, host: str) -> bool:
        """The host itself, or one of its sub-domains (an IP address has none)."""
        return host == self.host or (not self.is_ip and host.endswith("." + self.host))

    def lets_in(self, host: str, port: int | None) -> bool:
        return self.covers_host(host) and (self.port is None or self.port == port)

    def overlaps(self, other: "Entry") -> bool:
        """Some Origin both entries let in: the hosts are one or nest, and the ports meet."""
        hosts = self.covers_host(other.host) or other.covers_host(self.host)
        ports = self.port is None or other.port is None or self.port == other.port
        return hosts and ports


def _ip(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _not_a_domain(text: str) -> ValidationError:
    return ValidationError(
        _(
            "Not a domain name: %(entry)s (give a host name, with a port if you need one, such as "
            "shop.example.com or localhost:3000; without https:// or a path)."
        ),
        code="not-a-domain",
        params={"entry": text},
    )


def _split_port(text: str) -> tuple[str, str | None]:
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _not_a_domain(text)
        return host, rest[1:] if rest else None
    if text.count(":") == 1:
        host, _colon, port = text.partition(":")
        return host, port
    return text, None  # a bare IPv6 address, or no port


def _ascii_host(host: str, text: str) -> str:
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise _not_a_domain(text) from None
    labels = host.split(".")
    if len(host) > 253 or not all(LABEL.fullmatch(label) for label in labels):
        raise _not_a_domain(text)
    if labels[-1].isdigit():  # browsers read a numeric last label as an IPv4 address
        raise _not_a_domain(text)
    return host


def parse(text: str) -> Entry:
    """An entry as typed (`Shop.Example.com.`, `localhost:3000`, `bücher.de`), checked and
    normalised; `ValidationError` says what is wrong with it."""
    raw = text
    text = text.strip().lower()
    if not text or any(c in text for c in "/?#@ \t\\") or "://" in text:
        raise _not_a_domain(raw.strip())
    host, port_text = _split_port(text)
    host = host.rstrip(".")
    port = None
    if port_text is not None:
        if not re.fullmatch(r"[0-9]{1,5}", port_text) or not 1 <= int(port_text) <= 65535:
            raise ValidationError(
                _("Not a port: %(entry)s (a port is a number from 1 to 65535)."),
                code="not-a-port",
                params={"entry": raw.strip()},
            )
        port = int(port_text)
    address = _ip(host)
    if address is not None:
        return Entry(str(address), port)
    if ":" in host:
        raise _not_a_domain(raw.strip())
    return Entry(_ascii_host(host, raw.strip()), port)


@functools.lru_cache(maxsize=4096)
def stored(text: str) -> Entry | None:
    """An entry as kept in `Partner.domains`; None for one an older version let in that cannot
    be read (it never matched an Origin, and existing data is not rewritten)."""
    try:
        return parse(text)
    except ValidationError:
        return None


def stored_entries(lines: Iterable[str]) -> list[Entry]:
    return [entry for entry in map(stored, lines) if entry is not None]


def is_public_suffix(entry: Entry) -> bool:
    """`com`, `co.uk`, `github.io`, and single labels the list does not know (`example`), which
    its default rule makes suffixes; never `localhost` or an IP address."""
    if entry.is_ip or entry.host in LOCAL_HOSTS:
        return False
    return _suffixes().is_public(entry.host)


def _taken(entry: Entry) -> ValidationError:
    if entry.host in LOCAL_HOSTS or entry.host.endswith(".localhost") or entry.is_ip:
        message = _(
            "%(domain)s is already authorised for another partner. On a development machine, "
            "serve your page on a port of its own and name it (such as localhost:3000)."
        )
    else:
        message = _(
            "%(domain)s is already authorised for another partner: a domain and its sub-domains "
            "belong to one partner only."
        )
    return ValidationError(message, code="domain-taken", params={"domain": str(entry)})


def claim(texts: Iterable[str], others: Iterable[str]) -> list[Entry]:
    """The entries a partner asks for, parsed, without duplicates, checked against the public
    suffixes and against `others` (every entry of every other partner, enabled or not).

    Raises one `ValidationError` listing every refused entry; the messages name the domain,
    never the partner that holds it.
    """
    taken = stored_entries(others)
    entries: list[Entry] = []
    errors: list[ValidationError] = []
    for text in texts:
        if not text.strip():
            continue
        try:
            entry = parse(text)
        except ValidationError as error:
            errors.append(error)
            continue
        if entry in entries:
            continue
        if is_public_suffix(entry):
            errors.append(
                ValidationError(
                    _(
                        "%(domain)s is a public suffix, shared by many owners (like com or "
                        "co.uk): give your own domain under it, such as shop.%(domain)s."
                    ),
                    code="public-suffix",
                    params={"domain": str(entry)},
                )
            )
        elif any(entry.overlaps(other) for other in taken):
            errors.append(_taken(entry))
        entries.append(entry)
    if errors:
        raise ValidationError(errors)
    return entries


def split(text: str) -> list[str]:
    """The lines of a domains field as typed (commas separate too)."""
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@dataclass(frozen=True)
class Origin:
    """A browser's `Origin` header: its host and its port (the scheme's default when absent)."""

    host: str
    port: int | None

    def __str__(self) -> str:
        return str(Entry(self.host, self.port))


def origin(header: str | None) -> Origin | None:
    """The Origin a browser sent, or None (absent, `null`, unreadable)."""
    if not header or header == "null":
        return None
    try:
        parts = urlsplit(header)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    return Origin(host, port if port is not None else DEFAULT_PORTS.get(parts.scheme))


def lets_in(entries: Iterable[Entry], seen: Origin | None) -> bool:
    return seen is not None and any(e.lets_in(seen.host, seen.port) for e in entries)


def specificity(entries: Iterable[Entry], seen: Origin) -> tuple[int, int] | None:
    """How closely the entries fit the Origin (a port named, then a longer host), or None when
    none lets it in: where data older than the ownership rule overlaps, the closest owner wins."""
    fits = [(e.port is not None, len(e.host)) for e in entries if e.lets_in(seen.host, seen.port)]
    return max(fits) if fits else None
