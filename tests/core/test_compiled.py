"""A compiled query answers what its queryset answers, for any values, on every connection."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError

from jackpot.core.compiled import CompiledQuery
from jackpot.tokens import sessions
from jackpot.tokens.models import Session
from jackpot.vouchers.models import Voucher

pytestmark = pytest.mark.django_db

by_digest = CompiledQuery(
    lambda digest: Session.objects.select_related("partner").filter(credential_digest=digest),
    "0" * 64,
)
locked = CompiledQuery(
    lambda pk: (
        Session.objects.select_for_update(of=("self",))
        .annotate(
            has_voucher=Exists(
                Voucher.objects.filter(
                    partner_id=OuterRef("partner_id"), notification_key=OuterRef("notification_key")
                )
            )
        )
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


def test_an_example_that_is_not_a_parameter_is_refused_when_compiled(db):
    wrong = CompiledQuery(lambda digest: Session.objects.filter(credential_digest="x"), "y" * 64)
    with pytest.raises(ValueError, match="must be in the SQL parameters"):
        wrong.first("z" * 64)
