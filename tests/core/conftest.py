import pytest


@pytest.fixture(params=[True, False], ids=["compiled", "orm"])
def compiling(request, settings):
    """Each test twice: with compiled statements, then with the plain ORM they stand in for."""
    settings.JACKPOT_COMPILED_STATEMENTS = request.param
    return request.param
