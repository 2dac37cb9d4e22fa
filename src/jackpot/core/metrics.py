"""The platform's Prometheus metrics, defined once, recorded where each event happens.

Low in the layers so that every layer may record: the API edge (requests, rate-limit refusals,
token exchanges), the voucher state machine (transitions) and the worker (passes, jobs). The
outbox backlog is not counted here but read from the database at scrape time
(`web.metrics`). Several server and worker processes add up through prometheus-client's
multiprocess mode: each process writes its values to files in PROMETHEUS_MULTIPROC_DIR
(`core.metrics_files`), and the scrape sums the files.
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "jackpot_http_requests",
    "HTTP requests answered, by route (the URL pattern, never the raw path) and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "jackpot_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TOKEN_EXCHANGES = Counter(
    "jackpot_token_exchanges",
    "Partner tokens exchanged for a session: outcome 'accepted' or the refusal's problem code.",
    ["outcome"],
)
VOUCHER_TRANSITIONS = Counter(
    "jackpot_voucher_transitions",
    "Voucher state changes, by the state left (NEW for a reservation) and the state reached.",
    ["from_state", "to_state"],
)
RATE_LIMITED = Counter(
    "jackpot_rate_limited",
    "API requests refused by the rate limit, per credential or per client address.",
    ["scope"],
)
WORKER_PASS = Histogram(
    "jackpot_worker_pass_duration_seconds",
    "Time a worker pass took (expiry, pruning, webhook deliveries, PDF and mail jobs).",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
WORKER_JOBS = Counter(
    "jackpot_worker_jobs",
    "Outbox rows the worker handled, by kind (webhook, pdf, mail) and outcome.",
    ["kind", "outcome"],
)
