"""Importing files from other systems: check everything, then write all or nothing, audited.

Like the CSV imports (`muster.registers.imports`): the core reader checks the file
(`muster.core.exchange.ctf`), this module checks it against what is held, and any problem
rejects the whole file with `FileRejected`; nothing changes. Importing the same file twice
changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from muster.audit.log import record_event
from muster.core.exchange import ctf, ssda903
from muster.core.exchange.csv_file import FileRejected, RowError
from muster.interop.models import (
    CareEpisode,
    CareMatch,
    CareReturnImport,
    PriorAttendance,
    PupilContact,
    SenRecord,
    TransferFileImport,
)
from muster.interop.notify import (  # noqa: F401  (the messages to families are actions too)
    record_delivery_status,
    record_delivery_statuses,
    send_first_day_messages,
    send_letter_by_email,
    set_notify_templates,
)
from muster.registers.imports import ImportResult
from muster.registers.models import LocalAuthority, Pupil


def import_ctf(*, path: Path, today: dt.date, user=None, name: str | None = None) -> ImportResult:
    """Import a Common Transfer File: its pupils, their contacts, SEN history and prior-school
    attendance (the `YearData` totals, and the marks string kept verbatim: reference 0).

    A pupil already held keeps the details Muster has; the file must agree with them on date of
    birth and surname, or it is refused (a wrong UPN would put one child's history on another).
    A pupil not held is created from the file (its `NCyearActual` is needed) and has no
    enrolment until the school adds one.
    """
    label = name or path.name
    file = ctf.read_transfer_file(path.read_bytes(), name=label, today=today)
    held = {p.upn: p for p in Pupil.objects.filter(upn__in=[p.upn for p in file.pupils])}
    errors: list[RowError] = []
    for pupil in file.pupils:
        _check_against_held(pupil, held.get(pupil.upn), label, errors)
    if errors:
        raise FileRejected(errors)
    result = ImportResult(label, len(file.pupils), noun="pupils, prior years, contacts and SEN entries")
    notices = list(file.warnings)
    with transaction.atomic():
        source = TransferFileImport(
            file_name=label, version=file.header.version, written_at=file.header.written_at,
            source_lea=file.header.source.lea, source_estab=file.header.source.estab,
            source_urn=file.header.source.urn, source_school_name=file.header.source.name,
            imported_by=user if getattr(user, "pk", None) else None,
            warnings="\n".join(file.warnings),
        )
        source.save()
        created = []
        for pupil in file.pupils:
            record = held.get(pupil.upn)
            if record is None:
                record = _create_pupil(pupil)
                created.append(pupil.upn)
                result.added += 1
            elif (provision := pupil.latest_sen_provision) and provision != record.sen:
                notices.append(
                    f"{pupil.upn}: the CTF's latest SEN provision is {provision}; Muster holds "
                    f"{record.sen} (kept: the school's own record decides)"
                )
            _store_history(record, pupil, source, result)
        if not (result.added or result.changed):
            transaction.set_rollback(True)
        else:
            record_event(
                user=user, action="change", record_kind="ctf", record_id=f"ctf {source.pk}",
                summary=f"Imported CTF {label} (version {file.header.version}) from "
                f"{file.header.source.name or file.header.source.estab}: {result.added} added, "
                f"{result.changed} changed",
                source="muster import",
            )
    if created:
        notices.append(
            f"{len(created)} new pupil(s) created from the file ({', '.join(created)}): give "
            "them an enrolment (muster import pupils) so that their school sees them"
        )
    result.notices = tuple(notices)
    return result


def _check_against_held(pupil: ctf.Pupil, record: Pupil | None, label: str,
                        errors: list[RowError]) -> None:
    if record is None:
        if not pupil.nc_year:
            errors.append(RowError(
                label, pupil.line, f"{pupil.path}/BasicDetails/NCyearActual", "",
                f"pupil {pupil.upn} is not held in Muster and the file gives no NC year; import "
                "the pupil first (muster import pupils)",
            ))
        return
    if record.anonymised_on is not None:
        errors.append(RowError(label, pupil.line, f"{pupil.path}/UPN", pupil.upn,
                               "this UPN belongs to an anonymised leaver"))
        return
    if record.date_of_birth != pupil.date_of_birth:
        errors.append(RowError(
            label, pupil.line, f"{pupil.path}/DOB", str(pupil.date_of_birth),
            f"pupil {pupil.upn} is held with another date of birth: check the UPN",
        ))
    if record.legal_surname.casefold() != pupil.surname.casefold():
        errors.append(RowError(
            label, pupil.line, f"{pupil.path}/Surname", pupil.surname,
            f"pupil {pupil.upn} is held with another surname: check the UPN, or change the "
            "surname in Muster first if it has changed",
        ))


def _create_pupil(pupil: ctf.Pupil) -> Pupil:
    record = Pupil(
        upn=pupil.upn, legal_surname=pupil.surname, legal_forename=pupil.forename,
        date_of_birth=pupil.date_of_birth, sex=pupil.sex, nc_year=pupil.nc_year,
        sen=pupil.latest_sen_provision or "N",
    )
    record.full_clean()
    record.save()
    return record


def _store_history(record: Pupil, pupil: ctf.Pupil, source: TransferFileImport,
                   result: ImportResult) -> None:
    _store_years(record, pupil.attendance, source, result)
    if pupil.contacts:
        _store_contacts(record, pupil.contacts, source, result)
    _store_sen(record, pupil.sen, source, result)


def _store_years(record: Pupil, years, source, result: ImportResult) -> None:
    held = {(y.year, y.lea, y.estab): y for y in PriorAttendance.objects.filter(pupil=record)}
    for year in years:
        values = {
            "school_name": year.school_name, "sessions_possible": year.possible,
            "sessions_authorised": year.authorised, "sessions_attended": year.attended,
            "sessions_unauthorised": year.unauthorised, "marks_start": year.marks_start,
            "marks": year.marks,
        }
        row = held.get((year.year, year.lea, year.estab))
        if row is None:
            PriorAttendance.objects.create(
                pupil=record, year=year.year, lea=year.lea, estab=year.estab, source=source, **values
            )
            result.added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.source = source
            row.save()
            result.changed += 1
        else:
            result.unchanged += 1


def _store_contacts(record: Pupil, contacts, source, result: ImportResult) -> None:
    """The file's contacts replace those held when they differ: the old school's list is whole."""
    ordered = (
        contacts if all(c.order is not None for c in contacts)
        else [dataclasses.replace(c, order=n) for n, c in enumerate(contacts, 1)]
    )
    wanted = [
        {
            "order": c.order, "title": c.title, "surname": c.surname, "forename": c.forename,
            "relationship": c.relationship, "parental_responsibility": c.parental_responsibility,
            "phones": [{"kind": p.kind, "number": p.number} for p in c.phones], "email": c.email,
        }
        for c in sorted(ordered, key=lambda c: c.order)
    ]
    held = [
        {k: getattr(c, k) for k in wanted[0]} for c in PupilContact.objects.filter(pupil=record)
    ]
    if held == wanted:
        result.unchanged += 1
        return
    PupilContact.objects.filter(pupil=record).delete()
    PupilContact.objects.bulk_create(PupilContact(pupil=record, source=source, **w) for w in wanted)
    if held:
        result.changed += 1
    else:
        result.added += 1


def _store_sen(record: Pupil, entries, source, result: ImportResult) -> None:
    held = {(s.start, s.provision): s for s in SenRecord.objects.filter(pupil=record)}
    for entry in entries:
        needs = [list(n) for n in entry.needs]
        row = held.get((entry.start, entry.provision))
        if row is None:
            SenRecord.objects.create(pupil=record, start=entry.start, provision=entry.provision,
                                     needs=needs, source=source)
            result.added += 1
        elif row.needs != needs:
            row.needs, row.source = needs, source
            row.save(update_fields=["needs", "source"])
            result.changed += 1
        else:
            result.unchanged += 1


def import_ssda903(
    *, paths: list[Path], authority: str, today: dt.date, user=None
) -> ImportResult:
    """Import an authority's children-looked-after return: Header and Episodes as CSV files
    (recognised by their columns) or one XML file (reference 0, "SSDA903"; interop.md 2).

    Each child is joined to a pupil by UPN only. A child with no UPN (UN1-UN5), a UPN not held,
    or a held UPN with another date of birth goes to the matching queue (`CareMatch`) with its
    episodes: never a guess. A matched child's episodes are stored, and the pupil is marked
    looked after by `authority` while their latest episode is open on `today`; a pupil whose
    episodes with this authority have all ended is no longer marked looked after by it.
    """
    if not LocalAuthority.objects.filter(code=authority).exists():
        raise FileRejected([RowError(", ".join(p.name for p in paths), 0, "authority", authority,
                                     "not a local authority held in Muster")])
    care = _read_care_return(paths)
    upns = [c.upn for c in care.children if c.upn]
    held = {p.upn: p for p in Pupil.objects.filter(upn__in=upns)}
    result = ImportResult(", ".join(care.files), len(care.children),
                          noun="care episodes, pupils' care status and queued children")
    notices = list(care.notices)
    with transaction.atomic():
        source = CareReturnImport.objects.create(
            authority=authority, file_names=", ".join(care.files)[:500],
            imported_by=user if getattr(user, "pk", None) else None,
        )
        queued = 0
        matched = dict(
            CareMatch.objects.filter(authority=authority, matched_pupil__isnull=False)
            .values_list("child_id", "matched_pupil_id")
        )
        matched_pupils = Pupil.objects.in_bulk(matched.values())
        for child in care.children:
            pupil = held.get(child.upn)
            reason = _unmatched_reason(child, pupil)
            if reason is not None and child.child_id in matched:
                pupil, reason = matched_pupils[matched[child.child_id]], None  # a person matched it
            if reason is not None:
                queued += _queue(child, authority, reason, source, result)
                continue
            _store_episodes(pupil, child, authority, source, result)
            _set_care_status(pupil, authority, today, user, result)
        if not (result.added or result.changed):
            transaction.set_rollback(True)
    if queued:
        notices.append(f"{queued} child(ren) wait in the matching queue: no UPN, or a UPN that "
                       "does not match a pupil held (never matched by a guess)")
    result.notices = tuple(notices)
    return result


def _read_care_return(paths: list[Path]) -> ssda903.CareReturn:
    xml = [p for p in paths if p.read_bytes()[:200].lstrip().startswith(b"<")]
    if xml:
        if len(paths) > 1:
            raise FileRejected([RowError(xml[0].name, 1, "", "", "give the XML return on its own")])
        return ssda903.read_xml(xml[0].read_bytes(), name=xml[0].name)
    files = []
    for path in paths:
        try:
            files.append((path.name, path.read_bytes().decode("utf-8-sig")))
        except UnicodeDecodeError as error:
            raise FileRejected([RowError(path.name, 1, "", "", f"not UTF-8 text ({error.reason})")]) from None
    return ssda903.read_csv_files(files)


def _unmatched_reason(child: ssda903.Child, pupil: Pupil | None) -> str | None:
    if not child.upn:
        return CareMatch.Reason.NO_UPN
    if pupil is None:
        return CareMatch.Reason.NOT_HELD
    if pupil.date_of_birth != child.date_of_birth:
        return CareMatch.Reason.BIRTH_DIFFERS
    return None


def _episode_values(episode: ssda903.Episode) -> dict:
    return {
        "end": episode.end, "reason_new": episode.reason_new, "legal_status": episode.legal_status,
        "category_of_need": episode.category_of_need, "placement": episode.placement,
        "provider": episode.provider, "reason_ceased": episode.reason_ceased,
        "reason_place_change": episode.reason_place_change, "provider_urn": episode.provider_urn,
    }


def _queue(child: ssda903.Child, authority: str, reason: str, source, result: ImportResult) -> int:
    episodes = [
        {"start": e.start.isoformat(), **{k: (v.isoformat() if isinstance(v, dt.date) else v)
                                           for k, v in _episode_values(e).items()}}
        for e in child.episodes
    ]
    values = {
        "upn_given": child.upn or child.unknown_upn, "date_of_birth": child.date_of_birth,
        "sex": child.sex, "reason": reason, "episodes": episodes,
    }
    held = CareMatch.objects.filter(authority=authority, child_id=child.child_id).first()
    if held is None:
        CareMatch.objects.create(authority=authority, child_id=child.child_id, source=source, **values)
        result.added += 1
        return 1
    if any(getattr(held, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(held, k, v)
        held.source = source
        held.save()
        result.changed += 1
    else:
        result.unchanged += 1
    return 1


def _store_episodes(pupil: Pupil, child: ssda903.Child, authority: str, source,
                    result: ImportResult) -> None:
    held = {e.start: e for e in CareEpisode.objects.filter(authority=authority, child_id=child.child_id)}
    for episode in child.episodes:
        values = _episode_values(episode)
        row = held.get(episode.start)
        if row is None:
            CareEpisode.objects.create(pupil=pupil, authority=authority, child_id=child.child_id,
                                       start=episode.start, source=source, **values)
            result.added += 1
        elif row.pupil_id != pupil.pk or any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.pupil, row.source = pupil, source
            row.save()
            result.changed += 1
        else:
            result.unchanged += 1


def _set_care_status(pupil: Pupil, authority: str, today: dt.date, user, result: ImportResult) -> None:
    """Looked after by `authority` while the pupil's latest episode with it is open on `today`."""
    latest = CareEpisode.objects.filter(pupil=pupil, authority=authority).order_by("-start").first()
    if latest is None:
        return
    in_care = latest.start <= today and (latest.end is None or latest.end >= today)
    before = {"looked_after": pupil.looked_after, "care_authority": pupil.care_authority}
    if in_care:
        after = {"looked_after": True, "care_authority": authority}
    elif pupil.care_authority in ("", authority):
        after = {"looked_after": False, "care_authority": ""}
    else:
        return  # another authority looks after the child now: its own return says so
    if after == before:
        return
    pupil.looked_after, pupil.care_authority = after["looked_after"], after["care_authority"]
    pupil.save(update_fields=["looked_after", "care_authority"])
    result.changed += 1
    record_event(
        user=user, action="change", record_kind="pupil", record_id=pupil.pk, pupil_id=pupil.pk,
        summary=f"Care status from the SSDA903 return of LA {authority}",
        source="muster import", before=before, after=after,
    )


class NoSuchMatch(ValueError):
    """No child with that CHILD id waits in the authority's matching queue."""


def match_queued_child(
    *, authority: str, child_id: str, upn: str, reason: str, today: dt.date, user=None
) -> CareMatch:
    """A person matches a child of the SSDA903 queue to a pupil: the child's episodes are stored
    for the pupil and their care status set, as if the return had carried the UPN. The match,
    who made it and why are on record; Muster itself never matches without a UPN."""
    if not reason.strip():
        raise ValueError("say how the child was identified (the reason is kept on record)")
    with transaction.atomic():
        match = (
            CareMatch.objects.select_for_update()
            .filter(authority=authority, child_id=child_id, matched_pupil__isnull=True).first()
        )
        if match is None:
            raise NoSuchMatch(f"no child {child_id} of LA {authority} waits to be matched")
        pupil = Pupil.objects.filter(upn=upn).first()
        if pupil is None:
            raise NoSuchMatch(f"no pupil with UPN {upn}")
        episodes = [
            ssda903.Episode(
                "", 0, dt.date.fromisoformat(e["start"]),
                dt.date.fromisoformat(e["end"]) if e["end"] else None, e["reason_new"],
                e["legal_status"], e["category_of_need"], e["placement"], e["provider"],
                e["reason_ceased"], e["reason_place_change"], e["provider_urn"],
            )
            for e in match.episodes
        ]
        child = ssda903.Child("", 0, child_id, upn, "", match.date_of_birth, match.sex, tuple(episodes))
        result = ImportResult(f"queue {authority}/{child_id}", 1)
        _store_episodes(pupil, child, authority, match.source, result)
        _set_care_status(pupil, authority, today, user, result)
        match.matched_pupil = pupil
        match.matched_at = timezone.now()
        match.save(update_fields=["matched_pupil", "matched_at"])
        record_event(
            user=user, action="change", record_kind="care_match", record_id=match.pk,
            pupil_id=pupil.pk,
            summary=f"Matched CHILD {child_id} of LA {authority} ({match.get_reason_display()}) "
            f"to {upn}: {reason.strip()}"[:300],
            source="muster care-matches",
        )
    return match
