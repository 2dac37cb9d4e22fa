"""A token `verification.verify` refuses, and the problem it refuses it with
(tests/tokens/test_verification.py and the files split from it)."""

import pytest

from jackpot.core.problems import Problem
from jackpot.tokens import verification


def refusal(token, **identification) -> Problem:
    """The problem `verify` refuses the token with (client_id defaults to acme)."""
    identification.setdefault("client_id", "acme")
    with pytest.raises(Problem) as caught:
        verification.verify(token, **identification)
    return caught.value


def assert_refused(token, code: str, status: int = 401, **identification) -> Problem:
    problem = refusal(token, **identification)
    assert (problem.code, problem.status) == (code, status), problem.detail
    return problem


def assert_claim_refused(token, field: str) -> Problem:
    problem = assert_refused(token, "invalid-token-claims", 422)
    assert problem.errors[0]["field"] == field, problem.errors
    return problem
