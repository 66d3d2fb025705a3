"""What someone with the database owner's rights could do to the audit log, written as they
would write it: lift the append-only triggers with their own SQL, then change rows directly.

Verification must find every such change; the tests use these helpers for nothing else.
"""

from __future__ import annotations

from django.db import connection

from muster.audit import triggers

_LIFT = {
    "sqlite": [
        "DROP TRIGGER audit_event_no_update",
        "DROP TRIGGER audit_event_no_delete",
        "DROP TRIGGER audit_checkpoint_no_update",
        "DROP TRIGGER audit_checkpoint_no_delete",
    ],
    "postgresql": [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER",
    ],
}


def tamper(sql: str, params: list | None = None) -> int:
    """Run one statement with the triggers lifted; put them back after. Returns rows changed."""
    with connection.cursor() as cursor:
        for statement in _LIFT[connection.vendor]:
            cursor.execute(statement)
        try:
            cursor.execute(sql, params or [])
            changed = cursor.rowcount
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")
    if connection.vendor == "sqlite":
        triggers.install(connection)
    return changed


def raw(sql: str, params: list | None = None) -> int:
    """Run one statement as any client could, triggers in place."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount
