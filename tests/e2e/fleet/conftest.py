"""The fleet's fixtures: Redis database 12 flushed around each test, and two server nodes on
the PostgreSQL test database and that Redis (support/fleet.py)."""

import pytest
from django.db import connection

from support.faults import postgres_url
from support.fleet import Node, flush_redis, node_environment, redis_unreachable

RATE_LIMIT = 8  # requests a minute per credential: low, so that a few calls reach it


@pytest.fixture
def shared_redis():
    reason = redis_unreachable()
    if reason:
        pytest.skip(reason)
    flush_redis()
    yield
    flush_redis()


@pytest.fixture
def database_url(transactional_db):
    return postgres_url(connection.settings_dict)


@pytest.fixture
def start_nodes(shared_redis, database_url, tmp_path):
    """start_nodes(n, **env) -> n started servers; all are stopped after the test."""
    started = []

    def start(count: int = 2, **extra) -> list[Node]:
        limits = {"JACKPOT_RATE_LIMIT": RATE_LIMIT, "JACKPOT_RATE_LIMIT_ANONYMOUS": 0}
        env = node_environment(database_url, tmp_path, **(limits | extra))
        nodes = [Node(env, tmp_path / f"node-{n}.log", threads=2) for n in range(count)]
        started.extend(nodes)
        for node in nodes:
            node.start()
        return nodes

    yield start
    for node in started:
        node.stop()
