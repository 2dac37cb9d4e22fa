"""`jackpot demo`'s backoffice logins: a user of the demo partner and an operator (superuser).

Their passwords are random, kept beside the demo partner's credentials (var/demo-partner.json,
mode 0600) so that every run of the demo prints the same working logins.
"""

import json
import os
import secrets
from pathlib import Path

PORTAL_USER = "demo"
OPERATOR_USER = "operator"


def ensure_demo_logins(data: dict, path: Path, saved: dict | None = None) -> dict:
    """Create or repair the two logins; returns `data` with portalUser/portalPassword and
    operatorUser/operatorPassword, saved to `path` when they changed."""
    from django.contrib.auth import get_user_model

    from jackpot.partners.models import Partner, PartnerUser

    data = dict(data)
    saved = saved or {}
    for key in ("portalUser", "portalPassword", "operatorUser", "operatorPassword"):
        if key not in data and key in saved:
            data[key] = saved[key]
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
        user=portal, defaults={"partner": Partner.objects.get(pk="demo")}
    )
    operator = users.filter(username=data["operatorUser"]).first() or users.create_superuser(
        data["operatorUser"], "operator@localhost", data["operatorPassword"]
    )
    if not operator.check_password(data["operatorPassword"]):
        operator.set_password(data["operatorPassword"])
        operator.is_staff = operator.is_superuser = True
        operator.save()
    on_disk = json.loads(path.read_text()) if path.exists() else None
    if on_disk != data:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as saved_file:
            saved_file.write(json.dumps(data, indent=2))
    return data
