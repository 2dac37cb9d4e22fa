"""What a compiled statement cannot say it refuses, compiled or not, instead of answering wrong.

A fixed SQL text cannot test for NULL (`= NULL` matches nothing), cannot take a list of any
length (`IN (%s, %s)`), and cannot take a flag that rewrites it (`IS NULL` / `IS NOT NULL`).
"""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connections

from jackpot.core.compiled import CompiledQuery, CompiledUpdate, NotCompilable
from jackpot.partners.models import Partner
from jackpot.tokens import sessions
from jackpot.tokens.models import Session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiling")]

AN_INSTANT = datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


@pytest.fixture
def open_session(partner, build_token):
    return sessions.exchange(build_token(), client_id=partner.pk).session


def test_a_none_value_is_refused_not_matched_against_null(open_session):
    closed_at = CompiledQuery(lambda at: Session.objects.filter(closed_at=at), AN_INSTANT)
    # The ORM would find the open session (IS NULL); `closed_at = NULL` would find nothing.
    assert Session.objects.filter(closed_at=None).count() == 1
    with pytest.raises(NotCompilable, match="None"):
        closed_at.all(None)


def test_an_update_with_a_none_value_is_refused_and_writes_nothing(open_session):
    close = CompiledUpdate(
        lambda pk, at: (Session.objects.filter(pk=pk), {"closed_at": at}),
        uuid.UUID(int=0),
        AN_INSTANT,
    )
    with pytest.raises(NotCompilable, match="None"):
        close(None, AN_INSTANT)
    assert Session.objects.get(pk=open_session.pk).closed_at is None


def test_a_flag_is_refused_where_it_would_take_another_parameters_place(partner):
    # Compiled, the example True would have bound to `enabled = True`'s parameter: a call with
    # False would have asked for disabled partners and kept `IS NULL`.
    with pytest.raises(NotCompilable, match="flag"):
        CompiledQuery(
            lambda flag: Partner.objects.filter(enabled=True, api_key_digest__isnull=flag), True
        )


@pytest.mark.parametrize("example", [[uuid.UUID(int=1)], (uuid.UUID(int=1), uuid.UUID(int=2))])
def test_an_in_list_is_refused_when_defined(example):
    with pytest.raises(NotCompilable, match="__in"):
        CompiledQuery(lambda pks: Session.objects.filter(pk__in=pks), example)


def test_a_none_example_is_refused_when_defined():
    with pytest.raises(NotCompilable, match="IS NULL"):
        CompiledQuery(lambda at: Session.objects.filter(closed_at=at), None)


def test_two_equal_examples_are_refused_when_defined():
    with pytest.raises(NotCompilable, match="twice"):
        CompiledQuery(
            lambda key, user: Session.objects.filter(notification_key=key, user_id=user),
            "example",
            "example",
        )


def test_one_value_in_a_list_written_by_the_statement_is_fine(open_session):
    one = CompiledQuery(lambda pk: Session.objects.filter(pk__in=[pk]), uuid.UUID(int=0))
    assert [s.pk for s in one.all(open_session.pk)] == [open_session.pk]
    assert one.all(uuid.uuid4()) == []


def test_the_switch_runs_the_orm_and_keeps_no_compiled_plan(open_session, compiling):
    by_key = CompiledQuery(
        lambda key: Session.objects.filter(notification_key=key), "key-example-only-here"
    )
    assert [s.pk for s in by_key.all(open_session.notification_key)] == [open_session.pk]
    kept = [name for name in vars(connections["default"]) if name == by_key._key]
    assert kept == ([by_key._key] if compiling else [])
