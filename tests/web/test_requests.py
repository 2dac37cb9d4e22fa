"""The first middleware: the client behind trusted proxies, HTTPS from them, the request id."""

import pytest

STORES = "/v2/stores"  # 401 without a credential: counted against the address
PROXY = "10.0.0.7"


@pytest.fixture
def behind_proxy(settings):
    settings.JACKPOT_TRUSTED_PROXIES = "10.0.0.0/8"
    return settings


def get(client, path, remote=PROXY, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.get(path, REMOTE_ADDR=remote, **extra)


def test_anonymous_limits_count_the_real_client_behind_a_trusted_proxy(db, client, behind_proxy):
    behind_proxy.JACKPOT_RATE_LIMIT_ANONYMOUS = 2
    for _ in range(2):
        assert get(client, STORES, x_forwarded_for="198.51.100.1").status_code == 401
    assert get(client, STORES, x_forwarded_for="198.51.100.1").status_code == 429
    # Another client behind the same proxy has its own counter, even if it forges a header.
    assert get(client, STORES, x_forwarded_for="198.51.100.1, 198.51.100.2").status_code == 401


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(db, client, behind_proxy):
    behind_proxy.JACKPOT_RATE_LIMIT_ANONYMOUS = 2
    for n in range(2):
        answer = get(client, STORES, remote="203.0.113.5", x_forwarded_for=f"198.51.100.{n}")
        assert answer.status_code == 401
    answer = get(client, STORES, remote="203.0.113.5", x_forwarded_for="198.51.100.99")
    assert answer.status_code == 429


def test_without_trusted_proxies_the_forwarded_headers_mean_nothing(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 1
    assert get(client, STORES, x_forwarded_for="198.51.100.1").status_code == 401
    assert get(client, STORES, x_forwarded_for="198.51.100.2").status_code == 429


def test_https_is_believed_from_a_trusted_proxy_only(db, client, behind_proxy):
    behind_proxy.SECURE_SSL_REDIRECT = True
    assert get(client, "/", x_forwarded_proto="https").status_code == 200
    answer = get(client, "/", remote="203.0.113.5", x_forwarded_proto="https")
    assert answer.status_code == 301
    assert answer["Location"].startswith("https://")
    assert get(client, "/", x_forwarded_proto="http").status_code == 301


def test_the_probes_are_never_redirected_to_https(db, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert get(client, "/healthz").status_code == 200


@pytest.mark.parametrize("path", [STORES, "/", "/healthz", "/v2/nowhere"])
def test_every_answer_carries_the_request_id_it_was_given(db, client, path):
    assert get(client, path, x_request_id="req-42 from the LB")["X-Request-Id"] == (
        "req-42 from the LB"
    )


@pytest.mark.parametrize("sent", [None, "", "x" * 129, "bad\nid", "caf\u00e9"])
def test_a_missing_or_unfit_request_id_is_replaced_by_a_new_one(db, client, sent):
    headers = {} if sent is None else {"x_request_id": sent}
    first = get(client, STORES, **headers)["X-Request-Id"]
    second = get(client, STORES, **headers)["X-Request-Id"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_rate_limited_answer_carries_the_request_id_too(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 1
    get(client, STORES)
    answer = get(client, STORES, x_request_id="abc")
    assert answer.status_code == 429 and answer["X-Request-Id"] == "abc"


def test_login_lockouts_count_the_real_client_behind_a_trusted_proxy(db, client, behind_proxy):
    from axes.models import AccessAttempt

    client.post(
        "/portal/login/",
        {"username": "nobody", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.23"]
