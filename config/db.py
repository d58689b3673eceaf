"""Database helpers shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def progress_transaction() -> Iterator[None]:
    """A transaction for frequent writes that are cheap to lose: a job's progress steps.

    On PostgreSQL its COMMIT does not wait for the write-ahead log to reach the disk
    (`SET LOCAL synchronous_commit TO OFF`), so a progress event leaves as soon as the row is
    written instead of after an fsync (which took 40-80 ms now and then on the benchmark
    machine: docs/benchmarks.md, issue 3). If the database server itself crashes, the last
    few hundred milliseconds of such commits can be lost, whole (the database stays
    consistent); the next progress step writes the progress again. State changes (queued,
    processing, completed, failed, cancelled) keep synchronous commits.

    Inside another transaction it is a savepoint and changes nothing: the outer transaction's
    commit decides how durable it is.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
