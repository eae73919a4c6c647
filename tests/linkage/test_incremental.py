import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.linkage import files, incremental
from tandem.synth import extracts

AS_OF = dt.date(2026, 3, 2)


def _read(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """Police, school, health and council linked; the charity's extract arrives later."""
    src = tmp_path_factory.mktemp("extracts")
    extracts.write_extracts(src, seed=4, children=1000, as_of=AS_OF)
    out = tmp_path_factory.mktemp("linked")
    paths = [src / f"{a}.csv" for a in ("police", "school", "health", "council")]
    files.link_files(
        paths, (src / "mapping.toml").read_text(), out, as_of=AS_OF, bad_rows="quarantine"
    )
    return src, out


def test_a_new_extract_joins_the_people_already_linked(linked, tmp_path):
    src, out = linked
    counts = incremental.match_new(
        out, [src / "charity.csv"], (src / "mapping.toml").read_text(), tmp_path
    )
    person = {(r["source"], r["record_id"]): r["person_id"] for r in _read(src / "truth.csv")}
    known = {person[tuple(k.split(":", 1))] for k in _population_ids(out)}
    rows = _read(tmp_path / "matches.csv")
    assert len(rows) == counts["matched"] + counts.get("review", 0) + counts.get("new", 0)
    matched = [r for r in rows if r["status"] == "matched"]
    right = sum(
        person[("charity", r["record_id"])] == person[tuple(r["best_match"].split(":", 1))]
        for r in matched
    )
    assert right / len(matched) >= 0.98
    # a charity record of someone the other partners know is found more often than not missed
    findable = [r for r in rows if person[("charity", r["record_id"])] in known]
    assert sum(r["status"] == "matched" for r in findable) / len(findable) >= 0.9
    new = [r for r in rows if r["status"] == "new"]
    assert all(r["cluster_id"] == f"charity:{r['record_id']}" for r in new)
    assert all(r["explanation"] for r in matched)


def _population_ids(out):
    import duckdb

    return [
        r[0] for r in duckdb.sql(f"select unique_id from '{out / 'records.parquet'}'").fetchall()
    ]


def test_records_already_linked_are_refused(linked, tmp_path):
    src, out = linked
    with pytest.raises(CommandError, match="already in the population"):
        call_command(
            "link",
            "new",
            str(src / "police.csv"),
            "--linked",
            str(out),
            "--mapping",
            str(src / "mapping.toml"),
            "--out",
            str(tmp_path),
            verbosity=0,
        )
    with pytest.raises(CommandError, match="holds no earlier"):
        call_command(
            "link",
            "new",
            str(src / "charity.csv"),
            "--linked",
            str(tmp_path),
            "--mapping",
            str(src / "mapping.toml"),
            "--out",
            str(tmp_path),
            verbosity=0,
        )


def test_link_new_holds_duckdb_to_its_memory_limit(linked, tmp_path, monkeypatch):
    from tandem.linkage import standardise

    src, out = linked
    made = []
    real = standardise.connect

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(standardise, "connect", spy)
    call_command(
        "link",
        "new",
        str(src / "charity.csv"),
        "--linked",
        str(out),
        "--mapping",
        str(src / "mapping.toml"),
        "--out",
        str(tmp_path),
        "--memory-limit",
        "1GiB",
        verbosity=0,
    )
    assert (tmp_path / "matches.csv").exists()
    limits = [c.sql("select current_setting('memory_limit')").fetchall()[0][0] for c in made]
    assert limits == ["1.0 GiB"]
