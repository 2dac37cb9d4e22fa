"""Everything `jackpot demo` sets up: the database, the demo catalogue, the demo partner, a portal
login of that partner and an operator (superuser) login, and the banner that prints them.

The partner's credentials and both passwords are random the first time and kept in
var/demo-partner.json (mode 0600, written by `_save` only), so that every run of the demo, and
the demo partner page (`widget.views.demo`), use the same working ones. Deleting the database
keeps them: the partner is created again with the saved apiSignature and apiKey.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from jackpot.catalog import importer
from jackpot.partners import credentials
from jackpot.partners import domains as domain_rules
from jackpot.partners.models import Partner, PartnerUser
from jackpot.vouchers import catalogue_import

PARTNER_ID = "demo"
PORTAL_USER = "demo"
OPERATOR_USER = "operator"
LOGIN_KEYS = ("portalUser", "portalPassword", "operatorUser", "operatorPassword")
LOOPBACK = ("127.0.0.1", "localhost")
UNSPECIFIED = ("0.0.0.0", "::")  # noqa: S104 - `--host 0.0.0.0` is reached on the loopback too


def credentials_path() -> Path:
    return Path(settings.DATA_DIR) / "demo-partner.json"


def _save(path: Path, data: dict) -> None:
    """The credentials file, created never readable by others, not even briefly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as saved_file:
        saved_file.write(json.dumps(data, indent=2))


def _ensure_logins(data: dict) -> dict:
    """Create or repair the portal and operator logins named in `data` (random passwords the
    first time); returns `data` with the four login fields."""
    data = dict(data)
    data.setdefault("portalUser", PORTAL_USER)
    data.setdefault("portalPassword", secrets.token_urlsafe(12))
    data.setdefault("operatorUser", OPERATOR_USER)
    data.setdefault("operatorPassword", secrets.token_urlsafe(12))

    users = get_user_model().objects
    portal = users.filter(username=data["portalUser"]).first() or users.create_user(
        data["portalUser"]
    )
    if not portal.check_password(data["portalPassword"]):
        portal.set_password(data["portalPassword"])
        portal.save()
    PartnerUser.objects.update_or_create(
        user=portal, defaults={"partner": Partner.objects.get(pk=PARTNER_ID)}
    )
    operator = users.filter(username=data["operatorUser"]).first() or users.create_superuser(
        data["operatorUser"], "operator@localhost", data["operatorPassword"]
    )
    if not operator.check_password(data["operatorPassword"]):
        operator.set_password(data["operatorPassword"])
        operator.is_staff = operator.is_superuser = True
        operator.save()
    return data


def demo_domains(base: str) -> list[str]:
    """The demo partner's authorised domains when the platform serves on `base`: the loopback
    names (and the host served on, if it is another) with that port only.

    The demo page is served by the platform itself and its widget exchanges a token that names
    no partner, so the page's Origin must be the demo partner's. Owning the serving port only,
    not all of `localhost`, leaves every other port of the machine to partners created later
    (`localhost:3000` for a shop in development): each keeps its own exchanges.
    """
    served = domain_rules.origin(base)
    if served is None:
        raise ValueError(f"not a URL: {base!r}")
    hosts = list(LOOPBACK)
    if served.host not in hosts and served.host not in UNSPECIFIED:
        hosts.insert(0, served.host)
    return [str(domain_rules.Entry(host, served.port)) for host in hosts]


def ensure_demo_partner(base: str | None = None) -> dict:
    """The demo partner and its two logins, as saved in the data folder; created (again) when
    missing. Returns the partner's credentials (id, apiSignature, apiKey, clientSecret,
    webhookSecret, and `test`: the same four of its test mode) and the logins (portalUser,
    portalPassword, operatorUser, operatorPassword).

    `base` is where the platform serves (`jackpot demo --host/--port`, a test's live server):
    the partner's domains follow it (`demo_domains`). Without it, a new partner gets those of
    JACKPOT_PUBLIC_URL and an existing one keeps its own. A `ValidationError` says the serving
    origin is already another partner's.
    """
    path = credentials_path()
    saved = json.loads(path.read_text()) if path.exists() else None
    partner = Partner.objects.filter(pk=PARTNER_ID).first()
    if saved and partner is not None:
        data = dict(saved)
        wanted = demo_domains(base) if base else partner.domain_list
        if partner.domain_list != wanted:
            credentials.update_integration(
                partner, domains=wanted, notification_url=partner.notification_url
            )
    else:
        Partner.objects.filter(pk=PARTNER_ID).delete()
        _, issued = credentials.create_partner(
            "Demo Cashback",
            partner_id=PARTNER_ID,
            domains=demo_domains(base or settings.JACKPOT_PUBLIC_URL),
            api_signature=saved["apiSignature"] if saved else None,
            api_key=saved["apiKey"] if saved else None,
        )
        data = issued.as_dict()
        data.update({k: saved[k] for k in LOGIN_KEYS if saved and k in saved})
        partner = Partner.objects.get(pk=PARTNER_ID)
    data["test"] = _test_credentials(partner, data.get("test"))
    data = _ensure_logins(data)
    if data != saved:
        _save(path, data)
    return data


