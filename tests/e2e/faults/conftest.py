"""Fault fixtures: `outage`, a few connectivity failures each test runs through; `bearer`, a
partner session's credential for the reservation the tests send."""

import pytest

from support.outages import OUTAGES


@pytest.fixture(params=["connection cut", "server shutting down", "connection already closed"])
def outage(request, tmp_path):
    """A few connectivity failures, each run through the paths below."""
    return OUTAGES[request.param](tmp_path)


@pytest.fixture
def bearer(partner, catalog, api_client, build_token):
    return api_client.session(build_token())
