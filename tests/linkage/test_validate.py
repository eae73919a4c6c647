import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from tandem.linkage import files

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 23)
BAD = """id,first,last,born,gender,pc,nhs
A1,Jayden,Smith,03/07/2011,M,HM1 2AB,9434765919
A2,,Jones,12/01/2015,F,HM3 4CD,
A3,Oliver,Brown,31/02/2013,M,HM5 6EF,
A4,Ruby,Brown,21/11/2013,F,HM5 6EF,9434765918
A5,Noah,Patel,30/04/2030,M,,
A1,Isla,Taylor,05/05/2016,F,HM7 8GH,
A7,Leo,Wilson,17/09/2012,M,HM9 1JK,
A8,Freya,Evans,02/02/2014,F,HM2 3LM,
"""
EXPECTED = [
    ["council.csv", "3", "first", "", "is empty"],
    ["council.csv", "4", "born", "31/02/2013", "is not a date in the format %d/%m/%Y"],
    ["council.csv", "5", "nhs", "9434765918", "is not a valid NHS number (check digit)"],
    ["council.csv", "6", "born", "30/04/2030", "is in the future"],
    ["council.csv", "7", "id", "A1", "repeats row 2"],
]


@pytest.fixture
def bad_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "council.csv").write_text(BAD)
    (folder / "health.csv").write_text((DATA / "health.csv").read_text())
    return folder


def _errors(out):
    with (out / "errors.csv").open() as f:
        return list(csv.reader(f))[1:]


def _link(folder, out, **options):
    return files.link_files(
        [folder / "council.csv", folder / "health.csv"],
        (DATA / "mapping.toml").read_text(),
        out,
        as_of=TODAY,
        **options,
    )


def test_a_file_with_bad_rows_is_rejected_whole_with_every_error_listed(bad_file, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValidationError, match=r"5 problems, the first in council.csv row 3"):
        _link(bad_file, out)
    assert _errors(out) == EXPECTED
    assert not (out / "pairs.csv").exists()
    assert not (out / "clusters.csv").exists()


def test_quarantine_links_the_good_rows_and_leaves_out_every_bad_one(bad_file, tmp_path):
    out = tmp_path / "out"
    _link(bad_file, out, bad_rows="quarantine")
    assert _errors(out) == EXPECTED
    with (out / "clusters.csv").open() as f:
        linked = {(r["source"], r["record_id"]) for r in csv.DictReader(f)}
    council = {r for s, r in linked if s == "council"}
    assert council == {"A1", "A7", "A8"}  # both rows with id A1: the repeat is the bad one
    assert ("health", "B1") in linked
    assert "council 5" in (out / "report.md").read_text()


def test_a_mapped_column_missing_from_the_file_is_named(bad_file, tmp_path):
    (bad_file / "council.csv").write_text(BAD.replace(",nhs\n", ",nhs_no\n", 1))
    with pytest.raises(ValidationError, match="row 1, nhs: '' column is not in the file"):
        _link(bad_file, tmp_path / "out", bad_rows="quarantine")


def test_a_row_with_more_cells_than_the_header_is_reported(bad_file, tmp_path):
    """A stray comma shifts a row's values into the wrong columns: never accepted silently."""
    (bad_file / "council.csv").write_text(
        BAD.replace("A7,Leo,Wilson,17/09/2012,M,HM9 1JK,", "A7,Leo,Wilson,17/09/2012,M,HM9 1JK,,x")
    )
    out = tmp_path / "out"
    with pytest.raises(ValidationError):
        _link(bad_file, out)
    assert [
        "council.csv",
        "8",
        "(past the last column)",
        "x",
        "has 1 more cell than the header has columns: a value may be in the wrong column",
    ] in _errors(out)
