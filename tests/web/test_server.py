"""The one production check before serving: the published development SECRET_KEY is refused,
by `jackpot serve` before granian starts and by the WSGI module for any other server."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jackpot.cli import main
from jackpot.web import server


@pytest.fixture
def production(settings):
    settings.SECRET_KEY = settings.INSECURE_SECRET_KEY
    settings.DEBUG = settings.DEMO = False
    return settings


def test_the_development_key_is_refused_in_production(production):
    with pytest.raises(ImproperlyConfigured, match="set SECRET_KEY"):
        server.check_secret_key()


@pytest.mark.parametrize("mode", ["DEBUG", "DEMO"])
def test_the_development_key_is_fine_in_demo_and_debug_mode(production, mode):
    setattr(production, mode, True)
    server.check_secret_key()


def test_a_key_of_its_own_is_fine_in_production(production):
    production.SECRET_KEY = "a-production-secret-" + "x" * 40
    server.check_secret_key()


def test_jackpot_serve_exits_2_before_starting_the_server(production, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: started.append(args))

    assert main(["serve", "--port", "8999"]) == 2

    assert started == []
    assert "set SECRET_KEY (a long random string) before serving" in capsys.readouterr().err


def test_jackpot_serve_hands_the_wsgi_application_to_granian(settings, monkeypatch):
    settings.SECRET_KEY = "a-production-secret-" + "x" * 40
    started = []
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: started.append((args, kwargs)))

    assert main(["serve", "--port", "8999", "--workers", "3", "--threads", "4"]) == 0

    assert started == [
        (
            ("jackpot.wsgi:application",),
            {"host": "127.0.0.1", "port": 8999, "workers": 3, "threads": 4},
        )
    ]


def test_the_wsgi_module_refuses_to_load_with_the_development_key(production):
    sys.modules.pop("jackpot.wsgi", None)
    try:
        with pytest.raises(ImproperlyConfigured, match="set SECRET_KEY"):
            importlib.import_module("jackpot.wsgi")
    finally:
        sys.modules.pop("jackpot.wsgi", None)
