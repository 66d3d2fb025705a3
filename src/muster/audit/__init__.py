"""The audit log: who saw, exported or changed which child's record, when, from where and why.

Issue "People, roles and trust": every view of a child's record, every export and every change
(before and after) is an entry; entries are append-only and chained by hash so tampering shows;
a data protection officer searches them in the admin; retention removes the oldest. Everything
that writes an entry calls `muster.audit.log.record_event`.
"""
