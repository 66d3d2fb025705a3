"""Reading an exchange file: formats.md, opening paragraph.

"All files are UTF-8 (a BOM is tolerated), comma separated, with a header row; column order is
free; unknown columns are an error unless the importer is told to ignore them." Every problem is
reported with file, line, column, value and reason (formats.md, "Register marks").
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from muster.core.exchange.csv_file import Columns, RowError, read_rows

COLUMNS = Columns(required=("upn", "date", "mark"), optional=("comment",))


def read(source, **options) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    errors: list[RowError] = []
    rows = list(read_rows(source, COLUMNS, errors=errors, **options))
    return rows, errors


def write(tmp_path: Path, data: str | bytes, name: str = "marks.csv") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_rows_come_with_the_files_own_line_numbers(tmp_path):
    """The header is line 1, so a person can find the row (csv_file.read_rows)."""
    rows, errors = read(write(tmp_path, "upn,date,mark\nA,2025-09-02,/\nB,2025-09-02,I\n"))
    assert errors == []
    assert rows == [
        (2, {"upn": "A", "date": "2025-09-02", "mark": "/"}),
        (3, {"upn": "B", "date": "2025-09-02", "mark": "I"}),
    ]


def test_column_order_is_free(tmp_path):
    """formats.md: "column order is free"."""
    rows, errors = read(write(tmp_path, "mark,upn,date\n/,A,2025-09-02\n"))
    assert errors == []
    assert rows == [(2, {"upn": "A", "date": "2025-09-02", "mark": "/"})]


def test_optional_columns_may_be_left_out(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark\nA,2025-09-02,/\n"))
    assert errors == [] and "comment" not in rows[0][1]


def test_values_are_trimmed_of_spaces(tmp_path):
    rows, _ = read(write(tmp_path, "upn , date,mark\n A , 2025-09-02 ,/\n"))
    assert rows == [(2, {"upn": "A", "date": "2025-09-02", "mark": "/"})]


def test_blank_lines_are_skipped_and_line_numbers_still_count_them(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark\n\nA,2025-09-02,/\n,,\nB,2025-09-02,/\n"))
    assert errors == []
    assert [line for line, _ in rows] == [3, 5]


def test_a_quoted_comment_over_two_lines_does_not_shift_later_line_numbers(tmp_path):
    text = 'upn,date,mark,comment\nA,2025-09-02,L,"bus late\nagain"\nB,2025-09-02,/,\n'
    rows, errors = read(write(tmp_path, text))
    assert errors == []
    assert rows[0] == (2, {"upn": "A", "date": "2025-09-02", "mark": "L", "comment": "bus late\nagain"})
    assert rows[1][0] == 4


def test_windows_line_endings_are_read(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark\r\nA,2025-09-02,/\r\n"))
    assert errors == [] and rows == [(2, {"upn": "A", "date": "2025-09-02", "mark": "/"})]


def test_a_byte_order_mark_is_tolerated(tmp_path):
    """formats.md: "All files are UTF-8 (a BOM is tolerated)"."""
    rows, errors = read(write(tmp_path, "\ufeffupn,date,mark\nA,2025-09-02,/\n"))
    assert errors == []
    assert rows == [(2, {"upn": "A", "date": "2025-09-02", "mark": "/"})]


def test_a_byte_order_mark_is_tolerated_in_a_text_stream_too():
    rows, errors = read(io.StringIO("\ufeffupn,date,mark\nA,2025-09-02,/\n"), name="marks.csv")
    assert errors == [] and rows[0][1]["upn"] == "A"


def test_a_missing_required_column_is_an_error_naming_the_column(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date\nA,2025-09-02\n"))
    assert rows == []
    assert errors == [
        RowError("marks.csv", 1, "mark", "", "required column is missing from the header")
    ]


def test_an_unknown_column_is_an_error(tmp_path):
    """formats.md: "unknown columns are an error unless the importer is told to ignore them"."""
    rows, errors = read(write(tmp_path, "upn,date,mark,teacher\nA,2025-09-02,/,Ms Quill\n"))
    assert rows == []
    assert len(errors) == 1
    error = errors[0]
    assert (error.file, error.line, error.column, error.value) == ("marks.csv", 1, "teacher", "teacher")
    assert error.reason.startswith("unknown column")


def test_an_unknown_column_is_skipped_when_the_importer_is_told_to_ignore_it(tmp_path):
    """formats.md, opening paragraph; the command's --ignore-unknown-columns option."""
    path = write(tmp_path, "upn,date,mark,teacher\nA,2025-09-02,/,Ms Quill\n")
    rows, errors = read(path, ignore_unknown_columns=True)
    assert errors == []
    assert rows == [(2, {"upn": "A", "date": "2025-09-02", "mark": "/"})]


def test_a_column_twice_in_the_header_is_an_error(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark,mark\nA,2025-09-02,/,I\n"))
    assert rows == []
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (1, "mark", "column appears twice in the header")
    ]


def test_a_row_with_the_wrong_number_of_fields_is_an_error_and_reading_goes_on(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark\nA,2025-09-02\nB,2025-09-02,/\n"))
    assert rows == [(3, {"upn": "B", "date": "2025-09-02", "mark": "/"})]
    assert len(errors) == 1
    assert (errors[0].line, errors[0].value) == (2, "A,2025-09-02")
    assert errors[0].reason == "has 2 fields; the header has 3"


def test_an_empty_file_is_an_error(tmp_path):
    rows, errors = read(write(tmp_path, ""))
    assert rows == []
    assert errors == [RowError("marks.csv", 1, "", "", "the file is empty; a header row is needed")]


def test_a_header_with_no_rows_is_an_empty_import_not_an_error(tmp_path):
    rows, errors = read(write(tmp_path, "upn,date,mark\n"))
    assert rows == [] and errors == []


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    """formats.md: "All files are UTF-8". Latin-1 from an old export is refused, not guessed."""
    path = write(tmp_path, "upn,date,mark,comment\nA,2025-09-02,/,caf\xe9\n".encode("latin-1"))
    rows, errors = read(path)
    assert rows == []
    assert len(errors) == 1
    assert errors[0].file == "marks.csv" and errors[0].line == 1
    assert errors[0].reason.startswith("not UTF-8 text")


def test_the_file_is_named_by_the_name_given(tmp_path):
    _, errors = read(write(tmp_path, "upn,date\n"), name="autumn/marks.csv")
    assert errors[0].file == "autumn/marks.csv"


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (RowError("marks.csv", 7, "mark", "ZZ", "unknown attendance code"),
         "marks.csv line 7, mark 'ZZ': unknown attendance code"),
        (RowError("marks.csv", 1, "", "", "the file is empty; a header row is needed"),
         "marks.csv line 1: the file is empty; a header row is needed"),
    ],
)
def test_an_error_reads_as_file_line_column_value_and_reason(error, text):
    """formats.md, "Register marks": "reports every bad row (file, line, column, value, what is
    wrong)"; the conformance check looks for `line 7` (conformance README)."""
    assert str(error) == text
