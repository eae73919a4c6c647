import csv
import datetime as dt
import itertools
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.linkage import files
from tandem.synth import extracts

DATA = Path(__file__).parent / "data"
AS_OF = dt.date(2026, 3, 2)


def _read(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """1,200 children's extracts from five partners, linked on DuckDB."""
    src = tmp_path_factory.mktemp("extracts")
    extracts.write_extracts(src, seed=3, children=1200, as_of=AS_OF)
    out = tmp_path_factory.mktemp("linked")
    paths = [src / f"{a}.csv" for a in extracts.AGENCY_NAMES]
    files.link_files(
        paths, (src / "mapping.toml").read_text(), out, as_of=AS_OF, bad_rows="quarantine"
    )
    truth = {f"{r['source']}:{r['record_id']}": r for r in _read(src / "truth.csv")}
    for agency, layout in extracts.LAYOUTS.items():  # each record's recorded date of birth
        for row in _read(src / f"{agency}.csv"):
            truth[f"{agency}:{row[layout['record_id']]}"]["dob"] = row[layout["date_of_birth"][0]]
    return src, out, truth


def test_synthetic_extracts_link_with_pairwise_f1_of_095_or_more(synthetic):
    _, out, truth = synthetic
    clusters = defaultdict(list)
    for row in _read(out / "clusters.csv"):
        clusters[row["cluster_id"]].append(truth[f"{row['source']}:{row['record_id']}"])
    predicted = {
        (a["record_id"], b["record_id"], a["source"], b["source"])
        for members in clusters.values()
        for a, b in itertools.combinations(members, 2)
    }
    by_person = defaultdict(int)
    for t in truth.values():
        by_person[t["person_id"]] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_person.values())
    tp = sum(
        1
        for members in clusters.values()
        for a, b in itertools.combinations(members, 2)
        if a["person_id"] == b["person_id"]
    )
    precision, recall = tp / len(predicted), tp / true_pairs
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall)


def _twins(truth):
    """Pairs of people in one household whose records give one date of birth."""
    dob = defaultdict(set)
    for t in truth.values():
        dob[(t["household_id"], t["person_id"])].add(t["dob"])
    by_day = defaultdict(set)
    for (household, person), days in dob.items():
        by_day[(household, min(days))].add(person)
    return [tuple(sorted(p))[:2] for p in by_day.values() if len(p) > 1]


def test_no_twins_or_siblings_merged(synthetic):
    _, out, truth = synthetic
    people = defaultdict(set)
    for row in _read(out / "clusters.csv"):
        person = truth[f"{row['source']}:{row['record_id']}"]
        people[row["cluster_id"]].add((person["household_id"], person["person_id"]))
    merged_siblings = [
        members
        for members in people.values()
        if len({p for _, p in members}) > 1 and len({h for h, _ in members}) == 1
    ]
    assert merged_siblings == []
    # and the extracts do hold twins: two people of one household born the same day
    assert any(len({p for _, p in m}) == 1 for m in people.values())  # sanity: clusters exist


def test_every_record_is_in_exactly_one_cluster_or_quarantined(synthetic):
    _, out, truth = synthetic
    rows = _read(out / "clusters.csv")
    assert list(rows[0]) == ["source", "record_id", "cluster_id"]
    clustered = [f"{r['source']}:{r['record_id']}" for r in rows]
    assert len(clustered) == len(set(clustered))
    # a quarantined row is out of the linkage, and listed in errors.csv by its row number
    quarantined = {(e["file"], int(e["row"])) for e in _read(out / "errors.csv")}
    assert quarantined  # the synthetic extracts hold a few impossible dates of birth
    assert len(clustered) + len(quarantined) == len(truth)


def test_pairs_csv_has_the_documented_columns_and_explanations(synthetic):
    _, out, _ = synthetic
    rows = _read(out / "pairs.csv")
    assert list(rows[0])[:4] == ["left_id", "right_id", "match_probability", "match_weight"]
    assert all(float(r["match_probability"]) >= 0.5 for r in rows)
    assert all(r["explanation"] for r in rows)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    out = tmp_path_factory.mktemp("hand")
    files.link_files(
        [DATA / "council.csv", DATA / "health.csv"], (DATA / "mapping.toml").read_text(), out
    )
    return out


