"""Reading the children-looked-after return (SSDA903): Header and Episodes, as CSV or XML.

Tables and columns are those of the DfE return as mirrored by the MIT-licensed
`data-to-insight/csc-validator-be-903` (`shared/domain/interop.md` 2.1):

- CSV files are recognised by their exact set of columns, not their names. Header and Episodes
  are read; the return's other tables (Reviews, UASC, OC2, ...) are recognised and left out with
  a notice, since none holds school attendance (interop.md 2.2).
- XML: root ``EXPSSDA903``, repeated ``CHILD``, each with a ``HEADER`` (``CHILDID`` for CHILD) and
  ``EPISODE`` siblings (``PL`` for PLACE).

Dates are ``dd/mm/yyyy``. UPN ``UN1`` to ``UN5`` mean the child has no UPN (rules 168, 209, 210):
such a child goes to a matching queue, never matched by a guess (reference 0, "SSDA903"). The
Episodes ``URN`` is the placement provider's Ofsted URN, not a school, and is kept as written.
Postcodes (``HOME_POST``, ``PL_POST``) and the mother/child fields are read for the column check
only and not kept: Muster needs who is looked after, by whom, when, legal status and placements.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from lxml import etree

from muster.core.exchange.csv_file import FileRejected, RowError, check_upn

HEADER_COLUMNS = frozenset({"CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"})
EPISODE_COLUMNS = frozenset({
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
})
OTHER_TABLES = {
    "Reviews": frozenset({"CHILD", "DOB", "REVIEW", "REVIEW_CODE"}),
    "UASC": frozenset({"CHILD", "SEX", "DOB", "DUC"}),
    "OC2": frozenset({
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
        "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    }),
    "OC3": frozenset({"CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"}),
    "AD1": frozenset({
        "CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR",
    }),
    "PlacedAdoption": frozenset({"CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"}),
    "PrevPerm": frozenset({"CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"}),
    "Missing": frozenset({"CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"}),
    "SWEpisodes": frozenset({"CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"}),
    "DoLo": frozenset({"CHILD", "DOB", "DOLO_START", "DOLO_END"}),
}
"""The return's other tables (interop.md 2.1): recognised, not imported."""
UNKNOWN_UPNS = frozenset({"UN1", "UN2", "UN3", "UN4", "UN5"})
SEXES = {"1": "M", "2": "F"}
XML_RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}
"""XML element -> CSV column (interop.md 2.1, from the validator's `read_xml_from_text`)."""
CODE_LENGTH = 8


@dataclass(frozen=True)
class Episode:
    """A period of care with one legal status and one placement; a new episode starts when either
    changes (REC says why this one ceased)."""

    where: str
    line: int
    start: dt.date
    end: dt.date | None
    reason_new: str
    legal_status: str
    category_of_need: str
    placement: str
    provider: str
    reason_ceased: str
    reason_place_change: str
    provider_urn: str


@dataclass(frozen=True)
class Child:
    where: str
    line: int
    child_id: str
    upn: str
    """A UPN, or '' when the return gives one of UN1-UN5 (then `unknown_upn` says which)."""
    unknown_upn: str
    date_of_birth: dt.date
    sex: str
    episodes: tuple[Episode, ...] = field(default=())


@dataclass(frozen=True)
class CareReturn:
    files: tuple[str, ...]
    children: tuple[Child, ...]
    notices: tuple[str, ...]


def parse_date(value: str) -> dt.date | str:
    """dd/mm/yyyy, as in the return (interop.md 2.1)."""
    try:
        if len(value) != 10 or value[2] != "/" or value[5] != "/":
            raise ValueError
        return dt.date(int(value[6:]), int(value[3:5]), int(value[:2]))
    except ValueError:
        return "not a date in the form dd/mm/yyyy"


