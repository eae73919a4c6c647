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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from linkage_speed import AS_OF, RESULTS, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=525_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/tandem-linkage-bench"))
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    import django

    django.setup()
    from tandem.linkage import incremental
    from tandem.synth.extracts import write_extracts

    data = args.data / f"children-{args.children}"
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
        write_extracts(new, seed=1, children=args.children, as_of=AS_OF, agencies=("charity",))
    with (new / "charity.csv").open() as f:
        rows = list(csv.reader(f))[: args.rows + 1]
    with (new / "charity.csv").open("w", newline="") as f:
        csv.writer(f).writerows(rows)
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
    print(counts, f"{seconds:.1f} s", f"precision {right / max(matched, 1):.4f}")
    lines = [
        "",
        f"### {len(rows) - 1:,} new records matched against {population:,} linked records",
        "",
        f"{dt.date.today()}, {machine()}. "
        f"`python bench/linkage_incremental.py --children {args.children}`",
        "",
        f"- {seconds:.1f} s (goal: under 10 s); {counts.get('matched', 0):,} matched, "
        f"{counts.get('review', 0):,} for review, {counts.get('new', 0):,} new; "
        f"precision of the matches against the truth {right / max(matched, 1):.4f}",
    ]
    RESULTS.write_text(RESULTS.read_text() + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
