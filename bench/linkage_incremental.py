"""A new 10,000-record extract matched against an already linked population.

    python bench/linkage_incremental.py                    # against the 1M run of linkage_speed
    python bench/linkage_incremental.py --children 20000   # against a smaller one

Needs `bench/linkage_speed.py` to have linked the same --children (it leaves records.parquet
and model.json in DATA/children-N/tandem-duckdb). Writes the charity's extract for the same
children (an agency that run did not include), keeps its first --rows records, matches them
with `tandem.linkage.incremental.match_new`, scores the matches against truth.csv and appends
to bench/RESULTS.md.
"""

import argparse
import csv
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linkage_speed import AS_OF, HEADING, machine  # noqa: E402
from results import record  # noqa: E402


def match_timed(data: Path, children: int, rows: int) -> dict:
    """The charity's first `rows` records for the same children, matched against the run in
    DATA/children-N/tandem-duckdb: time, counts, precision against the truth, peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    import django

    django.setup()
    from tandem.linkage import incremental
    from tandem.synth.extracts import write_extracts

    linked = data / "tandem-duckdb"
    if not (linked / "records.parquet").exists():  # a run from before link files kept it
        from tandem.linkage import mapping, standardise

        con = standardise.connect()
        paths = [data / f"{a}.csv" for a in ("police", "school", "health", "council")]
        maps = mapping.parse((data / "mapping.toml").read_text())
        standardise.load_files(con, mapping.for_files(maps, paths))
        con.execute(
            f"""copy (select r.*, c.cluster_id from records r
                      join read_csv('{linked / "clusters.csv"}', all_varchar = true) c
                        on c.source = r.source_dataset and c.record_id = r.record_id)
                to '{linked / "records.parquet"}' (format parquet)"""
        )
    new = data / "new"
    if not (new / "charity.csv").exists():
        write_extracts(new, seed=1, children=children, as_of=AS_OF, agencies=("charity",))
    with (new / "charity.csv").open() as f:
        kept = list(csv.reader(f))[: rows + 1]
    with (new / "charity.csv").open("w", newline="") as f:
        csv.writer(f).writerows(kept)
    started = time.perf_counter()
    counts = incremental.match_new(
        linked, [new / "charity.csv"], (new / "mapping.toml").read_text(), new / "out"
    )
    seconds = time.perf_counter() - started

    import duckdb

    con = duckdb.connect()
    right, matched = con.sql(
        f"""select count(*) filter (where a.person_id = b.person_id), count(*)
            from read_csv('{new / "out" / "matches.csv"}', all_varchar = true) m
            join read_csv('{new / "truth.csv"}') a
              on a.source = m.source and a.record_id = m.record_id
            join read_csv('{data / "truth.csv"}') b
              on b.source || ':' || b.record_id = m.best_match
            where m.status = 'matched'"""
    ).fetchall()[0]
    population = con.sql(f"select count(*) from '{linked / 'records.parquet'}'").fetchall()[0][0]
    return {
        "seconds": seconds,
        "rows": len(kept) - 1,
        "population": population,
        "counts": {k: v for k, v in counts.items() if k != "seconds"},
        "precision": right / max(matched, 1),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def result_line(r: dict) -> str:
    c = r["counts"]
    return (
        f"- {r['rows']:,} new records matched against {r['population']:,} linked records: "
        f"{r['seconds']:.1f} s (goal: under 10 s), peak RSS {r['peak_mib']:,.0f} MiB; "
        f"{c.get('matched', 0):,} matched, {c.get('review', 0):,} for review, "
        f"{c.get('new', 0):,} new; precision of the matches against the truth "
        f"{r['precision']:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=525_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/tandem-linkage-bench"))
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    r = match_timed(args.data / f"children-{args.children}", args.children, args.rows)
    print(r)
    lines = [
        "",
        f"### {r['rows']:,} new records matched against {r['population']:,} linked records",
        "",
        f"{dt.date.today()}, {machine()}. "
        f"`python bench/linkage_incremental.py --children {args.children}`",
        "",
        result_line(r),
    ]
    record(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