def read_csv_files(files: list[tuple[str, str]]) -> CareReturn:
    """Read Header and Episodes CSVs, each recognised by its columns; raise `FileRejected`."""
    errors: list[RowError] = []
    notices: list[str] = []
    headers: list[tuple[str, int, dict[str, str]]] = []
    episodes: list[tuple[str, int, dict[str, str]]] = []
    for name, text in files:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        try:
            columns = [c.strip() for c in next(reader)]
        except StopIteration:
            errors.append(RowError(name, 1, "", "", "the file is empty"))
            continue
        except csv.Error as error:
            errors.append(RowError(name, 1, "", "", f"not readable as CSV: {error}"))
            continue
        kind = _table_of(frozenset(columns))
        if kind is None:
            errors.append(RowError(name, 1, "", ",".join(columns)[:80],
                                   "not a table of the SSDA903 return: expected the exact "
                                   "columns of Header or Episodes"))
            continue
        if kind not in ("Header", "Episodes"):
            notices.append(f"{name}: the {kind} table was recognised and left out (Muster "
                           "imports Header and Episodes)")
            continue
        target = headers if kind == "Header" else episodes
        try:
            for values in reader:
                if not values or all(not v.strip() for v in values):
                    continue
                if len(values) != len(columns):
                    errors.append(RowError(name, reader.line_num, "", ",".join(values)[:80],
                                           f"has {len(values)} fields; the header has {len(columns)}"))
                    continue
                target.append((name, reader.line_num, {c: v.strip() for c, v in zip(columns, values, strict=True)}))
        except csv.Error as error:
            errors.append(RowError(name, reader.line_num, "", "", f"not readable as CSV: {error}"))
    if not errors and not headers:
        raise FileRejected([RowError(files[0][0] if files else "", 1, "", "",
                                     "no Header table was given: it joins each CHILD to a UPN")])
    children = _check(headers, episodes, errors)
    if errors:
        raise FileRejected(errors)
    return CareReturn(tuple(n for n, _ in files), children, tuple(notices))


def _table_of(columns: frozenset[str]) -> str | None:
    if columns == HEADER_COLUMNS:
        return "Header"
    if columns == EPISODE_COLUMNS:
        return "Episodes"
    for name, wanted in OTHER_TABLES.items():
        if columns == wanted:
            return name
    return None


def read_xml(source: bytes, *, name: str) -> CareReturn:
    """Read the XML return (``EXPSSDA903``); raise `FileRejected` naming the element path."""
    errors: list[RowError] = []
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 remove_comments=True)
        root = etree.fromstring(source, parser)
    except etree.XMLSyntaxError as error:
        raise FileRejected([RowError(name, error.lineno or 1, "/", "", f"malformed XML: {error.msg}")]) from None
    if root.getroottree().docinfo.doctype:
        raise FileRejected([RowError(name, 1, "/", "", "a DOCTYPE is not allowed")])
    if root.tag != "EXPSSDA903":
        raise FileRejected([RowError(name, root.sourceline or 1, f"/{root.tag}", "",
                                     "not an SSDA903 return: the root element should be EXPSSDA903")])
    headers, episodes = [], []
    for n, child in enumerate(root.findall("CHILD"), 1):
        where = f"/EXPSSDA903/CHILD[{n}]"
        header = child.find("HEADER")
        if header is None:
            errors.append(RowError(name, child.sourceline or 1, f"{where}/HEADER", "", "required element is missing"))
            continue
        row = _xml_values(header, HEADER_COLUMNS)
        headers.append((name, header.sourceline or 1, row, f"{where}/HEADER"))
        for m, episode in enumerate(child.findall("EPISODE"), 1):
            values = _xml_values(episode, EPISODE_COLUMNS)
            values["CHILD"] = row.get("CHILD", "")
            episodes.append((name, episode.sourceline or 1, values, f"{where}/EPISODE[{m}]"))
    children = _check(headers, episodes, errors)
    if errors:
        raise FileRejected(errors)
    return CareReturn((name,), children, ())


def _xml_values(element: etree._Element, columns: frozenset[str]) -> dict[str, str]:
    values = {}
    for item in element:
        column = XML_RENAMED.get(str(item.tag), str(item.tag))
        if column in columns and len(item) == 0:
            values[column] = (item.text or "").strip()
    return values


