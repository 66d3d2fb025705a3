"""Merge a letter for one pupil, keep it on the pupil's record, and turn it into a PDF.

The figures come from the one figures engine over the pupil's registers at every school this
school year (reference 3.1: sessions, exact counts; the percentage is for reading only). The
contacts are the pupil's, in priority order (`muster.interop` keeps them from the CTF).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from docxtpl import DocxTemplate

from muster.audit.log import record_event
from muster.audit.models import Action as AuditAction
from muster.core import figures, slots
from muster.registers import store
from muster.registers.models import Enrolment, Pupil, School
from muster.statutory.letters import KINDS
from muster.statutory.letters.templates import SHIPPED
from muster.statutory.models import Letter, LetterTemplate, PenaltyNoticeCase

LETTER = "letter"


class LetterError(ValueError):
    """A letter that cannot be merged, in words for the person who asked."""


def pupil_figures(pupil: Pupil, on: dt.date) -> dict:
    """This school year's counts to `on`, at every school the pupil has been at."""
    first = slots.year_start(slots.academic_year(on))
    loaded = store.load(Enrolment.objects.filter(pupil=pupil, start__lte=on), first, on, look_back=False)
    if not len(loaded.unit_ids):
        raise LetterError(f"{pupil.upn} has no registers up to {on}")
    result = figures.compute(loaded.matrix, first, on)
    possible, attended = int(result.possible[0]), int(result.attended[0])
    return {
        "first": first.isoformat(), "last": on.isoformat(), "possible": possible,
        "attended": attended, "authorised": int(result.authorised[0]),
        "unauthorised": int(result.unauthorised[0]),
        "attendance_pct": f"{attended * 100 / possible:.1f}" if possible else "n/a",
    }


def _contacts(pupil: Pupil) -> list[dict]:
    return [
        {"order": c.order, "name": " ".join(p for p in (c.title, c.forename, c.surname) if p),
         "relationship": c.relationship, "parental_responsibility": {True: "yes", False: "no"}.get(
             c.parental_responsibility, "not known"),
         "phones": ", ".join(p.get("number", "") for p in c.phones or [])}
        for c in pupil.contacts.all().order_by("order")
    ]


def _case(case: PenaltyNoticeCase) -> dict:
    return {
        "opened_on": case.opened_on.isoformat(), "threshold_met_on": case.threshold_met_on.isoformat(),
        "threshold_met_session": case.threshold_met_session, "rule": case.rule,
        "sessions": len(case.evidence), "weeks": len(case.school_weeks),
        "school_weeks": list(case.school_weeks), "first_week": case.window_first_week.isoformat(),
        "last_week": case.window_last_week.isoformat(), "evidence": list(case.evidence),
        "stage": case.get_stage_display(), "improvement_weeks": case.improvement_weeks or "",
        "improvement_ends_on": case.improvement_ends_on.isoformat() if case.improvement_ends_on else "",
        "steps": [{"on": s.on.isoformat(), "stage": s.get_stage_display(), "by": s.by_name, "note": s.note}
                  for s in case.steps.all()],
    }


def letter_context(
    *, kind: str, pupil: Pupil, school: School, on: dt.date, signed_by: str,
    case: PenaltyNoticeCase | None = None, extra: dict | None = None,
) -> dict:
    contacts = _contacts(pupil)
    return {
        "kind": kind, "today": on.isoformat(), "signed_by": signed_by,
        "school": {"name": school.name, "urn": school.urn,
                   "authority": school.local_authority.name if school.local_authority_id else ""},
        "pupil": {"name": pupil.display_name, "forename": pupil.preferred_name or pupil.legal_forename,
                  "surname": pupil.legal_surname, "upn": pupil.upn, "nc_year": pupil.nc_year,
                  "date_of_birth": pupil.date_of_birth.isoformat()},
        "contacts": contacts,
        "addressee": contacts[0]["name"] if contacts else f"Parent or carer of {pupil.display_name}",
        "figures": pupil_figures(pupil, on),
        "case": _case(case) if case is not None else {},
        "extra": dict(extra or {}),
    }


