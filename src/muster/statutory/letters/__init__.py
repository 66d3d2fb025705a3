"""Letters to families and the LA, merged per pupil from staff-editable Word templates.

The templates are Muster's own .docx files in `templates/` (made by `templates.py`, so the
repository holds nothing it did not write); staff edit a copy in Word or LibreOffice and upload
it (`muster letters upload`), and the latest uploaded one is used instead. Merging uses docxtpl
(Jinja tags in the document); PDFs come from LibreOffice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    title: str
    needs_case: bool
    source: str


KINDS = {
    k.kind: k
    for k in (
        Kind("below_96", "Attendance below 96%", False,
             "Seed 002 line 136: the school writes if attendance is below 96%"),
        Kind("meeting_invitation", "Invitation to an attendance meeting", False,
             "Seed 002 lines 136-140 (support first); reference 4.1"),
        Kind("notice_to_improve", "Notice to improve", True,
             "Reference 4.3: a notice to improve with an improvement period of 3 to 6 weeks"),
        Kind("penalty_notice_request", "Request for a penalty notice", True,
             "Seed 002 lines 187-191; reference 4.2, 4.4: the school asks the LA to issue"),
        Kind("evidence_pack", "Penalty-notice evidence pack for the local authority", True,
             "Seed 002 line 189: the sessions, codes and dates in the 10 school weeks; case steps"),
    )
}
