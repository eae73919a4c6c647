"""Standalone linkage of files for analysts: no database, only the files and a mapping.

Writes `pairs.csv` (left_id, right_id, match_probability, match_weight, explanation),
`clusters.csv` (source, record_id, cluster_id), `model.json` (Splink's, reusable) and
`report.md` / `report.html` (the model's parameters, blocking rules with exact pair counts,
cluster sizes and the match-weights chart).
"""

import csv
import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError

from tandem import spreadsheet
from tandem.linkage import engine, flags, mapping, report, standardise, validate

BAD_ROWS = ("reject", "quarantine")


def link_files(
    files: list[Path],
    mapping_text: str,
    out: Path,
    *,
    backend: str = "duckdb",
    pair_threshold: float = 0.5,
    cluster_threshold: float = 0.95,
    flag_rules: str | None = None,
    as_of: dt.date | None = None,
    bad_rows: str = "reject",
    memory_limit: str | None = None,
    progress=None,
) -> engine.Result:
    files = [Path(f) for f in files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ValidationError({"files": f"not found: {', '.join(missing)}"})
    if not 0 < pair_threshold <= cluster_threshold < 1:
        raise ValidationError({"threshold": "need 0 < pair threshold <= cluster threshold < 1"})
    paired = mapping.for_files(mapping.parse(mapping_text), files)
    rules = flags.parse_rules(flag_rules) if flag_rules else flags.default_rules()
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    if bad_rows not in BAD_ROWS:
        raise ValidationError({"bad_rows": f"{bad_rows!r}: reject or quarantine"})
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paired, quarantined = check_files(paired, out, bad_rows=bad_rows, today=as_of)
    con = standardise.connect(memory_limit=memory_limit)
    try:
        loaded = standardise.load_files(con, paired)
    except Exception as e:  # DuckDB names the file and column it could not read
        if type(e).__module__.startswith(("duckdb", "_duckdb")):
            raise ValidationError({"files": str(e).splitlines()[0]}) from e
        raise
    loaded["quarantined"] = quarantined
    if loaded["records"] < 2:
        raise ValidationError({"files": "fewer than two records to link"})
    result = engine.run(
        con,
        backend=backend,
        pair_threshold=pair_threshold,
        cluster_threshold=cluster_threshold,
        workdir=out / "spark" if backend == "spark" else None,
        report=progress,
    )
    con.execute(
        f"""copy (select left_id, right_id, match_probability, match_weight, explanation
                  from pairs order by left_id, right_id)
            to '{out / "pairs.csv"}' (header, delimiter ',')"""
    )
    con.execute(
        f"""copy (select r.source_dataset as source, r.record_id, c.cluster_id
                  from clusters c join records r using (unique_id)
                  order by source, record_id)
            to '{out / "clusters.csv"}' (header, delimiter ',')"""
    )
    # The linked population, for matching later extracts against (tandem link new).
    con.execute(
        f"""copy (select r.*, c.cluster_id from records r join clusters c using (unique_id))
            to '{out / "records.parquet"}' (format parquet)"""
    )
    raised = write_flags(result, rules, as_of, out / "flags.csv")
    loaded["flags"] = {r.name: sum(f.rule is r for f in raised) for r in rules.rules}
    loaded["flag_rates"] = flag_rates(result, {f.person for f in raised})
    (out / "model.json").write_text(json.dumps(result.model_json, indent=2), encoding="utf-8")
    report.write(
        out, result, loaded, backend=backend, thresholds=(pair_threshold, cluster_threshold)
    )
    return result


def check_files(paired, out: Path, *, bad_rows: str, today: dt.date):
    """Validate every file whole. Rejecting: any error stops the run, nothing is linked.
    Quarantining: the bad rows are left out (copies of the files without them are linked).
    Either way every error is in DIR/errors.csv."""
    every, report_rows, quarantined = [], [], {}
    checked = []
    for path, source in paired:
        rows, errors = validate.validate_file(path, source, today)
        every += [(path.name, e) for e in errors]
        checked.append((path, source, errors))
    with (out / "errors.csv").open("w", newline="", encoding="utf-8") as f:
        writer = spreadsheet.writer(f)
        writer.writerow(["file", "row", "column", "value", "reason"])
        writer.writerows((name, e.row, e.column, e.value, e.reason) for name, e in every)
    if not every:
        return paired, quarantined
    if bad_rows == "reject" or any(e.row == 1 for _, e in every):
        first_name, first = every[0]
        raise ValidationError(
            {
                "files": f"{len(every):,} problems, the first in {first_name} row {first.row}, "
                f"{first.column}: {first.value!r} {first.reason}. Every one is listed in "
                f"{out / 'errors.csv'}. Nothing was linked: fix the rows, or link without "
                "them (--bad-rows quarantine)."
            }
        )
    kept = out / "accepted"
    kept.mkdir(exist_ok=True)
    for path, source, errors in checked:
        bad = {e.row for e in errors}
        quarantined[source.source] = len(bad)
        with (
            path.open(newline="", encoding="utf-8-sig") as src,
            (kept / path.name).open("w", newline="", encoding="utf-8") as dst,
        ):
            dialect = validate.sniff(src)
            writer = csv.writer(dst, dialect=dialect)
            for line, row in enumerate(csv.reader(src, dialect=dialect), start=1):
                if line not in bad:
                    writer.writerow(row)
        report_rows.append((kept / path.name, source))
    return report_rows, quarantined


def person_events(result: engine.Result):
    """(person, partner, event type, date, record id) for every record with an event."""
    return result.con.sql(
        """select c.cluster_id, r.source_dataset, r.event_type,
                  try_cast(r.event_date as date), r.record_id
           from records r join clusters c using (unique_id)
           where r.event_type is not null"""
    ).fetchall()


def write_flags(result: engine.Result, rules: flags.RuleSet, as_of: dt.date, path: Path):
    raised = flags.evaluate(person_events(result), rules, as_of)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = spreadsheet.writer(f)
        writer.writerow(["person", "rule", "title", "indicators", "partners", "evidence"])
        for flag in raised:
            writer.writerow(
                [
                    flag.person,
                    flag.rule.name,
                    flag.rule.title,
                    len(flag.evidence),
                    len({i.partner for i in flag.evidence}),
                    flag.explanation(),
                ]
            )
    return raised


def flag_rates(result: engine.Result, flagged: set[str]) -> list[tuple[str, int, int]]:
    """(sex, people, flagged) per recorded sex (a person's commonest), and overall: so a
    partnership can see whether its rules flag one group more than another."""
    sexes = result.con.sql(
        """select cluster_id, coalesce(mode(sex), 'not recorded')
           from records join clusters using (unique_id) group by cluster_id"""
    ).fetchall()
    counts: dict[str, list[int]] = {}
    for person, sex in sexes:
        row = counts.setdefault(sex, [0, 0])
        row[0] += 1
        row[1] += person in flagged
    rows = [(sex, n, k) for sex, (n, k) in sorted(counts.items())]
    return [*rows, ("all", sum(n for _, n, _ in rows), sum(k for _, _, k in rows))]
