"""Reading a Common Transfer File (CTF): header, pupil identity, contacts, SEN and attendance
history. Reading and checking only; the Django layer stores it (`muster.interop.ctf_import`).

What is read, and how sure the element names are (`shared/domain/interop.md` 1,
`reference.md` 0, 6 and 10.3):

- ``CTfile/Header``: ``DocumentName``, ``CTFversion`` (DfE's own writer; a file spelling it
  ``CTFVersion`` is read with a warning, XML being case-sensitive), ``DateTime``,
  ``DocumentQualifier``, ``SupplierID``, ``SourceSchool`` and ``DestSchool`` (``LEA``, ``Estab``,
  ``URN``, ``SchoolName``, ``AcademicYear``) (V: DfE MTC code).
- ``CTFpupilData/Pupil``: ``UPN``, ``Surname``, ``Forename``, ``DOB``, ``Sex`` (older files
  ``Gender``) (V: DfE MTC); ``BasicDetails/NCyearActual`` (V: reference 6.1).
- ``Pupil/SENhistory/SEN``: ``StartDate``, ``SENprovision``, ``SENneeds/SENneed`` (V: element
  names from one vendor's CTF code, interop.md 1.1); the children of ``SENneed`` (``NeedType``,
  ``TypeRank``) are our reading (I): verify against the DfE XSD.
- ``Pupil/Contacts/Contact``: the container names are V (same vendor); the children read here
  (``Order``, ``Title``, ``Surname``, ``Forename``, ``Relationship``, ``Responsibility``,
  ``Phones/Phone/TelephoneType|PhoneNo``, ``Email/EmailAddress``) are I: verify against the XSD.
- ``Pupil/Attendance/YearData``: ``Year``, ``LEA``, ``Estab``, ``SchoolName``, the four session
  totals and ``AttendSessions`` (``AttendanceStartDate``, ``AttendanceMarks``) (V, one CTF 12-era
  vendor; "verify against DfE XSD", interop.md 5).

The ``AttendanceMarks`` string is kept exactly as written: its encoding (days covered, filler,
the 2024 two-character codes) is not published where Muster could read it, so it is never
expanded into sessions nor counted (reference 0, "CTF AttendanceMarks"; 10.3).

Malformed XML and bad values reject the whole file; each error names the element path
(``/CTfile/CTFpupilData/Pupil[2]/DOB``) and the line. An unknown CTF version is a warning.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from lxml import etree

from muster.core.exchange.csv_file import FileRejected, RowError, check_upn, parse_date

ROOT = "CTfile"
VERSION_ELEMENT = "CTFversion"
VERSION_ELEMENT_VARIANT = "CTFVersion"
SEN_PROVISIONS = frozenset({"N", "K", "E"})
"""SEN provision as in the school census: none, SEN support, EHC plan (reference 9)."""
SEXES = {"M": "M", "F": "F", "U": ""}
"""CTF sex codes; U (unknown) is held as blank, as in pupils.csv."""
NC_YEARS = frozenset(["N1", "N2", "R"] + [str(y) for y in range(1, 15)])
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class School:
    lea: str
    estab: str
    urn: str
    name: str
    academic_year: str


@dataclass(frozen=True)
class Header:
    version: str
    version_element: str
    document_name: str
    written_at: str
    qualifier: str
    supplier: str
    source: School
    destination: School


@dataclass(frozen=True)
class Phone:
    kind: str
    number: str


@dataclass(frozen=True)
class Contact:
    order: int | None
    title: str
    surname: str
    forename: str
    relationship: str
    parental_responsibility: bool | None
    phones: tuple[Phone, ...]
    email: str


@dataclass(frozen=True)
class SenEntry:
    start: dt.date | None
    provision: str
    needs: tuple[tuple[str, str], ...]
    """(need type, rank) pairs as written."""


@dataclass(frozen=True)
class AttendanceYear:
    """One ``YearData``: a school's attendance totals for a year, as the old school sent them."""

    year: int
    lea: str
    estab: str
    school_name: str
    possible: int | None
    authorised: int | None
    attended: int | None
    unauthorised: int | None
    marks_start: dt.date | None
    marks: str
    """``AttendanceMarks`` exactly as written: never expanded or counted (reference 0)."""


@dataclass(frozen=True)
class Pupil:
    path: str
    line: int
    upn: str
    surname: str
    forename: str
    middle_names: str
    date_of_birth: dt.date
    sex: str
    nc_year: str
    contacts: tuple[Contact, ...]
    sen: tuple[SenEntry, ...]
    attendance: tuple[AttendanceYear, ...]

    @property
    def latest_sen_provision(self) -> str | None:
        dated = [s for s in self.sen if s.start is not None]
        if dated:
            return max(dated, key=lambda s: s.start).provision
        return self.sen[-1].provision if self.sen else None


