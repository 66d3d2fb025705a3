"""The code table against domain reference table 2.1, 2.2 and section 9."""

import datetime as dt

import pytest

from muster.core import codes
from muster.core.codes import Category

# Reference section 9, "Quick lookup sets (for code)".
PRESENT = {"/", "\\", "L"}
AEA = {"K", "V", "P", "W", "B"}
AUTHORISED = {"C", "C1", "C2", "E", "I", "J1", "M", "R", "S", "T"}
UNAUTHORISED = {"G", "N", "O", "U"}
NOT_POSSIBLE = {"D", "Q", "X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"}
LEGACY = {"H": Category.AUTHORISED, "F": Category.AUTHORISED, "J": Category.AEA, "Y": Category.NOT_POSSIBLE}


def test_the_2024_code_set_has_32_codes_besides_the_administrative_z_and_hash():
    # Reference 2.1 lists 32 codes counting / and \ separately; its grouping adds Z and #.
    current = [c for c in codes.CODES if not c.is_legacy]
    administrative = [c for c in current if c.category is Category.ADMINISTRATIVE]
    assert len(current) - len(administrative) == 32
    assert {c.symbol for c in administrative} == {"Z", "#"}


@pytest.mark.parametrize("symbol", sorted(PRESENT))
def test_present_codes(symbol):
    assert codes.code(symbol).category is Category.PRESENT
    assert codes.code(symbol).category.is_possible and codes.code(symbol).category.is_attendance


@pytest.mark.parametrize("symbol", sorted(AEA))
def test_approved_educational_activity_counts_as_attendance(symbol):
    assert codes.code(symbol).category is Category.AEA
    assert codes.code(symbol).category.is_attendance


@pytest.mark.parametrize("symbol", sorted(AUTHORISED))
def test_authorised_absence_codes(symbol):
    assert codes.code(symbol).category is Category.AUTHORISED
    assert codes.code(symbol).category.is_possible and not codes.code(symbol).category.is_attendance


@pytest.mark.parametrize("symbol", sorted(UNAUTHORISED))
def test_unauthorised_absence_codes(symbol):
    assert codes.code(symbol).category is Category.UNAUTHORISED


@pytest.mark.parametrize("symbol", sorted(NOT_POSSIBLE))
def test_codes_outside_possible_sessions(symbol):
    assert not codes.code(symbol).category.is_possible


def test_d_is_not_approved_activity_and_k_is():
    # Reference 2.4: AEA = B + J + P + V + W + K exactly; D is not in AEA.
    assert codes.code("D").category is Category.NOT_POSSIBLE
    assert codes.code("K").category is Category.AEA


def test_c1_j1_c2_are_authorised_absence():
    # Reference 2.4: Suffolk's authorised absence reconciles only with C1, J1, C2 in it.
    assert {codes.code(s).category for s in ("C1", "J1", "C2")} == {Category.AUTHORISED}


@pytest.mark.parametrize("symbol,category", sorted(LEGACY.items()))
def test_legacy_codes_map_as_in_table_2_2(symbol, category):
    legacy = codes.code(symbol)
    assert legacy.category is category
    assert legacy.valid_on(dt.date(2024, 8, 18))
    assert not legacy.valid_on(dt.date(2024, 8, 19))


def test_every_code_id_lies_in_its_category_range():
    for c in codes.CODES:
        assert codes.category_of_id(c.id) is c.category


def test_no_mark_is_not_a_code():
    assert codes.NO_MARK not in codes.BY_ID
    with pytest.raises(codes.UnknownCode):
        codes.code("-")
