import csv
import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command

from tandem.synth import extracts, truth

AS_OF = dt.date(2026, 3, 2)


def _read(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("extracts")
    counts = extracts.write_extracts(out, seed=5, children=1500, as_of=AS_OF, chunk_size=600)
    return out, counts


def test_each_agency_file_has_its_own_shape_and_the_counted_rows(written):
    out, counts = written
    for agency, layout in extracts.LAYOUTS.items():
        rows = _read(out / f"{agency}.csv")
        assert len(rows) == counts[agency]
        assert counts[agency] > 0
        assert list(rows[0]) == [v[0] if isinstance(v, tuple) else v for v in layout.values()]


def test_truth_names_every_row_once_and_only_children_of_the_same_partnership(written):
    out, counts = written
    rows = _read(out / "truth.csv")
    assert len(rows) == sum(counts.values())
    assert len({(r["source"], r["record_id"]) for r in rows}) == len(rows)
    children = set(
        truth.child_risk_profiles(seed=5, children=1500, as_of=AS_OF, chunk_size=600).child_id
    )
    assert {r["person_id"] for r in rows} <= children


def test_same_seed_same_files(written, tmp_path):
    out, _ = written
    extracts.write_extracts(tmp_path, seed=5, children=1500, as_of=AS_OF, chunk_size=600)
    for name in ("police.csv", "health.csv", "truth.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def _people(out):
    """Each true person's recorded (given, family, date of birth) across all agencies."""
    truth_rows = {(r["source"], r["record_id"]): r["person_id"] for r in _read(out / "truth.csv")}
    seen = defaultdict(set)
    for agency, layout in extracts.LAYOUTS.items():
        for row in _read(out / f"{agency}.csv"):
            dob = dt.datetime.strptime(
                row[layout["date_of_birth"][0]], layout["date_of_birth"][1]
            ).date()
            person = truth_rows[(agency, row[layout["record_id"]])]
            seen[person].add((row[layout["given_name"]], row[layout["family_name"]], dob))
    return seen


def test_without_errors_every_record_of_a_person_agrees(tmp_path):
    extracts.write_extracts(tmp_path, seed=5, children=600, as_of=AS_OF, error_rate=0)
    assert all(len(v) == 1 for v in _people(tmp_path).values())


def test_recording_errors_include_day_month_swaps_hyphenated_names_and_twins(written):
    out, _ = written
    people = _people(out)
    swaps = hyphens = 0
    for versions in people.values():
        dobs = {d for _, _, d in versions}
        swaps += any(
            a.year == b.year and a.day == b.month and a.month == b.day and a != b
            for a in dobs
            for b in dobs
        )
        families = {f for _, f, _ in versions}
        hyphens += any("-" in f and f.split("-")[0] in families for f in families)
    assert swaps > 0
    assert hyphens > 0
    # Twins: two different people in one household born the same day.
    by_household = defaultdict(set)
    for r in _read(out / "truth.csv"):
        by_household[r["household_id"]].add(r["person_id"])
    dob_of = {p: min(d for _, _, d in v) for p, v in people.items()}
    twins = [
        h
        for h, persons in by_household.items()
        if len({dob_of[p] for p in persons}) < len(persons)
    ]
    assert twins


def test_local_ids_never_span_agencies(written):
    out, _ = written
    police = {r["NominalRef"] for r in _read(out / "police.csv")}
    council = {r["person_id"] for r in _read(out / "council.csv")}
    assert not police & council


def test_extracts_command_writes_the_mapping_and_refuses_bad_options(tmp_path):
    call_command("extracts", out=tmp_path, children=200, as_of="2026-03-02", verbosity=0)
    assert "[sources.police]" in (tmp_path / "mapping.toml").read_text()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="error-rate"):
        call_command("extracts", out=tmp_path, error_rate=-1, verbosity=0)
    with pytest.raises(CommandError, match="Unknown agencies: prison"):
        call_command("extracts", out=tmp_path, agencies="police,prison", verbosity=0)
