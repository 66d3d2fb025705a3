"""Leavers added to the invented world of `tests/registers/world.py`, through the real imports.

Penrose left school A on 17 October 2025 after half a term, with comments on her marks and a
corrected mark; Quillan moved from A to B and left B on 28 November 2025. Ashdown, still on roll
at A, and Brennock, who left A but is on roll at B, are never leavers. All names are invented.
"""

from __future__ import annotations

import datetime as dt

from muster.core.best_mark import OnConflict
from muster.registers import imports
from tests.exchange.samples import upn
from tests.registers.world import SCHOOL_A, SCHOOL_B, World, full_register

PENROSE = upn(201)
QUILLAN = upn(202)
PENROSE_LAST_DAY = dt.date(2025, 10, 17)
QUILLAN_LAST_DAY = dt.date(2025, 11, 28)

LEAVER_HEADER = [
    "upn", "legal_surname", "legal_forename", "preferred_name", "date_of_birth", "sex",
    "nc_year", "school_urn", "enrolment_start", "enrolment_end", "sen", "fsm",
]
LEAVER_ROWS = [
    (PENROSE, "Penrose", "Wren", "Wrennie", "2014-03-09", "F", "7", SCHOOL_A, "2025-09-01",
     "2025-10-17", "K", "Y"),
    (QUILLAN, "Quillan", "Bryn", "", "2013-09-01", "M", "7", SCHOOL_A, "2025-09-01",
     "2025-09-30", "N", "N"),
    (QUILLAN, "Quillan", "Bryn", "", "2013-09-01", "M", "7", SCHOOL_B, "2025-10-13",
     "2025-11-28", "N", "N"),
]

PENROSE_COMMENT = "Wren's grandmother phoned: dentist in Truro"
CORRECTION_COMMENT = "Wren seen at the bus stop by Mr Tamsin"


def add_leavers(world: World) -> None:
    imports.import_pupils(world.files.write("leavers.csv", LEAVER_HEADER, LEAVER_ROWS))
    penrose = full_register(PENROSE, SCHOOL_A, dt.date(2025, 9, 2), PENROSE_LAST_DAY)
    penrose[0] = (*penrose[0][:4], "M", "", PENROSE_COMMENT)
    penrose[2] = (*penrose[2][:4], "L", "7", "")
    penrose[4] = (*penrose[4][:4], "N")
    world.import_marks(penrose, "penrose.csv")
    world.import_marks(
        [(PENROSE, SCHOOL_A, penrose[4][2], "AM", "O", "", CORRECTION_COMMENT)],
        "penrose-correction.csv", on_conflict=OnConflict.REPLACE,
    )
    world.import_marks(
        full_register(QUILLAN, SCHOOL_A, dt.date(2025, 9, 2), dt.date(2025, 9, 30))
        + full_register(QUILLAN, SCHOOL_B, dt.date(2025, 10, 13), QUILLAN_LAST_DAY),
        "quillan.csv",
    )
