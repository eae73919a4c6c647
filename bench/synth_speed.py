"""How fast `tandem synth` builds a partnership, and how much memory it takes.

    python bench/synth_speed.py                     # 100,000 and 1,000,000 children, SQLite
    python bench/synth_speed.py --sizes 100000      # just one size
    scripts/with-postgres python bench/synth_speed.py --postgres   # also on DATABASE_URL

Each run is a child process on a fresh SQLite file (or, with --postgres, the PostgreSQL database
in DATABASE_URL, replaced). The script prints seconds, rows per table, rows per second and the
peak memory (the child's max RSS from getrusage, and the whole process tree's RSS sampled every
0.2 s, since the generator draws chunks in a second process), then appends the results, with
the machine they ran on, to bench/RESULTS.md under "## tandem synth".
"""

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## tandem synth"
SEED = 1


def tandem(*args: str) -> list[str]:
    return [sys.executable, "-m", "tandem.cli", *args]


def _children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(p) for p in text.split()]
    return kids + [g for k in kids for g in _children_of(k)]


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.wait(0.2):
            total = sum(_rss_kib(p) for p in [self.pid, *_children_of(self.pid)])
            self.peak_kib = max(self.peak_kib, total)


def run_synth(children: int, database_url: str) -> dict:
    env = dict(
        os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="tandem.config.settings"
    )
    subprocess.run(tandem("migrate", "-v0"), env=env, check=True, cwd=ROOT)
    command = ["tandem", "synth", "--children", str(children), "--seed", str(SEED), "--replace"]
    started = time.perf_counter()
    process = subprocess.Popen(tandem(*command[1:], "-v0"), env=env, cwd=ROOT)
    sampler = TreeMemory(process.pid)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    sampler.done.set()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return {
        "command": " ".join(command),
        "children": children,
        "seconds": seconds,
        "max_rss_mib": usage.ru_maxrss / 1024,
        "tree_rss_mib": sampler.peak_kib / 1024,
        "rows": last_run_rows(database_url),
    }


def last_run_rows(database_url: str) -> dict:
    query = "SELECT rows FROM synth_synthrun ORDER BY started_at DESC LIMIT 1"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return json.loads(db.execute(query).fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as db:
        value = db.execute(query).fetchone()[0]
        return value if isinstance(value, dict) else json.loads(value)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": mem / 1024 / 1024,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": commit,
        "load": os.getloadavg(),
    }


def report(results: list[dict], info: dict, invocation: str, started: dt.datetime) -> str:
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {when}: `{invocation}`",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']:.1f} GiB RAM; "
        f"Python {info['python']}, SQLite {info['sqlite']}; commit {info['commit']}; "
        f"load average at the start {info['load'][0]:.2f} (other work shares the machine).",
        "",
        "| Database | Children | Seconds | Rows | Rows/s | Max RSS, main process | "
        "Peak RSS, all processes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        total = sum(r["rows"].values())
        lines.append(
            f"| {r['database']} | {r['children']:,} | {r['seconds']:.1f} | {total:,} | "
            f"{total / r['seconds']:,.0f} | {r['max_rss_mib']:,.0f} MiB | "
            f"{r['tree_rss_mib']:,.0f} MiB |"
        )
    tables = list(results[0]["rows"])
    lines += [
        "",
        "Rows per table:",
        "",
        "| Table | " + " | ".join(f"{r['database']} {r['children']:,}" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for table in tables:
        lines.append(
            f"| {table} | " + " | ".join(f"{r['rows'].get(table, 0):,}" for r in results) + " |"
        )
    lines.append("")
    lines.append("Commands: " + "; ".join(sorted({f"`{r['command']}`" for r in results})) + ".")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="100000,1000000",
        help="children per run, comma-separated (default 100000,1000000)",
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also run on the PostgreSQL database in DATABASE_URL (replaced)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = dt.datetime.now(dt.UTC)
    info = machine()
    results = []
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"synth-{n}.sqlite3"
            result = run_synth(n, f"sqlite:///{path}")
            result["database"] = "SQLite"
            result["db_mib"] = path.stat().st_size / 2**20
            results.append(result)
            print(
                f"SQLite {n:>9,} children: {result['seconds']:.1f} s, "
                f"{sum(result['rows'].values()):,} rows, max RSS {result['max_rss_mib']:.0f} MiB,"
                f" tree {result['tree_rss_mib']:.0f} MiB",
                flush=True,
            )
            path.unlink()
    if args.postgres:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            raise SystemExit(
                "--postgres needs DATABASE_URL=postgres://... (scripts/with-postgres)"
            )
        for n in sizes:
            result = run_synth(n, url)
            result["database"] = "PostgreSQL"
            results.append(result)
            print(f"PostgreSQL {n:>9,} children: {result['seconds']:.1f} s", flush=True)
    block = report(results, info, "python bench/synth_speed.py " + " ".join(sys.argv[1:]), started)
    print("\n" + block)
    if not args.no_record:
        record(HEADING, block)


if __name__ == "__main__":
    main()