@dataclass(frozen=True)
class TransferFile:
    name: str
    header: Header
    pupils: tuple[Pupil, ...]
    warnings: tuple[str, ...]


def expected_versions(on: dt.date) -> tuple[str, str]:
    """The current and previous CTF versions on a day: the version is the last two digits of the
    academic year's start + ".0", the year starting in September (DfE MTC `getCtfVersion`,
    interop.md 1.3); systems accept the current and the previous one (reference 6.1).

    >>> expected_versions(dt.date(2026, 11, 27))
    ('26.0', '25.0')
    >>> expected_versions(dt.date(2026, 8, 31))
    ('25.0', '24.0')
    """
    start = on.year if on.month >= 9 else on.year - 1
    return f"{start % 100:02d}.0", f"{(start - 1) % 100:02d}.0"


def read_transfer_file(source: bytes, *, name: str, today: dt.date) -> TransferFile:
    """Read and check a whole CTF; raise `FileRejected` listing every problem."""
    errors: list[RowError] = []
    root = _parse(source, name, errors)
    if root is None:
        raise FileRejected(errors)
    reader = _Reader(name, errors)
    warnings: list[str] = []
    if root.tag != ROOT:
        errors.append(RowError(name, root.sourceline or 1, f"/{root.tag}", "",
                               f"not a Common Transfer File: the root element is {root.tag}, "
                               f"expected {ROOT}"))
        raise FileRejected(errors)
    header = reader.header(root, today, warnings)
    pupils = reader.pupils(root)
    if errors:
        raise FileRejected(errors)
    assert header is not None
    return TransferFile(name, header, tuple(pupils), tuple(warnings))


def _parse(source: bytes, name: str, errors: list[RowError]) -> etree._Element | None:
    """Parse without network, DTDs or entity expansion; a syntax error is reported with the path
    of the element that was open where it was found."""
    if len(source) > MAX_FILE_BYTES:
        errors.append(RowError(name, 1, "", "", f"larger than {MAX_FILE_BYTES // 2**20} MB"))
        return None
    open_path: list[str] = []
    counts: list[dict[str, int]] = [{}]
    root = None
    try:
        for event, element in etree.iterparse(
            io.BytesIO(source), events=("start", "end"), resolve_entities=False,
            no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
        ):
            if event == "start":
                if root is None:
                    root = element
                siblings = counts[-1]
                siblings[element.tag] = siblings.get(element.tag, 0) + 1
                open_path.append(f"{element.tag}[{siblings[element.tag]}]")
                counts.append({})
            else:
                open_path.pop()
                counts.pop()
    except etree.XMLSyntaxError as error:
        where = "/" + "/".join(p.removesuffix("[1]") for p in open_path)
        line = error.lineno or 1
        errors.append(RowError(name, line, where, "", f"malformed XML: {error.msg}"))
        return None
    if root is None:
        errors.append(RowError(name, 1, "/", "", "the file holds no XML element"))
        return None
    if root.getroottree().docinfo.doctype:
        errors.append(RowError(name, 1, "/", "", "a DOCTYPE is not allowed in a CTF"))
        return None
    return root


def path_of(element: etree._Element) -> str:
    """/CTfile/CTFpupilData/Pupil[2]/DOB: an index only where an element has same-named siblings."""
    parts = []
    while element is not None:
        parent = element.getparent()
        label = str(element.tag)
        if parent is not None:
            same = [e for e in parent if e.tag == element.tag]
            if len(same) > 1:
                label += f"[{same.index(element) + 1}]"
        parts.append(label)
        element = parent
    return "/" + "/".join(reversed(parts))


