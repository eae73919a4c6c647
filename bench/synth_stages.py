"""Where the time and memory of `tandem synth` go: seconds and peak RSS for each stage of one
build, so the next person can see which stage to work on.

    .venv/bin/python bench/synth_stages.py --children 100000

Builds on a fresh temporary SQLite file (or on DATABASE_URL with --database-url, replaced), in
this process, exactly as `tandem synth` does, and prints one row per stage. Peak RSS is this
process and the one that draws chunks beside it, summed, sampled every 0.1 s during the stage.
"""

import argparse
import datetime as dt
import os
import tempfile
import threading
import time
from pathlib import Path


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if "VmRSS" in line)
    return total / 1024


class Stages:
    """Times consecutive stages and samples the process tree's memory during each."""

    def __init__(self, first: str):
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self.current, self.started = first, time.perf_counter()
        self._peak, self._done = 0.0, threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            self._peak = max(self._peak, _tree_rss_mib(os.getpid()))

    def mark(self, following: str) -> None:
        """End the current stage and start `following` (a name seen before adds to it)."""
        now = time.perf_counter()
        self._peak = max(self._peak, _tree_rss_mib(os.getpid()))
        name = self.current
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.started
        self.peak[name] = max(self.peak.get(name, 0.0), self._peak)
        self.current, self.started, self._peak = following, now, 0.0

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

    from tandem.synth import build, care, cin, leavers

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
                stages.mark("indexes built")
        elif stage == "index":
            indexes["built"] += 1
            if indexes["built"] == indexes["total"]:
                stages.mark("sequences, run record")

    def timed(name: str, fn):
        def stage(**options):
            stages.mark(name)
            try:
                return fn(**options)
            finally:
                stages.mark("sequences, run record")

        return stage

    care.build_care = timed("care (SSDA903)", care.build_care)
    cin.build_cin = timed("children in need (CIN)", cin.build_cin)
    leavers.build_leavers = timed("care leavers", leavers.build_leavers)
    started = time.perf_counter()
    run_ = build.build(
        seed=args.seed, children=args.children, as_of=args.as_of, replace=True, report=report
    )
    stages.stop()
    total = time.perf_counter() - started
    print(f"tandem synth --children {args.children:,} --seed {args.seed}, as of {args.as_of}")
    print(f"{sum(run_.rows.values()):,} rows in {total:.1f} s; load average {os.getloadavg()}")
    print()
    print("| Stage | Seconds | Share | Peak RSS (this process + drawing process) |")
    print("|---|---:|---:|---:|")
    for name, seconds in stages.seconds.items():
        print(f"| {name} | {seconds:.1f} | {seconds / total:.0%} | {stages.peak[name]:,.0f} MiB |")


if __name__ == "__main__":
    main()