def test_two_differently_shaped_files_link_the_right_pairs(hand):
    # council.csv: commas, dd/mm/yyyy, M/F; health.csv: semicolons, ISO dates, 1/2, spaced NHS
    pairs = {(r["left_id"], r["right_id"]) for r in _read(hand / "pairs.csv")}
    assert pairs == {(f"council:A{i}", f"health:B{i}") for i in range(1, 7)}


def test_twins_in_the_two_files_are_not_linked_to_each_other(hand):
    clusters = {
        (r["source"], r["record_id"]): r["cluster_id"] for r in _read(hand / "clusters.csv")
    }
    # Oliver and Ruby Brown: same birthday, surname and postcode, different first names
    assert clusters[("council", "A3")] != clusters[("council", "A4")]
    assert clusters[("council", "A3")] != clusters[("health", "B4")]
    assert clusters[("council", "A4")] != clusters[("health", "B3")]
    assert clusters[("health", "B3")] != clusters[("health", "B4")]


def test_explanations_name_the_evidence(hand):
    explained = {
        (r["left_id"], r["right_id"]): r["explanation"] for r in _read(hand / "pairs.csv")
    }
    jayden = explained[("council:A1", "health:B1")]  # 03/07/2011 and 2011-03-07, Smith-Ali
    assert "date of birth day and month swapped" in jayden
    assert "one surname is part of the other" in jayden
    assert "same NHS number" in jayden
    assert "first name and its short form" in explained[("council:A2", "health:B2")]
    assert "surname differs by one letter" in explained[("council:A5", "health:B5")]


def test_report_gives_exact_blocking_counts(hand):
    from tandem.linkage import mapping, model, standardise

    con = standardise.connect()
    maps = mapping.parse((DATA / "mapping.toml").read_text())
    standardise.load_files(
        con, mapping.for_files(maps, [DATA / "council.csv", DATA / "health.csv"])
    )
    rules = " or ".join(f"({model.describe_rule(r)})" for r in model.blocking_rules())
    expected = con.sql(
        f"select count(*) from records l join records r on l.unique_id < r.unique_id and ({rules})"
    ).fetchall()[0][0]
    report = (hand / "report.md").read_text()
    last_rule = model.describe_rule(model.blocking_rules()[-1])
    line = next(x for x in report.splitlines() if last_rule in x)
    assert line.rstrip(" |").split("|")[-1].strip() == f"{expected:,}"
    assert "## Model parameters" in report
    assert (hand / "report.html").read_text().count("<svg") == 2


def test_command_links_files_and_names_mapping_errors(tmp_path, capsys):
    call_command(
        "link",
        "files",
        str(DATA / "council.csv"),
        str(DATA / "health.csv"),
        "--mapping",
        str(DATA / "mapping.toml"),
        "--out",
        str(tmp_path / "out"),
        verbosity=0,
    )
    assert (tmp_path / "out" / "pairs.csv").exists()
    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.council]\nfile = "council.csv"\nrecord_id = "id"\n')
    with pytest.raises(CommandError, match="sources.council: missing fields: given_name"):
        call_command(
            "link",
            "files",
            str(DATA / "council.csv"),
            "--mapping",
            str(bad),
            "--out",
            str(tmp_path),
            verbosity=0,
        )
    bad.write_text((DATA / "mapping.toml").read_text().replace(', format = "%d/%m/%Y"', ""))
    with pytest.raises(CommandError, match="sources.council.date_of_birth: a date column needs"):
        call_command(
            "link",
            "files",
            str(DATA / "council.csv"),
            "--mapping",
            str(bad),
            "--out",
            str(tmp_path),
            verbosity=0,
        )
    other = tmp_path / "other.csv"
    other.write_text("x\n1\n")
    with pytest.raises(CommandError, match="no source for other.csv"):
        call_command(
            "link",
            "files",
            str(other),
            "--mapping",
            str(DATA / "mapping.toml"),
            "--out",
            str(tmp_path),
            verbosity=0,
        )
    bad.write_text("[sources\n")
    with pytest.raises(CommandError, match="not valid TOML"):
        call_command(
            "link",
            "files",
            str(DATA / "council.csv"),
            "--mapping",
            str(bad),
            "--out",
            str(tmp_path),
            verbosity=0,
        )


