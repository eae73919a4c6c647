"""Reading SSDA903 histories: several years merged, other tables passed over, every bad row
named at once; the synthetic history reads back as the children it simulated."""

from datetime import date

import pytest

from tandem.planning.history import HistoryError, read_ssda903
from tandem.synth.history903 import birthday, simulate, write_history


def write(folder, name, text):
    (folder / name).write_text(text)


def test_years_merge_into_one_history(tmp_path):
    write(tmp_path, "2023-header.csv", "CHILD,SEX,DOB\nA1,1,01/02/2010\n")
    write(tmp_path, "2024-header.csv", "CHILD,SEX,DOB\nA1,1,01/02/2010\nB2,2,2015-06-30\n")
    write(tmp_path, "2023-episodes.csv", "CHILD,DECOM,DEC,PLACE\nA1,01/03/2023,,U4\n")
    write(
        tmp_path,
        "2024-episodes.csv",
        "CHILD,DECOM,DEC,PLACE\nA1,01/03/2023,05/05/2023,U4\nA1,05/05/2023,,k2\n"
        "B2,2024-01-01,,U1\nORPHAN,01/01/2024,,U1\n",
    )
    write(tmp_path, "2024-missing.csv", "CHILD,MISSING,MIS_START\nA1,M,01/01/2024\n")
    write(tmp_path, "2024-ad1.csv", "")
    got = read_ssda903([tmp_path])
    assert got.select("child", "dob", "start", "end", "place").rows() == [
        ("A1", date(2010, 2, 1), date(2023, 3, 1), date(2023, 5, 5), "U4"),
        ("A1", date(2010, 2, 1), date(2023, 5, 5), None, "K2"),
        ("B2", date(2015, 6, 30), date(2024, 1, 1), None, "U1"),
    ]


def test_every_bad_row_is_named_and_nothing_is_read(tmp_path):
    write(tmp_path, "h.csv", "CHILD,DOB\nA1,31/02/2010\n,01/01/2010\nB2,\n")
    write(
        tmp_path,
        "e.csv",
        "CHILD,DECOM,DEC,PLACE\nA1,,,U4\nA1,01/13/2023,,U4\nA1,05/05/2023,01/05/2023,U4\n"
        "A1,01/06/2023,soon,U4\n",
    )
    with pytest.raises(HistoryError) as caught:
        read_ssda903([tmp_path])
    assert caught.value.problems == [
        "e.csv row 2: DECOM is empty",
        "e.csv row 3: DECOM is not a date (dd/mm/yyyy)",
        "e.csv row 5: DEC is not a date (dd/mm/yyyy)",
        "e.csv row 4: DEC is before DECOM",
        "h.csv row 3: CHILD is empty",
        "h.csv row 4: DOB is empty",
        "h.csv row 2: DOB is not a date (dd/mm/yyyy)",
    ]


def test_a_folder_without_the_two_tables_says_what_is_missing(tmp_path):
    write(tmp_path, "notes.csv", "A,B\n1,2\n")
    with pytest.raises(HistoryError, match="no Header file") as caught:
        read_ssda903([tmp_path])
    assert "no Episodes file (columns CHILD, DECOM, DEC, PLACE) was found" in caught.value.problems


def test_the_synthetic_history_reads_back_as_simulated(tmp_path):
    written = write_history(tmp_path, entrants_a_year=60, years=3, last_year=2025, seed=4)
    got = read_ssda903([tmp_path])
    assert written > got.height > 0  # open episodes repeat across the years' files
    children, episodes = simulate(
        entrants_a_year=60, first=date(2025 - 3 - 18, 4, 1), last=date(2025, 3, 31), seed=4
    )
    kept = {(c, s) for c, s, e, _, _ in episodes if e is None or e >= date(2022, 4, 1)}
    assert set(got.select("child", "start").iter_rows()) == kept
    dob = {c: d for c, _, d in children}
    eighteen = got.filter(got["end"].is_not_null()).iter_rows(named=True)
    assert all(r["end"] <= birthday(dob[r["child"]], 18) for r in eighteen)


def test_headings_as_spreadsheets_save_them(tmp_path):
    (tmp_path / "h.csv").write_bytes("\ufeffchild, dob\nA1,01/02/2010\n".encode())
    (tmp_path / "e.csv").write_bytes(b"Child,DECOM,DEC,Place\nA1,01/03/2023,,u4\n")
    got = read_ssda903([tmp_path])
    assert got.select("child", "place").rows() == [("A1", "U4")]
