"""Django's `flush`, which empties every table, the audit log's too.

Flushing destroys the whole database, so the audit log goes with it, as it does under
PostgreSQL's TRUNCATE. The append-only triggers would refuse that (SQLite flushes with row
DELETEs), so they are lifted for the flush's own transaction and put back before it commits
(`triggers.lifted_for_flush`). The test runner flushes between transactional tests.
"""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections

from muster.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        tables = set(connection.introspection.table_names())
        if not {triggers.EVENTS, triggers.CHECKPOINTS} <= tables:
            return super().handle(**options)
        with triggers.lifted_for_flush(connection):
            return super().handle(**options)