class _Reader:
    def __init__(self, name: str, errors: list[RowError]):
        self.name = name
        self.errors = errors

    def bad(self, element: etree._Element, reason: str, value: str = "") -> None:
        self.errors.append(RowError(self.name, element.sourceline or 1, path_of(element), value, reason))

    def missing(self, parent: etree._Element, child: str) -> None:
        self.errors.append(RowError(self.name, parent.sourceline or 1, f"{path_of(parent)}/{child}",
                                    "", "required element is missing"))

    def text(self, parent: etree._Element, child: str, *, required: bool = False,
             longest: int = 100) -> str:
        found = parent.findall(child)
        if len(found) > 1:
            self.bad(found[1], f"{child} appears {len(found)} times; expected once")
            return ""
        if not found:
            if required:
                self.missing(parent, child)
            return ""
        element = found[0]
        if len(element):
            self.bad(element, f"{child} should hold text, not elements")
            return ""
        value = (element.text or "").strip()
        if required and not value:
            self.bad(element, "required, but empty")
        elif len(value) > longest:
            self.bad(element, f"longer than {longest} characters", value[:40])
            return ""
        return value

    def date(self, parent: etree._Element, child: str, *, required: bool = False) -> dt.date | None:
        raw = self.text(parent, child, required=required)
        if not raw:
            return None
        value = parse_date(raw)
        if isinstance(value, str):
            self.bad(parent.find(child), value, raw)
            return None
        return value

    def count(self, parent: etree._Element, child: str) -> int | None:
        raw = self.text(parent, child)
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 4:
            self.bad(parent.find(child), "expected a whole number of sessions (0 to 9999)", raw)
            return None
        return int(raw)

    def header(self, root: etree._Element, today: dt.date, warnings: list[str]) -> Header | None:
        element = root.find("Header")
        if element is None:
            self.missing(root, "Header")
            return None
        version_element = VERSION_ELEMENT
        if element.find(VERSION_ELEMENT) is None and element.find(VERSION_ELEMENT_VARIANT) is not None:
            version_element = VERSION_ELEMENT_VARIANT
            warnings.append(
                f"the header spells the version {VERSION_ELEMENT_VARIANT}; DfE's own files spell "
                f"it {VERSION_ELEMENT} (read anyway, interop.md 1.3)"
            )
        version = self.text(element, version_element, required=True)
        if version:
            current, previous = expected_versions(today)
            if version not in (current, previous):
                warnings.append(
                    f"CTF version {version} is not the current ({current}) or previous "
                    f"({previous}) version: element names may differ; check what was imported"
                )
        document_name = self.text(element, "DocumentName")
        if document_name and document_name != "Common Transfer File":
            warnings.append(f"the document name is {document_name!r}, not 'Common Transfer File'")
        return Header(
            version=version,
            version_element=version_element,
            document_name=document_name,
            written_at=self.text(element, "DateTime"),
            qualifier=self.text(element, "DocumentQualifier"),
            supplier=self.text(element, "SupplierID"),
            source=self.school(element, "SourceSchool"),
            destination=self.school(element, "DestSchool"),
        )

    def school(self, header: etree._Element, child: str) -> School:
        element = header.find(child)
        if element is None:
            return School("", "", "", "", "")
        lea = self.text(element, "LEA")
        if lea and not (len(lea) == 3 and lea.isascii() and lea.isdigit()):
            self.bad(element.find("LEA"), "an LA code has 3 digits", lea)
        urn = self.text(element, "URN")
        if urn and not (len(urn) == 6 and urn.isascii() and urn.isdigit()):
            self.bad(element.find("URN"), "a URN has 6 digits", urn)
        return School(lea, self.estab(element), urn, self.text(element, "SchoolName", longest=200),
                      self.text(element, "AcademicYear"))

    def estab(self, parent: etree._Element) -> str:
        """The DfE establishment number: 4 digits."""
        value = self.text(parent, "Estab")
        if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
            self.bad(parent.find("Estab"), "an establishment number has 4 digits", value)
            return ""
        return value

    def pupils(self, root: etree._Element) -> list[Pupil]:
        data = root.find("CTFpupilData")
        if data is None:
            self.missing(root, "CTFpupilData")
            return []
        pupils, seen = [], {}
        for element in data.findall("Pupil"):
            pupil = self.pupil(element)
            if pupil is None:
                continue
            if pupil.upn in seen:
                self.bad(element.find("UPN"), f"the same UPN is on the pupil at line {seen[pupil.upn]}",
                         pupil.upn)
                continue
            seen[pupil.upn] = pupil.line
            pupils.append(pupil)
        if not data.findall("Pupil"):
            self.bad(data, "the file holds no Pupil")
        return pupils

    def pupil(self, element: etree._Element) -> Pupil | None:
        before = len(self.errors)
        upn = self.text(element, "UPN", required=True)
        if upn and (why := check_upn(upn)) is not None:
            self.bad(element.find("UPN"), why, upn)
        surname = self.text(element, "Surname", required=True)
        forename = self.text(element, "Forename", required=True)
        birth = self.date(element, "DOB", required=True)
        sex_element = "Sex" if element.find("Sex") is not None else "Gender"
        sex = self.text(element, sex_element)
        if sex and sex not in SEXES:
            self.bad(element.find(sex_element), "expected M, F or U", sex)
        details = element.find("BasicDetails")
        nc_year = self.text(details, "NCyearActual") if details is not None else ""
        if nc_year and nc_year not in NC_YEARS:
            self.bad(details.find("NCyearActual"), "expected N1, N2, R or 1 to 14", nc_year)
        contacts = self.contacts(element)
        sen = self.sen(element)
        attendance = self.attendance(element)
        if len(self.errors) > before:
            return None
        assert birth is not None
        return Pupil(
            path=path_of(element), line=element.sourceline or 1, upn=upn, surname=surname,
            forename=forename, middle_names=self.text(element, "MiddleNames"),
            date_of_birth=birth, sex=SEXES.get(sex, ""), nc_year=nc_year, contacts=contacts,
            sen=sen, attendance=attendance,
        )

    def contacts(self, pupil: etree._Element) -> tuple[Contact, ...]:
        container = pupil.find("Contacts")
        if container is None:
            return ()
        found = []
        for element in container.findall("Contact"):
            order_text = self.text(element, "Order")
            order = None
            if order_text:
                if order_text.isascii() and order_text.isdigit() and len(order_text) <= 3:
                    order = int(order_text)
                else:
                    self.bad(element.find("Order"), "expected a number (priority order)", order_text)
            responsibility = self.text(element, "Responsibility")
            parental = {"true": True, "1": True, "false": False, "0": False}.get(responsibility.lower())
            if responsibility and parental is None:
                self.bad(element.find("Responsibility"), "expected true or false", responsibility)
            phones = []
            holder = element.find("Phones")
            for phone in holder.findall("Phone") if holder is not None else []:
                number = self.text(phone, "PhoneNo", required=True, longest=40)
                phones.append(Phone(self.text(phone, "TelephoneType", longest=10), number))
            email_element = element.find("Email")
            email = self.text(email_element, "EmailAddress", longest=254) if email_element is not None else ""
            if email and "@" not in email:
                self.bad(email_element.find("EmailAddress"), "not an email address", email)
            surname = self.text(element, "Surname", required=True)
            found.append(Contact(order, self.text(element, "Title", longest=20), surname,
                                 self.text(element, "Forename"),
                                 self.text(element, "Relationship", longest=20), parental,
                                 tuple(phones), email))
        orders = [c.order for c in found if c.order is not None]
        if len(orders) != len(set(orders)):
            self.bad(container, "two contacts have the same Order")
        return tuple(found)

    def sen(self, pupil: etree._Element) -> tuple[SenEntry, ...]:
        history = pupil.find("SENhistory")
        if history is None:
            return ()
        entries = []
        for element in history.findall("SEN"):
            start = self.date(element, "StartDate")
            provision = self.text(element, "SENprovision", required=True)
            if provision and provision not in SEN_PROVISIONS:
                self.bad(element.find("SENprovision"),
                         "expected N (none), K (SEN support) or E (EHC plan)", provision)
            needs_element = element.find("SENneeds")
            needs = tuple(
                (self.text(need, "NeedType", required=True, longest=10), self.text(need, "TypeRank", longest=3))
                for need in (needs_element.findall("SENneed") if needs_element is not None else [])
            )
            entries.append(SenEntry(start, provision, needs))
        return tuple(entries)

    def attendance(self, pupil: etree._Element) -> tuple[AttendanceYear, ...]:
        container = pupil.find("Attendance")
        if container is None:
            return ()
        years, seen = [], set()
        for element in container.findall("YearData"):
            year_text = self.text(element, "Year", required=True)
            year = None
            if year_text:
                if len(year_text) == 4 and year_text.isascii() and year_text.isdigit():
                    year = int(year_text)
                else:
                    self.bad(element.find("Year"), "expected a four-digit year", year_text)
            lea = self.text(element, "LEA")
            if lea and not (len(lea) == 3 and lea.isascii() and lea.isdigit()):
                self.bad(element.find("LEA"), "an LA code has 3 digits", lea)
            estab = self.estab(element)
            totals = {k: self.count(element, e) for k, e in (
                ("possible", "SessionsPossible"), ("authorised", "SessionsAuthorised"),
                ("attended", "SessionsAttended"), ("unauthorised", "SessionsUnauthorised"),
            )}
            possible = totals["possible"]
            parts = [totals[k] for k in ("authorised", "attended", "unauthorised")]
            if possible is not None and all(p is not None for p in parts) and sum(parts) > possible:
                self.bad(element, f"attended + authorised + unauthorised ({sum(parts)}) exceeds "
                                  f"SessionsPossible ({possible})")
            sessions = element.find("AttendSessions")
            marks_start, marks = None, ""
            if sessions is not None:
                marks_start = self.date(sessions, "AttendanceStartDate")
                marks_element = sessions.find("AttendanceMarks")
                if marks_element is not None:
                    if len(marks_element):
                        self.bad(marks_element, "AttendanceMarks should hold text, not elements")
                    marks = marks_element.text or ""  # verbatim: not stripped, not decoded
                    if len(marks) > 2000:
                        self.bad(marks_element, "longer than 2000 characters", marks[:40])
            key = (year, lea, estab)
            if year is not None and key in seen:
                self.bad(element, f"a second YearData for {year} at {lea}/{estab}")
            seen.add(key)
            if year is not None:
                years.append(AttendanceYear(
                    year, lea, estab, self.text(element, "SchoolName", longest=200), possible,
                    totals["authorised"], totals["attended"], totals["unauthorised"], marks_start, marks,
                ))
        return tuple(years)
