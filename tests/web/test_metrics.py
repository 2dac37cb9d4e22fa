"""`GET /metrics`: closed to the public, by route never by path, summed over processes."""

import subprocess
import sys

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from jackpot.core import metrics_files
from support.reservations import RESERVE

TOKEN = "scrape-token-" + "s" * 30


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, token=TOKEN):
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200, answer.status_code
    samples = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


@pytest.fixture
def open_metrics(settings):
    settings.JACKPOT_METRICS_TOKEN = TOKEN
    return settings


def test_metrics_do_not_exist_without_a_token_set(db, client):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("sent", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_metrics_answer_only_the_token(db, client, open_metrics, sent):
    headers = {} if sent is None else {"HTTP_AUTHORIZATION": sent}
    assert client.get("/metrics", **headers).status_code == 404


def test_requests_are_counted_by_route_never_by_path(db, client, open_metrics, catalog):
    route = "v2/stores/<store_id>/proposed-vouchers"
    before = value("jackpot_http_requests_total", method="GET", route=route, status="401")
    client.get("/v2/stores/sportmax/proposed-vouchers")
    client.get("/v2/stores/nowhere-store/proposed-vouchers")
    samples = scrape(client)
    key = (
        "jackpot_http_requests_total",
        (("method", "GET"), ("route", route), ("status", "401")),
    )
    assert samples[key] == before + 2
    assert not any("sportmax" in str(labels) for _, labels in samples)
    assert any(name == "jackpot_http_request_duration_seconds_bucket" for name, _ in samples)


def test_token_exchanges_transitions_and_the_backlog(
    client,
    api_client,
    partner,
    catalog,
    build_token,
    open_metrics,
    django_capture_on_commit_callbacks,
):
    accepted = value("jackpot_token_exchanges_total", outcome="accepted")
    replayed = value("jackpot_token_exchanges_total", outcome="token-already-used")
    reserved = value("jackpot_voucher_transitions_total", from_state="NEW", to_state="RESERVED")
    token = build_token(amount=100)
    session = api_client.session(token)
    api_client.exchange(token)  # a replay
    with django_capture_on_commit_callbacks(execute=True):  # counted once committed
        status, _ = api_client.post(RESERVE, {"value": 30}, bearer=session)
    assert status == 201
    assert value("jackpot_token_exchanges_total", outcome="accepted") == accepted + 1
    assert value("jackpot_token_exchanges_total", outcome="token-already-used") == replayed + 1
    assert (
        value("jackpot_voucher_transitions_total", from_state="NEW", to_state="RESERVED")
        == reserved + 1
    )
    samples = scrape(client)
    for queue in ("webhook", "pdf", "mail"):
        assert ("jackpot_outbox_pending", (("queue", queue),)) in samples
        assert ("jackpot_outbox_oldest_age_seconds", (("queue", queue),)) in samples


def test_rate_limit_refusals_are_counted(db, client, settings):
    settings.JACKPOT_RATE_LIMIT_ANONYMOUS = 1
    before = value("jackpot_rate_limited_total", scope="address")
    client.get("/v2/stores")
    client.get("/v2/stores")
    assert value("jackpot_rate_limited_total", scope="address") == before + 1


COUNT_IN_A_PROCESS = """
from jackpot.core.metrics import RATE_LIMITED, WORKER_PASS
RATE_LIMITED.labels("address").inc({n})
WORKER_PASS.observe(0.02)
"""


def test_the_scrape_adds_up_every_process_of_the_node(
    db, client, open_metrics, tmp_path, monkeypatch
):
    directory = tmp_path / "metrics"
    monkeypatch.setenv("JACKPOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert metrics_files.prepare_directory(tmp_path) == directory
    for n in (2, 3):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_PROCESS.format(n=n)], check=True)
    samples = scrape(client)
    assert samples["jackpot_rate_limited_total", (("scope", "address"),)] == 5
    assert samples["jackpot_worker_pass_duration_seconds_count", ()] == 2


def test_a_new_start_removes_the_files_of_processes_gone_and_keeps_the_living(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    (tmp_path / f"counter_{gone}.db").write_bytes(b"")
    import os

    (tmp_path / f"counter_{os.getpid()}.db").write_bytes(b"")
    metrics_files.prepare_directory("/unused")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"counter_{os.getpid()}.db"]


def test_the_scrape_of_a_node_is_not_redirected_to_https(db, client, open_metrics):
    open_metrics.SECURE_SSL_REDIRECT = True
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 301
