"""Record linkage at scale: Tandem's `link files` against raw Splink 5 on the same files.

    python bench/linkage_speed.py                         # ~1,000,000 records, 4 partners
    python bench/linkage_speed.py --children 20000        # a quick look
    python bench/linkage_speed.py --backend spark         # Tandem's model on local Spark
    python bench/linkage_speed.py --incremental 10000 --memory-limit 8GB
        # the issue's figures in one command: ~1M records linked by Tandem and by raw Splink,
        # then 10,000 new records matched against Tandem's linked population

Writes synthetic police, school, health and council extracts (with their truth) once into
--data, then runs, each in a fresh child process so peak memory is its own:
  tandem: `tandem.linkage.files.link_files` end to end — read and standardise the CSVs, count
          blocked pairs exactly, train, predict, cluster, explain every pair, write pairs.csv,
          clusters.csv and the report;
  raw:    raw Splink 5 with the same settings on the same standardised records — train,
          predict, cluster, nothing else (the standardising step is timed apart and included,
          since Splink cannot read the partners' files itself).
  incremental (with --incremental N): the charity's first N records for the same children
          matched against Tandem's run (`bench/linkage_incremental.py`).
Every DuckDB connection is held to --memory-limit (TANDEM_DUCKDB_MEMORY, default 8GB) and
spills beyond it to var/duckdb-tmp.
Then scores both against truth.csv (pairwise precision/recall/F1 from the clusters, and cluster
F1: a predicted cluster is right when it holds exactly one person's records) and appends the
results, with the machine, to bench/RESULTS.md under "## Record linkage".
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import record  # noqa: E402

HEADING = "## Record linkage"
AGENCIES = ("police", "school", "health", "council")
AS_OF = "2026-11-23"


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    import django

    django.setup()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(data: Path, children: int) -> dict:
    _setup()
    from tandem.synth.extracts import write_extracts

    started = time.perf_counter()
    counts = write_extracts(data, seed=1, children=children, as_of=AS_OF, agencies=AGENCIES)
    return {"seconds": time.perf_counter() - started, "rows": counts}


def run_tandem(data: Path, out: Path, backend: str) -> dict:
    _setup()
    from tandem.linkage import files

    paths = [data / f"{a}.csv" for a in AGENCIES]
    started = time.perf_counter()
    result = files.link_files(
        paths,
        (data / "mapping.toml").read_text(),
        out,
        backend=backend,
        as_of=dt.date.fromisoformat(AS_OF),
        bad_rows="quarantine",
    )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "steps": result.timings,
        "blocked_pairs": result.blocking[-1]["cumulative"],
        "peak_mib": _peak_mib(),
    }


def run_raw(data: Path, out: Path, accepted: Path) -> dict:
    """Raw Splink 5, the same settings and training calls, on the same standardised records
    (the files Tandem's run accepted, its quarantined rows left out)."""
    _setup()
    import logging

    from splink import DuckDBAPI, Linker

    from tandem.linkage import mapping, model, standardise

    steps = {}
    clock = time.perf_counter()
    started = clock

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        steps[name] = now - clock
        clock = now

    paths = [accepted / f"{a}.csv" for a in AGENCIES]
    con = standardise.connect()
    paired = mapping.for_files(mapping.parse((data / "mapping.toml").read_text()), paths)
    n = standardise.load_files(con, paired)["records"]
    lap("standardise")
    db_api = DuckDBAPI(connection=con)
    linker = Linker(
        db_api.register("records", dataset_display_name="records"),
        model.settings(),
        log_level=logging.WARNING,
    )
    model.train(linker, n)
    lap("train")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95
    )
    out.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""copy (select r.source_dataset as source, r.record_id, c.cluster_id
                  from {clusters.physical_name} c join records r using (unique_id))
            to '{out / "clusters.csv"}' (header)"""
    )
    lap("cluster")
    return {"seconds": time.perf_counter() - started, "steps": steps, "peak_mib": _peak_mib()}


def score(data: Path, clusters_csv: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"create table truth as from read_csv('{data / 'truth.csv'}')")
    con.execute(f"create table got as from read_csv('{clusters_csv}', all_varchar = true)")
    con.execute(
        """create table joined as
           select g.cluster_id, t.person_id from got g join truth t using (source, record_id)"""
    )
    true_pairs, predicted, tp = con.sql(
        """select
             (select sum(n * (n - 1) / 2) from
                (select count(*) n from joined group by person_id)),
             (select sum(n * (n - 1) / 2) from
                (select count(*) n from joined group by cluster_id)),
             (select sum(n * (n - 1) / 2) from
                (select count(*) n from joined group by cluster_id, person_id))"""
    ).fetchall()[0]
    clusters, people = con.sql(
        "select count(distinct cluster_id), count(distinct person_id) from joined"
    ).fetchall()[0]
    # A predicted cluster is exactly right when it holds all, and only, one person's records.
    exact = con.sql(
        """with c as (select cluster_id, count(distinct person_id) persons,
                             any_value(person_id) person, count(*) n
                      from joined group by cluster_id),
                p as (select person_id, count(*) n from joined group by person_id)
           select count(*) from c join p on p.person_id = c.person and p.n = c.n
           where c.persons = 1"""
    ).fetchall()[0][0]
    precision, recall = float(tp / predicted), float(tp / true_pairs)
    cp, cr = exact / clusters, exact / people
    return {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": 2 * precision * recall / (precision + recall),
        "true_pairs": int(true_pairs),
        "cluster_precision": cp,
        "cluster_recall": cr,
        "cluster_f1": 2 * cp * cr / (cp + cr),
    }


def child(kind: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {cpus} CPUs{mem}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=525_000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/tandem-linkage-bench"))
    parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw Splink run")
    parser.add_argument(
        "--incremental",
        type=int,
        default=0,
        metavar="ROWS",
        help="then match ROWS new records against Tandem's linked population (the issue: 10000)",
    )
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="the most memory each DuckDB connection may use (default: TANDEM_DUCKDB_MEMORY "
        "or 8GB); it spills to disk beyond it",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not append")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from linkage_incremental import match_timed

        fn = {"data": make_data, "tandem": run_tandem, "raw": run_raw, "incremental": match_timed}
        converted = [Path(a) if "/" in a else a for a in args.rest]
        if args.child in ("data", "incremental"):
            converted[1:] = [int(a) for a in args.rest[1:]]
        print(json.dumps(fn[args.child](*converted)))
        return
    if args.memory_limit:  # the child processes read it as every other Tandem process does
        from tandem.linkage.standardise import memory_limit_checked

        try:
            os.environ["TANDEM_DUCKDB_MEMORY"] = memory_limit_checked(args.memory_limit)
        except ValidationError:
            parser.error(f"--memory-limit: {args.memory_limit!r} is not a size such as 8GB")
    memory = os.environ.get("TANDEM_DUCKDB_MEMORY", "8GB")

    data = args.data / f"children-{args.children}"
    if not (data / "truth.csv").exists():
        made = child("data", str(data), str(args.children))
        print(f"extracts: {sum(made['rows'].values()):,} rows in {made['seconds']:.1f} s")
    records = sum(1 for _ in (data / "truth.csv").open()) - 1
    load_before = os.getloadavg()[0]
    runs = {}
    runs["tandem"] = child("tandem", str(data), str(data / f"tandem-{args.backend}"), args.backend)
    runs["tandem"].update(score(data, data / f"tandem-{args.backend}" / "clusters.csv"))
    print("tandem", json.dumps(runs["tandem"], indent=1))
    if not args.no_raw and args.backend == "duckdb":
        accepted = data / f"tandem-{args.backend}" / "accepted"
        runs["raw"] = child("raw", str(data), str(data / "raw"), str(accepted))
        runs["raw"].update(score(data, data / "raw" / "clusters.csv"))
        print("raw", json.dumps(runs["raw"], indent=1))
    matched = None
    if args.incremental and args.backend == "duckdb":
        matched = child("incremental", str(data), str(args.children), str(args.incremental))
        print("incremental", json.dumps(matched, indent=1))

    lines = [
        "",
        f"### {records:,} extract records ({len(AGENCIES)} partners), {args.backend}",
        "",
        f"{dt.date.today()}, {machine()}. "
        f"`python bench/linkage_speed.py {' '.join(sys.argv[1:])}`; DuckDB memory limit "
        f"{memory}. Load average (1 min) {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after: the machine is shared, so the runs' times move with "
        "other work.",
        "",
        "| Run | Seconds | Peak RSS MiB | Blocked pairs | Pairwise P | R | F1 | Cluster F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in runs.items():
        lines.append(
            f"| {name} | {r['seconds']:.1f} | {r['peak_mib']:,.0f} | "
            f"{r.get('blocked_pairs', runs['tandem']['blocked_pairs']):,} | "
            f"{r['pairwise_precision']:.4f} | {r['pairwise_recall']:.4f} | "
            f"{r['pairwise_f1']:.4f} | {r['cluster_f1']:.4f} |"
        )
    lines.append("")
    for name, r in runs.items():
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in r["steps"].items())
        lines.append(f"- {name} steps: {steps}")
    if "raw" in runs:
        ratio = runs["tandem"]["seconds"] / runs["raw"]["seconds"]
        lines.append(f"- Tandem / raw Splink time: {ratio:.2f}×")
    if matched is not None:
        from linkage_incremental import result_line

        lines.append(result_line(matched))
    print("\n".join(lines))
    if args.no_write:
        return
    record(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
