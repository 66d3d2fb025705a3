"""The key stage of a national curriculum year, to filter the Virtual School's caseload (issue 5,
item 1). Key stages as the national curriculum sets them: years 1-2 key stage 1, 3-6 key stage 2,
7-9 key stage 3, 10-11 key stage 4; nursery and reception are the early years foundation stage,
years 12 and above 16 to 19."""

from __future__ import annotations

EARLY_YEARS = "EYFS"
POST_16 = "16-19"


def key_stage(nc_year: str) -> str:
    if nc_year in ("N1", "N2", "R"):
        return EARLY_YEARS
    year = int(nc_year)
    for stage, last in (("KS1", 2), ("KS2", 6), ("KS3", 9), ("KS4", 11)):
        if year <= last:
            return stage
    return POST_16