def _check(headers, episodes, errors: list[RowError]) -> tuple[Child, ...]:
    """Check Header and Episodes rows and join them by CHILD. A row is (file, line, values) for
    CSV, plus an element path for XML; errors name the column, or the element path."""

    def bad(item, column: str, reason: str) -> None:
        file, line, values = item[0], item[1], item[2]
        place = f"{item[3]}/{column}" if len(item) > 3 else column
        errors.append(RowError(file, line, place, values.get(column, ""), reason))

    children: dict[str, dict] = {}
    for item in headers:
        values = item[2]
        child_id = values.get("CHILD", "")
        if not child_id:
            bad(item, "CHILD", "required")
            continue
        if len(child_id) > 20:
            bad(item, "CHILD", "longer than 20 characters")
            continue
        if child_id in children:
            bad(item, "CHILD", f"the same CHILD is on line {children[child_id]['line']}")
            continue
        upn = values.get("UPN", "")
        unknown = ""
        if upn in UNKNOWN_UPNS:
            upn, unknown = "", upn
        elif not upn:
            bad(item, "UPN", "required: a UPN, or UN1 to UN5 when the child has none")
        elif (why := check_upn(upn)) is not None:
            bad(item, "UPN", why)
        birth = parse_date(values.get("DOB", ""))
        if isinstance(birth, str):
            bad(item, "DOB", birth)
        sex = values.get("SEX", "")
        if sex not in SEXES:
            bad(item, "SEX", "expected 1 (male) or 2 (female)")
        children[child_id] = {
            "item": item, "line": item[1], "upn": upn, "unknown": unknown,
            "birth": birth, "sex": SEXES.get(sex, ""), "episodes": [],
        }
    for item in episodes:
        values = item[2]
        child_id = values.get("CHILD", "")
        if child_id not in children:
            bad(item, "CHILD", "this CHILD is not in the Header table")
            continue
        start = parse_date(values.get("DECOM", ""))
        if isinstance(start, str):
            bad(item, "DECOM", start)
        end = None
        if values.get("DEC"):
            end = parse_date(values["DEC"])
            if isinstance(end, str):
                bad(item, "DEC", end)
                end = None
            elif not isinstance(start, str) and end < start:
                bad(item, "DEC", f"the episode ends before it starts ({start:%d/%m/%Y})")
        for column in ("RNE", "LS", "PLACE"):
            if not values.get(column):
                bad(item, column, "required")
        for column in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE", "URN"):
            if len(values.get(column, "")) > CODE_LENGTH:
                bad(item, column, f"longer than {CODE_LENGTH} characters")
        if isinstance(start, str):
            continue
        where = item[3] if len(item) > 3 else ""
        children[child_id]["episodes"].append(Episode(
            where, item[1], start, end, values.get("RNE", ""), values.get("LS", ""),
            values.get("CIN", ""), values.get("PLACE", ""), values.get("PLACE_PROVIDER", ""),
            values.get("REC", ""), values.get("REASON_PLACE_CHANGE", ""), values.get("URN", ""),
        ))
    result = []
    seen_upns: dict[str, str] = defaultdict(str)
    for child_id, c in children.items():
        if isinstance(c["birth"], str):
            continue
        if c["upn"]:
            if seen_upns[c["upn"]]:
                bad(c["item"], "UPN", f"the same UPN is given to CHILD {seen_upns[c['upn']]}")
                continue
            seen_upns[c["upn"]] = child_id
        spans = sorted(c["episodes"], key=lambda e: e.start)
        for before, after in zip(spans, spans[1:], strict=False):
            if before.end is None or before.end > after.start:
                errors.append(RowError(
                    c["item"][0], after.line, f"{after.where}/DECOM" if after.where else "DECOM",
                    f"{after.start:%d/%m/%Y}",
                    f"overlaps the episode starting {before.start:%d/%m/%Y} for CHILD {child_id}",
                ))
        header_where = c["item"][3] if len(c["item"]) > 3 else ""
        result.append(Child(header_where, c["line"], child_id, c["upn"], c["unknown"], c["birth"],
                            c["sex"], tuple(spans)))
    return tuple(result)