def _test_credentials(partner: Partner, saved: dict | None) -> dict:
    """The demo partner's test credentials: those saved when they still work, else new ones
    (a twin made by a migration holds secrets nobody saw; they are issued again)."""
    twin = credentials.test_twin(partner)
    if twin is None:
        _, issued = credentials.create_test_twin(partner)
        return issued
    if (
        saved
        and saved.get("apiSignature") in credentials.valid_signatures(twin)
        and credentials.partner_for_api_key(saved.get("apiKey", "")) == twin
        and credentials.check_client_secret(twin, saved.get("clientSecret", ""))
    ):
        return {**saved, "webhookSecret": twin.webhook_secret}
    return {
        "apiSignature": credentials.rotate_api_signature(twin, timedelta(0)),
        "apiKey": credentials.regenerate_api_key(twin),
        "clientSecret": credentials.regenerate_client_secret(twin),
        "webhookSecret": twin.webhook_secret,
    }


def prepare(base: str | None = None) -> dict:
    """Migrate, load the demo catalogue, ensure the demo partner serving on `base`; returns
    `ensure_demo_partner`'s answer."""
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    catalogue_import.import_catalog(importer.load_file(importer.DEMO_CATALOG))
    return ensure_demo_partner(base)


BANNER = """
  Jackpot demo is running on {base}

  Demo partner page     {base}/demo/   (a fresh token and the widget on every visit)
  API docs (Swagger UI) {base}/v2/docs
  OpenAPI schema        {base}/v2/openapi.json

  Partner portal        {base}/portal/   user {portalUser}  password {portalPassword}
  Operator admin        {base}/admin/    user {operatorUser}  password {operatorPassword}

  Demo partner (also saved in {saved}):
    id            {id}
    apiSignature  {apiSignature}
    apiKey        {apiKey}
  Its test mode (same id; test vouchers: no money, no stock, TEST- codes, SPECIMEN PDFs):
    apiSignature  {test[apiSignature]}
    apiKey        {test[apiKey]}
    demo page     {base}/demo/?mode=test   (`jackpot token build --partner demo --test`)

  Try the whole flow with curl, in another terminal (from this folder):
    TOKEN=$(.venv/bin/jackpot token build --partner demo --amount 100 \\
        --cp 75000 --age 40 --gender M)
    SESSION=$(curl -s -X POST {base}/v2/token -H 'Content-Type: application/json' \\
        -d "{{\\"client_id\\": \\"demo\\", \\"assertion\\": \\"$TOKEN\\"}}" \\
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s {base}/v2/stores -H "Authorization: Bearer $SESSION"
    curl -s {base}/v2/stores/foulee/proposed-vouchers -H "Authorization: Bearer $SESSION"
    VOUCHER=$(curl -s -X POST \\
        {base}/v2/stores/foulee/offers/foulee-lancement/reserve-voucher-by-value \\
        -H "Authorization: Bearer $SESSION" -H 'Content-Type: application/json' \\
        -d '{{"value": 110}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -s {base}/v2/voucher/$VOUCHER -H 'apikey: {apiKey}'

  The worker runs beside the server (webhooks, PDFs, mails, expiry). Stop with Ctrl-C.
"""


def banner(base: str, partner: dict) -> str:
    """What `jackpot demo` prints: where everything is, the logins, and a curl walk-through."""
    return BANNER.format(base=base, saved=credentials_path(), **partner)
