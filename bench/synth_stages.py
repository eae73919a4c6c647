"""Where the time and memory of `tandem synth` go: seconds and peak RSS for each stage of one
build, so the next person can see which stage to work on.

    .venv/bin/python bench/synth_stages.py --children 100000

Builds on a fresh temporary SQLite file (or on DATABASE_URL with --database-url, replaced), in
this process, exactly as `tandem synth` does, and prints one row per stage. Peak RSS and CPU
seconds are this process and the one that draws chunks beside it, summed, sampled every 0.1 s.
"""

import argparse
import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> dict[int, tuple[float, float]]:
    """{pid: (resident MiB, CPU seconds so far)} for `pid` and its descendants."""
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        # A process that is exiting has no VmRSS line any more.
        rss = next((int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line), 0)
        found[p] = (rss / 1024, (int(stat[11]) + int(stat[12])) / TICK)  # utime + stime
    return found


class Stages:
    """Times consecutive stages and samples the process tree's memory and CPU during each (the
    CPU seconds of both processes, against 2 cores, show how far parallel work could go)."""

    def __init__(self, first: str):
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.current, self.started = first, time.perf_counter()
        self._peak, self._done = 0.0, threading.Event()
        self._cpu_seen: dict[int, float] = {}  # last CPU seconds of every process seen
        self._cpu_at_start = 0.0
        self._lock = threading.Lock()
        self._take_sample()  # CPU spent before the build (start-up, migrations) is not counted
        self._cpu_at_start, self._peak = sum(self._cpu_seen.values()), 0.0
        threading.Thread(target=self._sample, daemon=True).start()

    def _take_sample(self) -> None:
        tree = _tree(os.getpid())
        with self._lock:
            self._peak = max(self._peak, sum(rss for rss, _ in tree.values()))
            for pid, (_, cpu) in tree.items():
                self._cpu_seen[pid] = cpu

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            self._take_sample()

    def mark(self, following: str) -> None:
        """End the current stage and start `following` (a name seen before adds to it)."""
        now = time.perf_counter()
        self._take_sample()
        with self._lock:
            cpu = sum(self._cpu_seen.values())
            name = self.current
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self.started
            self.peak[name] = max(self.peak.get(name, 0.0), self._peak)
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu - self._cpu_at_start
            self.current, self.started, self._peak = following, now, 0.0
            self._cpu_at_start = cpu

    def stop(self) -> None:
        self.mark("")
        self._done.set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument(
        "--database-url", help="build here (replaced) instead of on a temporary SQLite file"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tandem-stages-") as tmp:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/synth.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
        run(args)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from tandem.synth import build, leavers

    call_command("migrate", verbosity=0)
    stages = Stages("plan, staff, first chunk drawn")
    indexes = {"total": 0, "built": 0, "children": 0}

    def report(stage: str, amount: int) -> None:
        if stage == "indexes":
            indexes["total"] = amount
            stages.mark("chunks drawn and written")
        elif stage == "children":
            indexes["children"] += amount
            if indexes["children"] == args.children:
                stages.mark("care episodes read for the care leavers")
        elif stage == "index":
            indexes["built"] += 1
            if indexes["built"] == indexes["total"]:
                stages.mark("care leavers written, sequences, run record")

    def then(following: str, fn):
        def stage(*args, **options):
            try:
                return fn(*args, **options)
            finally:
                stages.mark(following)

        return stage

    # The care leavers are read after the last chunk, drawn while the indexes are built, and
    # written after them.
    leavers.read_leavers = then(
        "indexes built (care leavers drawn beside them)", leavers.read_leavers
    )
    started = time.perf_counter()
    run_ = build.build(
        seed=args.seed, children=args.children, as_of=args.as_of, replace=True, report=report
    )
    stages.stop()
    total = time.perf_counter() - started
    print(f"tandem synth --children {args.children:,} --seed {args.seed}, as of {args.as_of}")
    print(f"{sum(run_.rows.values()):,} rows in {total:.1f} s; load average {os.getloadavg()}")
    print()
    print("| Stage | Seconds | Share | CPU seconds (both processes) | Peak RSS (both processes) |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds in stages.seconds.items():
        print(
            f"| {name} | {seconds:.1f} | {seconds / total:.0%} | {stages.cpu[name]:.1f} | "
            f"{stages.peak[name]:,.0f} MiB |"
        )
    cpu = sum(stages.cpu.values())
    print(f"\nCPU {cpu:.1f} s in all: {cpu / 2:.1f} s on 2 cores if every stage ran in parallel.")


if __name__ == "__main__":
    main()