def template_for(kind: str, path: Path | None = None) -> tuple[bytes, str]:
    """The template's bytes and its name: a file given, else the latest uploaded, else shipped."""
    if path is not None:
        return path.read_bytes(), f"file {path.name}"
    uploaded = LetterTemplate.objects.filter(kind=kind, active=True).order_by("-uploaded_at").first()
    if uploaded is not None:
        return bytes(uploaded.content), f"uploaded {uploaded.name} ({uploaded.pk})"
    return (SHIPPED / f"{kind}.docx").read_bytes(), f"shipped {kind}.docx"


def render(template: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(docx: bytes, *, timeout: int = 180) -> bytes:
    """LibreOffice Writer, headless, with a profile of its own so runs side by side never
    share a lock."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise LetterError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="muster-letter-") as work:
        folder = Path(work)
        source = folder / "letter.docx"
        source.write_bytes(docx)
        completed = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
             "--convert-to", "pdf", "--outdir", str(folder), str(source)],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        target = folder / "letter.pdf"
        if completed.returncode != 0 or not target.exists():
            raise LetterError(f"LibreOffice could not convert the letter: {completed.stderr or completed.stdout}")
        return target.read_bytes()


def merge_letter(
    *, kind: str, pupil: Pupil, school: School, on: dt.date, by, pdf: bool = False,
    template: Path | None = None, case: PenaltyNoticeCase | None = None, extra: dict | None = None,
) -> Letter:
    """Merge one letter for one pupil and keep it on their record (issue 4 item 7)."""
    if kind not in KINDS:
        raise LetterError(f"no letter {kind!r}; the letters are: {', '.join(KINDS)}")
    if KINDS[kind].needs_case and case is None:
        case = PenaltyNoticeCase.objects.filter(pupil=pupil).order_by("-opened_on", "-pk").first()
        if case is None:
            raise LetterError(f"{pupil.upn} has no penalty-notice case for a {KINDS[kind].title.lower()}")
    signed_by = (getattr(by, "get_full_name", lambda: "")() or getattr(by, "username", "")) or school.name
    context = letter_context(kind=kind, pupil=pupil, school=school, on=on, signed_by=signed_by,
                             case=case, extra=extra)
    content, name = template_for(kind, template)
    try:
        merged = render(content, context)
    except Exception as problem:  # a staff-edited template with a broken tag
        raise LetterError(f"the template {name} could not be merged: {problem}") from None
    letter = Letter(
        pupil=pupil, school=school, kind=kind, template=name, case=case, context=context,
        docx=merged, pdf=to_pdf(merged) if pdf else None,
        created_by=by if getattr(by, "pk", None) else None,
        created_by_name=getattr(by, "username", "") or "system", created_at=timezone.now(),
    )
    with transaction.atomic():
        letter.save()
        record_event(
            user=by, action=AuditAction.CREATE, record_kind=LETTER, record_id=letter.pk,
            pupil_id=pupil.pk, summary=f"Merged the {KINDS[kind].title.lower()} letter ({name})"
            + (" with its PDF" if pdf else ""),
        )
    return letter


def upload_template(*, kind: str, path: Path, by) -> LetterTemplate:
    """Staff's edited copy of a template, checked to be a template docxtpl can read; the
    latest uploaded of a kind is the one used."""
    if kind not in KINDS:
        raise LetterError(f"no letter {kind!r}; the letters are: {', '.join(KINDS)}")
    content = path.read_bytes()
    try:
        DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables()
    except Exception as problem:
        raise LetterError(f"{path.name} is not a template Muster can merge: {problem}") from None
    with transaction.atomic():
        LetterTemplate.objects.filter(kind=kind, active=True).update(active=False)
        uploaded = LetterTemplate.objects.create(
            kind=kind, name=path.name, content=content,
            uploaded_by_name=getattr(by, "username", "") or "system", uploaded_at=timezone.now(),
        )
        record_event(user=by, action=AuditAction.CREATE, record_kind="letter_template",
                     record_id=uploaded.pk, summary=f"Uploaded the {kind} letter template {path.name}")
    return uploaded
