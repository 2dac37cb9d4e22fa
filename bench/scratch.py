"""A scratch PostgreSQL database for the benchmarks, and the data a partner's load needs.

`prepare(url)` drops and recreates the database, migrates it, imports the demo catalogue with
its budgets lifted (a bench must never run a campaign dry: that would measure refusals), and
creates the bench partner. The partner's secrets are fixed so that the load process can sign
tokens and confirm vouchers without talking to the server first.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jackpot_bench"
PARTNER = "bench"
SIGNATURE = "bench-api-signature-" + "0123456789abcdef" * 3
API_KEY = "bench-api-key-" + "fedcba9876543210" * 3
SECRET_KEY = "bench-secret-key-" + "0123456789" * 5

SEED = f"""
import sys
import django
django.setup()
from jackpot.catalog import importer
from jackpot.vouchers import catalogue_import
from jackpot.catalog.models import Campaign
from jackpot.partners import credentials
catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
Campaign.objects.update(budget=None, max_vouchers=None)
credentials.create_partner(
    "Bench", partner_id={PARTNER!r}, domains=["bench.example"], confirmation_mode="manual",
    api_signature={SIGNATURE!r}, api_key={API_KEY!r}, notification_url=sys.argv[1],
)
"""


def server_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of `jackpot serve` and `jackpot migrate` on the scratch database."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "JACKPOT_RATE_LIMIT": "0",  # the load comes from one address and one partner
        "JACKPOT_RATE_LIMIT_ANONYMOUS": "0",
        "DJANGO_SETTINGS_MODULE": "jackpot.settings",
        **extra,
    }
    env.pop("JACKPOT_TESTING", None)
    return env


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def recreate(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def prepare(url: str = DEFAULT_URL, notification_url: str = "") -> None:
    """A fresh database with the demo catalogue and the bench partner (notified at that URL)."""
    recreate(url)
    env = server_env(url)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "jackpot.cli", "migrate"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED, notification_url], env=env, check=True, cwd=ROOT
    )


def drop(url: str) -> None:
    with psycopg.connect(admin_url(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def django_here(database_url: str) -> None:
    """Django in this process on `database_url`, migrated: for the benches that call the
    services directly (micro, pdf, lease) rather than through a server."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "jackpot.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["JACKPOT_TESTING"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
