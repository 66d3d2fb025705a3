"""Database triggers that keep the audit tables append-only whatever client writes to them.

The models refuse updates and deletes, but raw SQL, a database shell or another program would
not ask them. These triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) of audit
entries and checkpoints, with one exception: DELETE of an entry at or before the latest
checkpoint, which retention records before it removes anything (`muster.audit.retention`). To
delete an entry, something must first leave a checkpoint covering it, and verification then
requires a prune entry in the chain that names that checkpoint.

Migration 0002 installs this SQL; a change to it needs a new migration calling `install` again.
Both vendors raise an integrity error, so callers see `django.db.IntegrityError` on either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

EVENTS = "audit_auditevent"
CHECKPOINTS = "audit_auditcheckpoint"
_COVERED = f"(SELECT COALESCE(MAX(last_sequence), 0) FROM {CHECKPOINTS})"
_REFUSED = "is append-only: the audit log is never changed"
_UNCOVERED = "is append-only: only entries covered by a retention checkpoint may be deleted"


def _sqlite_triggers() -> dict[str, str]:
    def refuse(name: str, when: str, table: str, message: str, condition: str = "") -> tuple[str, str]:
        return name, (
            f"CREATE TRIGGER {name} BEFORE {when} ON {table} {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{table} {message}'); END"
        )

    return dict([
        refuse("audit_event_no_update", "UPDATE", EVENTS, _REFUSED),
        refuse("audit_event_no_delete", "DELETE", EVENTS, _UNCOVERED, f"WHEN OLD.sequence > {_COVERED}"),
        refuse("audit_checkpoint_no_update", "UPDATE", CHECKPOINTS, _REFUSED),
        refuse("audit_checkpoint_no_delete", "DELETE", CHECKPOINTS, _REFUSED),
    ])


_POSTGRES_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% {_REFUSED} (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE OR REPLACE FUNCTION audit_event_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.sequence <= {_COVERED} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '% {_UNCOVERED}', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
]

_POSTGRES_TRIGGERS = {
    ("audit_event_no_update", EVENTS): "BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    ("audit_event_no_delete", EVENTS): "BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_event_delete()",
    ("audit_event_no_truncate", EVENTS): "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
    ("audit_checkpoint_no_update", CHECKPOINTS): "BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    ("audit_checkpoint_no_delete", CHECKPOINTS): "BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION audit_refuse()",
    ("audit_checkpoint_no_truncate", CHECKPOINTS): "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()",
}


def install_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            statement
            for name, create in _sqlite_triggers().items()
            for statement in (f"DROP TRIGGER IF EXISTS {name}", create)
        ]
    if vendor == "postgresql":
        return _POSTGRES_FUNCTIONS + [
            statement
            for (name, table), body in _POSTGRES_TRIGGERS.items()
            for statement in (
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} {body.format(table=table)}",
            )
        ]
    raise ImproperlyConfigured(f"the audit log's triggers exist for SQLite and PostgreSQL, not {vendor}")


def remove_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_triggers()]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in _POSTGRES_TRIGGERS] + [
            "DROP FUNCTION IF EXISTS audit_refuse()",
            "DROP FUNCTION IF EXISTS audit_event_delete()",
        ]
    raise ImproperlyConfigured(f"the audit log's triggers exist for SQLite and PostgreSQL, not {vendor}")


def install(connection) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor):
            cursor.execute(statement)


@contextmanager
def lifted_for_flush(connection) -> Iterator[None]:
    """Lift the triggers for one transaction that empties the whole database, then put them back
    in the same transaction, so no other connection ever sees the tables unguarded (both
    databases roll back DDL). Only the `flush` command uses this."""
    with transaction.atomic(using=connection.alias):
        remove(connection)
        yield
        install(connection)
