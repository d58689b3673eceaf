"""config.db.progress_transaction: one transaction that does not wait for the WAL flush."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.models import User
from config.db import progress_transaction
from tests.factories import UserFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"
)


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_its_commit_does_not_wait_for_the_disk_and_the_next_transaction_does():
    before = synchronous_commit()
    assert before != "off"
    with progress_transaction():
        assert connection.in_atomic_block
        assert synchronous_commit() == "off"
    assert synchronous_commit() == before  # SET LOCAL ends with its transaction
    with transaction.atomic():
        assert synchronous_commit() == before


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_inside_another_transaction_it_leaves_that_transaction_durable():
    with transaction.atomic():
        with progress_transaction():
            assert synchronous_commit() != "off"
        assert synchronous_commit() != "off"


@pytest.mark.django_db(transaction=True)
def test_its_writes_commit_together_or_not_at_all():
    user = UserFactory(username="before")
    with progress_transaction():
        User.objects.filter(pk=user.pk).update(username="after")
    user.refresh_from_db()
    assert user.username == "after"

    with pytest.raises(RuntimeError), progress_transaction():
        User.objects.filter(pk=user.pk).update(username="lost")
        raise RuntimeError("the step failed half-way")
    user.refresh_from_db()
    assert user.username == "after"
    assert not connection.in_atomic_block