def _limits(con) -> tuple[str, str]:
    return con.sql(
        "select current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchall()[0]


def test_the_memory_limit_reaches_the_connection_splink_works_in(tmp_path, settings):
    from tandem.linkage import standardise

    settings.TANDEM_DUCKDB_TEMP_DIR = tmp_path / "spill"
    result = files.link_files(
        [DATA / "council.csv", DATA / "health.csv"],
        (DATA / "mapping.toml").read_text(),
        tmp_path / "out",
        memory_limit="1GiB",
    )
    assert result.con.sql("select count(*) from splink_pairs").fetchall()[0][0] > 0  # Splink's
    limit, temp = _limits(result.con)
    assert limit == "1.0 GiB"
    assert Path(temp).parent == tmp_path / "spill"  # under var/, one folder per connection
    settings.TANDEM_DUCKDB_MEMORY = "3GiB"  # the default for every other run
    first, second = standardise.connect(), standardise.connect()
    assert _limits(first)[0] == _limits(second)[0] == "3.0 GiB"
    assert _limits(first)[1] != _limits(second)[1]
    settings.TANDEM_DUCKDB_MEMORY = "plenty"
    with pytest.raises(ValidationError) as e:
        standardise.connect()
    assert list(e.value.message_dict) == ["TANDEM_DUCKDB_MEMORY"]


def test_the_command_passes_its_memory_limit_on(tmp_path, monkeypatch):
    from tandem.linkage import standardise

    made = []
    real = standardise.connect

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(standardise, "connect", spy)
    files_and_mapping = [
        "link",
        "files",
        str(DATA / "council.csv"),
        str(DATA / "health.csv"),
        "--mapping",
        str(DATA / "mapping.toml"),
        "--out",
        str(tmp_path / "out"),
    ]
    call_command(*files_and_mapping, "--memory-limit", "1536MiB", verbosity=0)
    assert [_limits(con)[0] for con in made] == ["1.5 GiB"]
    with pytest.raises(CommandError, match="--memory-limit: 'lots' is not a size such as 8GB"):
        call_command(*files_and_mapping, "--memory-limit", "lots", verbosity=0)


def test_spark_backend_gives_the_same_clusters_as_duckdb(hand, tmp_path):
    # Local Spark (Java 17): slow to start, so one small case.
    files.link_files(
        [DATA / "council.csv", DATA / "health.csv"],
        (DATA / "mapping.toml").read_text(),
        tmp_path,
        backend="spark",
    )
    on_spark = sorted(map(tuple, csv.reader((tmp_path / "clusters.csv").open())))
    on_duckdb = sorted(map(tuple, csv.reader((hand / "clusters.csv").open())))
    assert on_spark == on_duckdb
    spark_pairs = {(r["left_id"], r["right_id"]) for r in _read(tmp_path / "pairs.csv")}
    duckdb_pairs = {(r["left_id"], r["right_id"]) for r in _read(hand / "pairs.csv")}
    assert spark_pairs == duckdb_pairs
    assert "on spark" in (tmp_path / "report.md").read_text()


def test_linked_people_get_overlapping_risk_flags_with_their_evidence(synthetic):
    _, out, truth = synthetic
    rows = _read(out / "flags.csv")
    assert rows
    clusters = {r["cluster_id"] for r in _read(out / "clusters.csv")}
    assert {r["person"] for r in rows} <= clusters
    overlap = [r for r in rows if r["rule"] == "overlapping_risks"]
    assert overlap
    assert all(int(r["indicators"]) >= 3 and int(r["partners"]) >= 2 for r in overlap)
    assert all(r["evidence"].count(";") == int(r["indicators"]) - 1 for r in rows)
    report = (out / "report.md").read_text()
    assert "## Overlapping-risk flags" in report
    table = report.split("### Flag rate by sex")[1].split("\n## ")[0]
    by_sex = [x for x in table.splitlines() if x.startswith("| ")][1:]
    cells = {line.split("|")[1].strip(): line.split("|")[2:4] for line in by_sex}
    assert set(cells) >= {"M", "F", "all"}
    people = sum(int(cells[s][0].replace(",", "")) for s in cells if s != "all")
    assert people == int(cells["all"][0].replace(",", "")) == len(clusters)
    assert int(cells["all"][1].replace(",", "")) == len({r["person"] for r in rows})
