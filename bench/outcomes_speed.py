"""How fast a service's evidence is computed at scale (issue 23): a cohort of 20,000 children
in a partnership of 1,000,000, its outcomes, the matched comparison and the value for money,
against a goal of 15 s on this 2-core machine, with the peak memory.

    .venv/bin/python bench/outcomes_speed.py          # builds the partnership in var/ once
    .venv/bin/python bench/outcomes_speed.py --children 100000 --cohort 2000   # a quick look
    scripts/with-postgres .venv/bin/python bench/outcomes_speed.py --postgres

The peer, in the same run: the same care-entry outcome counted row by row in Python (one ORM
query per child, as code without the Polars-over-the-database frames would), timed on a sample
and scaled to the cohort, as a ratio. Each measurement runs in a fresh process (its max RSS is
the peak). Appends to bench/RESULTS.md under "## Outcomes and value for money".
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Outcomes and value for money"
AS_OF = "2026-11-30"
SEED = 1
GOAL = 15.0


def _env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tandem.config.settings",
    }


def build(database_url: str, children: int, cohort: int) -> None:
    env = _env(database_url)
    subprocess.run(
        [sys.executable, "-m", "tandem.cli", "synth", "--children", str(children),
         "--seed", str(SEED), "--as-of", AS_OF, "--replace", "-v0"],
        env=env, check=True,
    )  # fmt: skip
    subprocess.run([sys.executable, __file__, "--draw", str(cohort)], env=env, check=True)


def draw(cohort: int) -> None:
    import django

    django.setup()
    from tandem.synth.services import draw_services

    started = time.perf_counter()
    planted = draw_services(seed=SEED, as_of=dt.date.fromisoformat(AS_OF), edge_of_care=cohort)
    print(f"services drawn in {time.perf_counter() - started:.1f} s: {planted.sizes}")


def measure(sample: int) -> dict:
    """One measurement, in this (fresh) process: the three stages, then the row-by-row peer."""
    import resource

    import django

    django.setup()
    from tandem.outcomes import cohorts, matching, selectors, value
    from tandem.outcomes.frameworks import framework
    from tandem.outcomes.models import Service
    from tandem.synth.services import EDGE

    service = Service.objects.get(name=EDGE)
    fw = framework(service.framework)
    as_of = dt.date.fromisoformat(AS_OF)
    period = selectors.period_for(service, None, as_of)
    cohort = cohorts.Cohort(service.pk, period.started_from, period.started_to, as_of)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = {}
    started = time.perf_counter()
    children = cohorts.per_child(cohort, fw)
    figures = cohorts.figures(children, fw)
    times["outcomes"] = time.perf_counter() - started
    started = time.perf_counter()
    compared = matching.compare(cohort, fw)
    times["matching"] = time.perf_counter() - started
    started = time.perf_counter()
    # The evaluation makes the comparison once: the value for money takes its deadweight from it.
    appraisal = value.appraise_service(service, period, as_of, compared=compared)
    times["value for money"] = time.perf_counter() - started
    total = sum(times.values())
    started = time.perf_counter()
    value.appraise_service(service, period, as_of)  # as its page does, matching again inside
    alone = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    care = next(f for f in figures if f.outcome.code == "care-12")
    # The peer: one query per child for the same outcome, on a sample.
    from tandem.care.models import CareEpisode

    rows = children.head(sample).select("person_id", "start").iter_rows()
    started = time.perf_counter()
    counted = 0
    for person, start in rows:
        by = start.replace(year=start.year + 1, day=min(start.day, 28 if start.month == 2 else 31))
        episodes = CareEpisode.objects.filter(child_id=person)
        in_care = episodes.filter(started_on__lte=start).exclude(ended_on__lte=start).exists()
        if not in_care and episodes.filter(started_on__gt=start, started_on__lte=by).exists():
            counted += 1
    per_child = (time.perf_counter() - started) / sample
    return {
        "cohort": children.height,
        "care_12": [care.count, care.of],
        "matched": compared.matched,
        "pool": compared.pool,
        "effect": None
        if compared.effect is None
        else [compared.effect.estimate, compared.effect.low, compared.effect.high],
        "withheld": compared.withheld,
        "gross": str(appraisal.results["gross"].public_value_roi),
        "net": str(appraisal.results["net"].public_value_roi)
        if "net" in appraisal.results
        else None,
        "times": times,
        "total": total,
        "value_page": alone,
        "peer_seconds": per_child * children.height,
        "peer_sample": sample,
        "rss_base_mib": base_rss / 1024,
        "rss_peak_mib": peak / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--cohort", type=int, default=20_000)
    parser.add_argument(
        "--sample", type=int, default=500, help="children the row-by-row peer counts"
    )
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    parser.add_argument("--rebuild", action="store_true", help="build the partnership again")
    parser.add_argument("--draw", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.draw:
        return draw(args.draw)
    if args.measure:
        print(json.dumps(measure(args.sample)))
        return
    if args.postgres:
        database_url = os.environ["DATABASE_URL"]
    else:
        path = ROOT / "var" / f"bench-outcomes-{args.children}.sqlite3"
        database_url = f"sqlite:///{path}"
    vendor_code = "pg" if args.postgres else "sqlite"
    marker = ROOT / "var" / f"bench-outcomes-{args.children}-{args.cohort}-{vendor_code}.built"
    if args.rebuild or not marker.exists():
        started = time.perf_counter()
        build(database_url, args.children, args.cohort)
        marker.write_text(f"built in {time.perf_counter() - started:.0f} s\n")
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--sample", str(args.sample)],
        env=_env(database_url), check=True, capture_output=True, text=True,
    )  # fmt: skip
    r = json.loads(out.stdout.strip().splitlines()[-1])
    vendor = "PostgreSQL" if args.postgres else "SQLite"
    if r["effect"]:
        estimate, low, high = (x * 100 for x in r["effect"])
        effect = f"{estimate:+.1f} points ({low:+.1f} to {high:+.1f}; planted -8.0)"
    else:
        effect = f"withheld: {r['withheld']}"
    command = "python bench/outcomes_speed.py" + (" --postgres" if args.postgres else "")
    command += f" --children {args.children} --cohort {args.cohort}"
    block = "\n".join(
        [
            "",
            f"### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: `{command}`",
            "",
            f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {vendor}; "
            f"load average at the start {os.getloadavg()[0]:.2f}.",
            f"Cohort: {r['cohort']:,} children of {args.children:,}; entered care within 12 "
            f"months {r['care_12'][0]:,} of {r['care_12'][1]:,}; matched {r['matched']:,} "
            f"against a pool of {r['pool']:,}; effect {effect}; public value per £1 gross "
            f"{r['gross']}, net {r['net']}.",
            "",
            "| Stage | Time |",
            "|---|---:|",
            f"| outcomes | {r['times']['outcomes']:.2f} s |",
            f"| matched comparison | {r['times']['matching']:.2f} s |",
            f"| value for money (its deadweight from the comparison above) | "
            f"{r['times']['value for money']:.2f} s |",
            f"| **outcomes + matching + value for money** | **{r['total']:.2f} s** "
            f"(goal {GOAL:.0f} s: {'met' if r['total'] < GOAL else 'missed'}) |",
            f"| the peer: care entry counted row by row, one query per child ({r['peer_sample']} "
            f"timed, scaled to the cohort) | {r['peer_seconds']:.1f} s for the outcome alone |",
            f"| ratio, peer / Tandem's outcomes stage | "
            f"{r['peer_seconds'] / r['times']['outcomes']:.0f}× |",
            f"| (the value-for-money page alone, matching inside it) | {r['value_page']:.2f} s |",
            "",
            f"Peak memory of the measuring process: {r['rss_peak_mib']:,.0f} MiB (after "
            f"Django's start, {r['rss_base_mib']:,.0f} MiB).",
            "",
        ]
    )
    print(block)
    record(HEADING, block)


if __name__ == "__main__":
    main()
