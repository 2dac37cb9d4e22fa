"""SPEC §3, the session a token opens: one hour, its credential random and stored only as a
digest, the token's claims kept."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from support.tokens import assert_opened

pytestmark = pytest.mark.django_db


def test_a_session_lasts_one_hour(post_token, build_token):
    before = timezone.now()
    body = assert_opened(post_token(build_token()))
    session = Session.objects.get(pk=body["session"]["id"])

    assert before <= session.created_at <= timezone.now()
    assert session.expires_at - session.created_at == timedelta(hours=1)
    assert session.is_live()
    assert body["session"]["expiresAt"].endswith("Z")


def test_the_session_credential_is_stored_only_as_a_digest(post_token, build_token):
    credential = assert_opened(post_token(build_token()))["access_token"]
    session = Session.objects.get()

    assert session.credential_digest != credential
    assert session.credential_digest == hashlib.sha256(credential.encode()).hexdigest()
    for field in Session._meta.concrete_fields:
        stored = json.dumps(getattr(session, field.attname), default=str)
        assert credential not in stored, field.name
        assert credential.removeprefix("jks_") not in stored, field.name


def test_the_session_credential_is_random_and_finds_its_session(post_token, build_token):
    first = assert_opened(post_token(build_token()))["access_token"]
    second = assert_opened(post_token(build_token()))["access_token"]

    assert first != second
    assert len(first.removeprefix("jks_")) >= 43  # 32 random bytes, base64url
    assert sessions.session_for_credential(first).pk != sessions.session_for_credential(second).pk
    assert sessions.session_for_credential(first[:-1] + ("A" if first[-1] != "A" else "B")) is None
    assert sessions.session_for_credential("not-a-credential") is None


def test_the_session_keeps_the_tokens_claims(post_token, build_token):
    token = build_token(
        cp="2A004", forceManualConfirm=True, email="user@example.com", customTransactionId="tx-42"
    )
    body = assert_opened(post_token(token))
    session = Session.objects.get(pk=body["session"]["id"])

    assert (session.postcode, session.age, session.gender) == ("2A004", 40, "M")
    assert session.force_manual_confirm is True
    assert session.email == "user@example.com"
    assert session.custom_transaction_id == "tx-42"
    assert session.claims["cp"] == "2A004"
    assert session.partner_id == "acme"
