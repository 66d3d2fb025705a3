"""Muster's own letter templates, written with python-docx: Jinja tags for docxtpl in plain
paragraphs and tables, so staff can reword them in any word processor.

`python -m muster.statutory.letters.templates [DIR]` writes them (by default into the shipped
`templates/` folder); `muster letters templates --out DIR` gives staff a copy to edit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.shared import Pt

SHIPPED = Path(__file__).parent / "templates"

HEADER = ("{{ school.name }}", "URN {{ school.urn }}, {{ school.authority }}", "{{ today }}")
ADDRESS = ("{{ addressee }}", "Re: {{ pupil.name }} (year {{ pupil.nc_year }})")
TO_THE_LA = ("{{ school.authority }}: attendance team", "Re: {{ pupil.name }} (year {{ pupil.nc_year }})")
FIGURES = (
    "From {{ figures.first }} to {{ figures.last }}, {{ pupil.forename }} could have attended "
    "{{ figures.possible }} sessions (a session is a morning or an afternoon) and attended "
    "{{ figures.attended }}: an attendance of {{ figures.attendance_pct }}%. "
    "{{ figures.authorised }} sessions were authorised absence and {{ figures.unauthorised }} "
    "unauthorised absence."
)
SIGN_OFF = ("Yours sincerely,", "", "{{ signed_by }}", "{{ school.name }}")


def _doc(title: str, paragraphs: list[str], address: tuple[str, ...] = ADDRESS) -> Document:
    document = Document()
    document.styles["Normal"].font.name = "Liberation Sans"
    document.styles["Normal"].font.size = Pt(11)
    for line in HEADER:
        document.add_paragraph(line)
    for line in address:
        document.add_paragraph(line)
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    return document


def _sign(document: Document) -> Document:
    for line in SIGN_OFF:
        document.add_paragraph(line)
    return document


def below_96() -> Document:
    return _sign(_doc("Your child's attendance", [
        "Dear {{ addressee }},",
        "We write to every family whose child's attendance is below 96%, as our attendance "
        "policy says we will.",
        FIGURES,
        "Every day in school counts. If something is making it hard for {{ pupil.forename }} to "
        "attend, please talk to us: we want to help.",
    ]))


def meeting_invitation() -> Document:
    return _sign(_doc("Invitation to a meeting about attendance", [
        "Dear {{ addressee }},",
        FIGURES,
        "We would like to meet you to talk about {{ pupil.forename }}'s attendance and the "
        "support we can offer. Please come to school on {{ extra.meeting_on or 'a date we will "
        "agree with you' }}{% if extra.meeting_at %} at {{ extra.meeting_at }}{% endif %}.",
        "If the time does not suit you, please contact the school office to arrange another.",
    ]))


def notice_to_improve() -> Document:
    return _sign(_doc("Notice to improve", [
        "Dear {{ addressee }},",
        "{{ pupil.forename }} has had {{ case.sessions }} sessions of unauthorised absence in "
        "{{ case.weeks }} school weeks (from the week of {{ case.first_week }} to the week of "
        "{{ case.last_week }}). This meets the national threshold for considering a penalty notice.",
        FIGURES,
        "This notice gives an improvement period of {{ case.improvement_weeks }} weeks, to "
        "{{ case.improvement_ends_on }}. If there is further unauthorised absence in that period, "
        "the local authority may issue a penalty notice to each parent.",
        "Support offered so far: {% for step in case.steps %}{{ step.on }} {{ step.stage }}"
        "{% if not loop.last %}; {% endif %}{% endfor %}.",
    ]))


def penalty_notice_request() -> Document:
    return _sign(_doc("Request for a penalty notice", [
        "To the local authority's attendance team ({{ school.authority }}),",
        "We ask you to consider a penalty notice for each parent of {{ pupil.name }} "
        "(UPN {{ pupil.upn }}, born {{ pupil.date_of_birth }}).",
        "The threshold was met on {{ case.threshold_met_on }}: {{ case.sessions }} sessions of "
        "unauthorised absence in {{ case.weeks }} school weeks. The evidence pack lists each session.",
        FIGURES,
        "Parents and carers: {% for c in contacts %}{{ c.name }} ({{ c.relationship or 'contact' }})"
        "{% if not loop.last %}; {% endif %}{% endfor %}.",
        "Steps taken: {% for step in case.steps %}{{ step.on }} {{ step.stage }}"
        "{% if step.note %} ({{ step.note }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}.",
    ], TO_THE_LA))


def _table(document: Document, header: tuple[str, ...], loop: str, cells: tuple[str, ...]) -> None:
    """A table whose middle row repeats: docxtpl's `{%tr %}` tags sit in rows of their own."""
    table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        table.rows[0].cells[i].text = text
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for i, text in enumerate(cells):
        table.rows[2].cells[i].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"


def evidence_pack() -> Document:
    document = _doc("Penalty-notice evidence pack", [
        "Pupil: {{ pupil.name }}, UPN {{ pupil.upn }}, born {{ pupil.date_of_birth }}, year "
        "{{ pupil.nc_year }}.",
        "Rule applied: {{ case.rule }}.",
        "Threshold met on {{ case.threshold_met_on }} ({{ case.threshold_met_session }}), "
        "case opened on {{ case.opened_on }}; stage now: {{ case.stage }}.",
        FIGURES,
    ], TO_THE_LA)
    document.add_heading("The {{ case.weeks }} school weeks", level=2)
    document.add_paragraph("Weeks beginning: {{ case.school_weeks | join(', ') }}.")
    document.add_heading("The sessions ({{ case.sessions }})", level=2)
    _table(document, ("Date", "Session", "Code", "School (URN)"), "for s in case.evidence",
           ("{{ s.date }}", "{{ s.session }}", "{{ s.code }}", "{{ s.school_urn }}"))
    document.add_heading("Steps on the case", level=2)
    _table(document, ("Date", "Step", "By", "Note"), "for step in case.steps",
           ("{{ step.on }}", "{{ step.stage }}", "{{ step.by }}", "{{ step.note }}"))
    document.add_heading("Parents and carers", level=2)
    _table(document, ("Priority", "Name", "Relationship", "Parental responsibility"),
           "for c in contacts", ("{{ c.order }}", "{{ c.name }}", "{{ c.relationship }}",
                                 "{{ c.parental_responsibility }}"))
    document.add_paragraph("Prepared by {{ signed_by }}, {{ school.name }}, on {{ today }}.")
    return document


BUILDERS = {
    "below_96": below_96,
    "meeting_invitation": meeting_invitation,
    "notice_to_improve": notice_to_improve,
    "penalty_notice_request": penalty_notice_request,
    "evidence_pack": evidence_pack,
}


def write_templates(directory: Path = SHIPPED) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, build in BUILDERS.items():
        path = directory / f"{kind}.docx"
        build().save(path)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - the maintainers' regeneration step
    for path in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED):
        print(path)
