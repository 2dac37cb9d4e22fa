"""The authorised-domain rule (partners.domains): what an entry may be, whose it may be, and
which browser Origins it lets in."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jackpot.partners import domains
from jackpot.partners.domains import Entry, Origin


@pytest.mark.parametrize(
    "typed, entry",
    [
        ("Shop.Example.COM.", Entry("shop.example.com")),
        ("  localhost:3000 ", Entry("localhost", 3000)),
        ("127.0.0.1:8000", Entry("127.0.0.1", 8000)),
        ("[::1]:8000", Entry("::1", 8000)),
        ("::1", Entry("::1")),
        ("bücher.de", Entry("xn--bcher-kva.de")),
        ("straße.de", Entry("xn--strae-oqa.de")),  # as browsers encode it (UTS 46)
    ],
)
def test_an_entry_is_read_as_browsers_write_the_origin(typed, entry):
    assert domains.parse(typed) == entry


@pytest.mark.parametrize(
    "typed, code",
    [
        ("https://shop.example", "not-a-domain"),
        ("shop.example/path", "not-a-domain"),
        ("shop example", "not-a-domain"),
        ("-shop.example", "not-a-domain"),
        ("shop_1.example", "not-a-domain"),
        ("user@shop.example", "not-a-domain"),
        ("1.2.3", "not-a-domain"),
        ("shop.example:0", "not-a-port"),
        ("shop.example:65536", "not-a-port"),
        ("shop.example:http", "not-a-port"),
        ("shop.example:", "not-a-port"),
    ],
)
def test_what_is_not_a_host_and_port_is_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as refused:
        domains.parse(typed)

    assert refused.value.code == code


@pytest.mark.parametrize("suffix", ["com", "co.uk", "github.io", "example", "test", "xn--p1ai"])
def test_a_public_suffix_is_refused(suffix):
    with pytest.raises(ValidationError) as refused:
        domains.claim([suffix], others=[])

    assert [e.code for e in refused.value.error_list] == ["public-suffix"]
    assert f"{suffix} is a public suffix" in refused.value.messages[0]


@pytest.mark.parametrize("local", ["localhost", "localhost:3000", "127.0.0.1", "[::1]:80"])
def test_localhost_and_ip_addresses_are_not_suffixes(local):
    assert domains.claim([local], others=[]) == [domains.parse(local)]


@pytest.mark.parametrize(
    "mine, theirs",
    [
        ("acme.example", "acme.example"),
        ("shop.acme.example", "acme.example"),  # under theirs
        ("acme.example", "shop.acme.example"),  # over theirs
        ("localhost", "localhost:3000"),  # every port, theirs among them
        ("localhost:3000", "localhost"),
        ("shop.localhost:3000", "localhost:3000"),
        ("acme.example:443", "acme.example"),
    ],
)
def test_an_entry_overlapping_another_partner_s_is_refused_without_naming_the_partner(mine, theirs):
    with pytest.raises(ValidationError) as refused:
        domains.claim([mine], others=[theirs])

    (message,) = refused.value.messages
    assert "already authorised for another partner" in message
    assert message.startswith(str(domains.parse(mine)))


@pytest.mark.parametrize(
    "mine, theirs",
    [
        ("localhost:3000", "localhost:4000"),
        ("acme.example", "acme.example.org"),
        ("beta.example", "acme.example"),
        ("evilacme.example", "acme.example"),
        ("127.0.0.1", "127.0.0.2"),
    ],
)
def test_entries_no_origin_fits_both_of_are_two_partners(mine, theirs):
    assert domains.claim([mine], others=[theirs]) == [domains.parse(mine)]


def test_every_refusal_is_listed_and_duplicates_are_kept_once():
    assert domains.claim(["A.example", "a.example.", ""], others=[]) == [Entry("a.example")]
    with pytest.raises(ValidationError) as refused:
        domains.claim(["com", "https://x", "taken.example"], others=["taken.example"])

    assert [e.code for e in refused.value.error_list] == [
        "public-suffix",
        "not-a-domain",
        "domain-taken",
    ]


@pytest.mark.parametrize(
    "header, origin",
    [
        ("https://shop.example", Origin("shop.example", 443)),
        ("http://shop.example", Origin("shop.example", 80)),
        ("http://localhost:3000", Origin("localhost", 3000)),
        ("http://[::1]:8000", Origin("::1", 8000)),
        ("null", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_an_origin_keeps_its_port_or_its_scheme_s(header, origin):
    assert domains.origin(header) == origin


@pytest.mark.parametrize(
    "entry, header, lets_in",
    [
        ("shop.example", "https://shop.example:8443", True),
        ("shop.example", "https://m.shop.example", True),
        ("shop.example", "https://evilshop.example", False),
        ("shop.example:443", "https://shop.example", True),
        ("shop.example:443", "http://shop.example", False),
        ("localhost:3000", "http://localhost:3000", True),
        ("localhost:3000", "http://localhost:4000", False),
        ("127.0.0.1", "http://1.127.0.0.1", False),
    ],
)
def test_an_entry_with_a_port_lets_in_that_port_only(entry, header, lets_in):
    assert domains.lets_in([domains.parse(entry)], domains.origin(header)) is lets_in


LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
HOSTS = (
    st.lists(LABELS, min_size=2, max_size=4)
    .map(".".join)
    .filter(lambda h: not h.rsplit(".", 1)[1].isdigit())
)
PORTS = st.none() | st.integers(1, 65535)


@given(HOSTS, PORTS, st.sampled_from(["", "."]), st.booleans())
def test_an_entry_reads_back_as_it_is_stored(host, port, dot, upper):
    typed = (host.upper() if upper else host) + dot + ("" if port is None else f":{port}")

    entry = domains.parse(typed)

    assert entry == Entry(host, port)
    assert domains.parse(str(entry)) == entry


@given(HOSTS, PORTS, LABELS, PORTS)
def test_an_entry_lets_in_its_origin_and_overlaps_those_that_let_it_in(host, port, sub, other):
    entry = Entry(host, port)
    seen = Origin(f"{sub}.{host}", port if port is not None else other)

    assert entry.lets_in(seen.host, seen.port)
    assert entry.overlaps(Entry(seen.host, seen.port))
    ports_meet = port is None or other is None or other == port
    assert Entry(seen.host, other).overlaps(entry) is ports_meet


@given(st.text(max_size=40))
def test_any_text_is_an_entry_or_a_validation_error(text):
    try:
        entry = domains.parse(text)
    except ValidationError as refused:
        assert refused.code in {"not-a-domain", "not-a-port"}
    else:
        assert domains.parse(str(entry)) == entry
