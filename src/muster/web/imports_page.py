"""The Imports page: a marks CSV uploaded by a school's attendance staff goes through the same
import as `muster import marks` (muster.registers.imports), after a check that every row is for a
pupil on the roll of a school whose registers the person keeps. A file with any bad row changes
nothing and each bad row is named by line and field (issue 6 page 8; formats.md)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from muster.core.best_mark import OnConflict
from muster.core.exchange import marks_file
from muster.core.exchange.csv_file import FileRejected, RowError, read_rows
from muster.core.roles import Action, RecordKind
from muster.people import access
from muster.registers import imports
from muster.registers.imports import ImportResult

MAX_BYTES = 20 * 1024 * 1024
"""A term of a large school's marks is a few MB; anything bigger goes through `muster import`."""

CONFLICT_CHOICES = [
    (OnConflict.REJECT.value, "Refuse the file (nothing changes)"),
    (OnConflict.BEST.value, "Keep the better mark (present, then approved activity, authorised, unauthorised)"),
    (OnConflict.REPLACE.value, "Take the file's mark (the old one is kept in its history)"),
]
"""What to do with a session that already has a different mark, as `--on-conflict` offers."""


class UploadRefused(ValueError):
    """No file, or one too big, in words for the person."""


def import_upload(*, upload, user, schools, on_conflict: str) -> ImportResult:
    """Import `upload` (a Django UploadedFile) for `user`, who keeps the registers of `schools`.
    Raises FileRejected with every bad row, UploadRefused, or the import's StaleRegister."""
    if upload is None or not upload.name:
        raise UploadRefused("Choose a CSV file of marks")
    if upload.size > MAX_BYTES:
        raise UploadRefused(f"The file is over {MAX_BYTES // (1024 * 1024)} MB: import it with `muster import marks`")
    try:
        conflict = OnConflict(on_conflict)
    except ValueError:
        raise UploadRefused("Choose what to do with a session that already has a different mark") from None
    label = Path(upload.name).name
    with tempfile.TemporaryDirectory(prefix="muster-upload-") as folder:
        path = Path(folder) / "marks.csv"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        refused = out_of_reach(path, label=label, user=user, schools=schools)
        if refused:
            raise FileRejected(refused)
        return imports.import_marks(path, on_conflict=conflict, user=user, name=label)


def out_of_reach(path: Path, *, label: str, user, schools) -> list[RowError]:
    """Rows for a school or pupil whose register the person may not change, and, when there are
    any, the import's own findings on the other rows, so one reading lists every bad row. A pupil
    of another school gets the same words as a pupil who does not exist (nothing leaks)."""
    errors: list[RowError] = []
    rows = list(read_rows(path, marks_file.COLUMNS, name=label, errors=errors))
    urns = {s.urn for s in schools}
    upns = {r.get("upn", "").strip() for _, r in rows}
    reachable = set(
        access.enrolments_visible_to(user, Action.CHANGE, RecordKind.REGISTER)
        .filter(school__urn__in=urns, pupil__upn__in=upns).values_list("pupil__upn", "school__urn")
    )
    scope: list[RowError] = []
    for line, row in rows:
        upn, urn = row.get("upn", "").strip(), row.get("school_urn", "").strip()
        if urn not in urns:
            scope.append(RowError(label, line, "school_urn", urn, "not a school whose registers you keep"))
        elif (upn, urn) not in reachable:
            scope.append(RowError(label, line, "upn", upn, f"not a pupil on the roll of {urn}"))
    if not scope:
        return []
    bad_lines = {e.line for e in scope}
    context = imports.DatabaseMarksContext(upns, urns)
    marks_file.check_marks([(n, r) for n, r in rows if n not in bad_lines], context, file=label, errors=errors)
    return errors + scope
