"""The targeting support meeting pack as a Word document: the agenda, who attends, and for each
pupil on the list the figures, stage, drivers, open actions and what changed since the last
meeting, with room for what is agreed. Local authorities run these meetings from Word today
(issue 10), so the pack is a document they can annotate and file.
"""

from __future__ import annotations

import io

from docx import Document

from muster.targeting.meetings import MeetingRow
from muster.targeting.models import Meeting

AGENDA = (
    "Actions agreed at the last meeting: done, or carried forward",
    "Pupils persistently or severely absent: barriers, lead practitioner, early help",
    "Pupils at risk of becoming persistently absent: the drivers and the first support",
    "Actions agreed, each with its owner and review date",
)


def pupil_name(row: MeetingRow) -> str:
    p = row.pupil
    return f"{p.preferred_name or p.legal_forename} {p.legal_surname}"


def meeting_pack(meeting: Meeting, rows: list[MeetingRow]) -> bytes:
    doc = Document()
    doc.add_heading(f"Targeting support meeting: {meeting.school.name}", level=0)
    doc.add_paragraph(f"{meeting.held_on:%A %d %B %Y}. School URN {meeting.school.urn}; "
                      f"{meeting.local_authority.name}. Official-sensitive: pupils' records.")
    doc.add_heading("Attending", level=1)
    for name in meeting.attendee_list:
        doc.add_paragraph(name, style="List Bullet")
    doc.add_heading("Agenda", level=1)
    for item in AGENDA:
        doc.add_paragraph(item, style="List Number")
    doc.add_heading(f"Pupils to discuss ({len(rows)})", level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Pupil", "Absence this year", "Stage",
                                                 "Open actions", "Since the last meeting"),
                          strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        cells[0].text = f"{pupil_name(row)}\nUPN {row.pupil.upn}, year {row.pupil.nc_year}"
        cells[1].text = (f"{row.state.absent} of {row.state.possible} sessions "
                         f"({row.state.absence_pct}%)" if row.state.possible else "No sessions")
        cells[2].text = "\n".join([row.stage, *row.state.drivers])
        cells[3].text = "\n".join(f"{a.description} ({a.owner}, review {a.review_on})"
                                  for a in row.open_actions) or "None"
        cells[4].text = "\n".join(row.changes)
    doc.add_heading("Agreed at this meeting", level=1)
    doc.add_paragraph("For each pupil: lead practitioner; early help offered (yes or no); "
                      "barriers; actions with owner and review date. Record them in Muster so "
                      "the school and the authority share one log.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
