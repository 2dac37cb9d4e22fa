"""A compiled query answers what its queryset answers, for any values, on every connection.

Every test runs twice: compiled, and with `JACKPOT_COMPILED_STATEMENTS` off (the plain ORM), so
both ways are held to the same answers.
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_save
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from jackpot.catalog.models import Store
from jackpot.core.compiled import CompiledQuery, CompiledUpdate, insert, save
from jackpot.tokens import sessions
from jackpot.tokens.models import Session, TokenBurn
from jackpot.vouchers.models import Voucher

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiling")]

by_digest = CompiledQuery(
    lambda digest: Session.objects.select_related("partner").filter(credential_digest=digest),
    "0" * 64,
)
locked = CompiledQuery(
    lambda pk: (
        Session.objects.select_for_update()
        .annotate(has_voucher=Exists(Voucher.objects.filter(session_id=OuterRef("pk"))))
        .filter(pk=pk)
    ),
    uuid.UUID(int=0),
)


@pytest.fixture
def opened(partner, build_token):
    return [
        sessions.exchange(
            build_token(amount=amount, notificationKey=f"nk-{amount}"), client_id=partner.pk
        )
        for amount in (20, 35.5)
    ]


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_each_value_finds_its_own_row_as_the_orm_reads_it(opened):
    for one in opened:
        digest = one.session.credential_digest
        found = by_digest.first(digest)
        expected = Session.objects.select_related("partner").get(credential_digest=digest)
        assert fields(found) == fields(expected)
        assert isinstance(found.amount, Decimal) and isinstance(found.claims, dict)
        assert fields(found.partner) == fields(expected.partner)  # select_related, no query


def test_the_related_object_costs_no_second_query(opened, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = by_digest.first(opened[1].session.credential_digest)
        assert found.partner.name == "Acme"


def test_no_row_is_none(opened):
    assert by_digest.first("f" * 64) is None
    assert by_digest.all("f" * 64) == []


def test_annotations_and_uuid_values(opened):
    with transaction.atomic():
        found = locked.first(opened[0].session.pk)
    assert found.pk == opened[0].session.pk
    assert found.has_voucher is False


@pytest.mark.django_db(transaction=True)  # the test itself is not inside a transaction
def test_a_lock_outside_a_transaction_is_refused_as_by_the_orm(opened):
    with transaction.atomic():
        locked.first(opened[0].session.pk)  # compiled on this connection
    with pytest.raises(TransactionManagementError):
        locked.first(opened[0].session.pk)


def test_an_example_that_is_not_a_parameter_is_refused_when_compiled(db, compiling):
    if not compiling:
        pytest.skip("the ORM compiles the statement on each call: nothing to refill")
    wrong = CompiledQuery(lambda digest: Session.objects.filter(credential_digest="x"), "y" * 64)
    with pytest.raises(ValueError, match="must be in the SQL parameters"):
        wrong.first("z" * 64)


def test_insert_writes_the_row_save_would_and_reads_back_the_generated_id(partner):
    first = insert(TokenBurn(partner=partner, digest="a" * 64, burned_at=timezone.now()))
    second = insert(TokenBurn(partner=partner, digest="b" * 64, burned_at=timezone.now()))
    assert first.pk is not None and second.pk > first.pk
    assert not first._state.adding and first._state.db == "default"
    stored = TokenBurn.objects.get(pk=second.pk)
    assert fields(stored) == fields(second)


def test_insert_keeps_constraints(partner):
    insert(TokenBurn(partner=partner, digest="c" * 64, burned_at=timezone.now()))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(TokenBurn(partner=partner, digest="c" * 64, burned_at=timezone.now()))


def test_insert_of_a_model_with_save_signals_goes_through_save(db):
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=Store)
    try:
        insert(Store(id="signalled", name="Signalled", slug="signalled"))
    finally:
        post_save.disconnect(listener, sender=Store)
    assert heard == [("signalled", True)]


def test_an_update_puts_each_value_wherever_the_statement_uses_it(opened):
    close = CompiledUpdate(
        lambda pk, at: (Session.objects.filter(pk=pk, closed_at__isnull=True), {"closed_at": at}),
        uuid.UUID(int=0),
        datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
    )
    at = datetime(2026, 11, 26, 4, 0, 0, 123456, tzinfo=UTC)
    assert close(opened[0].session.pk, at) == 1
    assert close(opened[0].session.pk, at) == 0  # already closed: the WHERE still applies
    assert Session.objects.get(pk=opened[0].session.pk).closed_at == at
    assert Session.objects.get(pk=opened[1].session.pk).closed_at is None


def test_save_writes_every_column_of_the_row_nones_included(opened):
    session = Session.objects.get(pk=opened[0].session.pk)
    session.closed_at = datetime(2026, 11, 26, 4, 0, 0, 1, tzinfo=UTC)
    session.age = None
    session.claims = {"amount": 20, "note": "é"}
    save(session)
    stored = Session.objects.get(pk=session.pk)
    assert fields(stored) == fields(session)
    assert fields(Session.objects.get(pk=opened[1].session.pk)) == fields(opened[1].session)


def test_save_of_a_row_that_is_gone_is_left_to_django(opened):
    session = Session.objects.get(pk=opened[0].session.pk)
    Session.objects.filter(pk=session.pk).delete()
    save(session)  # no row updated: Django's save() inserts it, as it would have
    assert Session.objects.filter(pk=session.pk).exists()
