"""The audit trail at scale on PostgreSQL: "who looked" at one child and the partnership-wide
audit search, through the real selectors, on the month-partitioned table against an unpartitioned
copy of the same rows with the same indexes.

    scripts/with-postgres .venv/bin/python bench/audit_scale.py --rows 20000000 [--samples 200]

Rows are spread over 23 months of a partnership (300,000 people, 5,000 users, 25 partners),
loaded with INSERT ... SELECT generate_series and indexed after the load. Prints p50 and p95 in
milliseconds per query and table, and the ratio, and appends them to bench/RESULTS.md.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Audit trail at scale"
PEOPLE, USERS, PARTNERS = 300_000, 5_000, 25
FIRST_DAY, DAYS = date(2025, 1, 1), 692
BATCH = 1_000_000

ROWS_SQL = """
INSERT INTO {table} (id, occurred_at, actor_id, actor_username, actor_partner, actor_team,
                     person_id, action, record_type, record_id, purpose, basis, channel,
                     ip_address, request_id, detail)
SELECT i,
       timestamptz '2025-01-01 00:00:00+00' + (i::float8 / %(n)s) * interval '{days} days',
       NULL,
       'user' || ((i * 31) %% {users}),
       'Partner ' || (((i * 31) %% {users}) %% {partners}),
       'Team ' || (((i * 31) %% {users}) %% 200),
       md5(((i * 7919) %% {people})::text)::uuid,
       (ARRAY['view','list','search','update'])[1 + i %% 4],
       'child', '', 'direct_work', 'team owns or is involved in the case', 'web',
       NULL, '', '{{}}'::jsonb
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS i
"""


def person(k: int):
    import hashlib
    import uuid

    return uuid.UUID(hashlib.md5(str(k).encode()).hexdigest())


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def load(rows: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from tandem.audit import triggers
    from tandem.audit.partitions import ensure_months

    call_command("migrate", verbosity=0)
    timings = {}
    with connection.cursor() as cur:
        triggers.remove(connection)
        cur.execute("TRUNCATE audit_accessevent")
        # The months the history covers, as a deployment importing history would make them.
        ensure_months(cur, FIRST_DAY, date.today())
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_accessevent' "
            "AND indexname NOT LIKE '%pkey'"
        )
        # A partitioned index's definition reads "ON ONLY": drop that, so it builds everywhere.
        indexes = [(n, d.replace(" ON ONLY ", " ON ")) for n, d in cur.fetchall()]
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        sql = ROWS_SQL.format(
            table="audit_accessevent", days=DAYS, users=USERS, partners=PARTNERS, people=PEOPLE
        )
        t = time.perf_counter()
        for start in range(1, rows + 1, BATCH):
            stop = min(rows, start + BATCH - 1)
            cur.execute(sql, {"n": rows, "start": start, "stop": stop})
            print(f"  loaded {stop:,} rows", file=sys.stderr, flush=True)
        cur.execute("SELECT setval('audit_accessevent_id_seq', %s)", [rows + 1])
        timings["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, definition in indexes:
            cur.execute(definition)
        timings["index_partitioned_s"] = time.perf_counter() - t
        print("  indexed the partitioned table", file=sys.stderr, flush=True)
        t = time.perf_counter()
        cur.execute("DROP TABLE IF EXISTS audit_flat")
        cur.execute("CREATE TABLE audit_flat (LIKE audit_accessevent INCLUDING DEFAULTS)")
        cur.execute("INSERT INTO audit_flat SELECT * FROM audit_accessevent")
        cur.execute("ALTER TABLE audit_flat ADD PRIMARY KEY (id)")
        for name, definition in indexes:
            cur.execute(
                definition.replace(name, f"{name}_flat").replace(
                    "public.audit_accessevent", "public.audit_flat"
                )
            )
        timings["copy_and_index_flat_s"] = time.perf_counter() - t
        print("  made the unpartitioned copy", file=sys.stderr, flush=True)
        cur.execute("VACUUM ANALYZE audit_accessevent")
        cur.execute("VACUUM ANALYZE audit_flat")
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('audit_flat'))")
        timings["flat_size"] = cur.fetchone()[0]
    return timings


def ig_lead():
    from tandem.partners.models import Partner, Role, Team, User

    partner, _ = Partner.objects.get_or_create(name="Bench council", kind="local_authority")
    team, _ = Team.objects.get_or_create(partner=partner, name="Information governance")
    user, _ = User.objects.get_or_create(
        username="bench-ig", defaults={"role": Role.IG_LEAD, "team": team}
    )
    return user


def queries(actor, rng: random.Random):
    """One call of each measured read, with random arguments, as a page would make it."""
    from tandem.audit.selectors import AuditFilters, access_events_search, who_looked

    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 31))
    return {
        "who looked (one child, page 1)": lambda: who_looked(
            actor=actor, child_id=person(rng.randrange(PEOPLE))
        ),
        "search: user, one month": lambda: access_events_search(
            actor=actor,
            filters=AuditFilters(
                username=f"USER{rng.randrange(USERS)}",
                date_from=day,
                date_to=day + timedelta(days=30),
            ),
        ),
        "search: partner, one day": lambda: access_events_search(
            actor=actor,
            filters=AuditFilters(
                partner=f"partner {rng.randrange(PARTNERS)}", date_from=day, date_to=day
            ),
        ),
        "search: child, one month": lambda: access_events_search(
            actor=actor,
            filters=AuditFilters(
                person_id=person(rng.randrange(PEOPLE)),
                date_from=day,
                date_to=day + timedelta(days=30),
            ),
        ),
    }


def _swap(cur) -> None:
    """Exchange the two tables' names, so the same selectors read the other one."""
    cur.execute("ALTER TABLE audit_accessevent RENAME TO audit_swap")
    cur.execute("ALTER TABLE audit_flat RENAME TO audit_accessevent")
    cur.execute("ALTER TABLE audit_swap RENAME TO audit_flat")


def measure(actor, flat: bool, samples: int) -> dict[str, list[float]]:
    from django.db import connection

    with connection.cursor() as cur:
        if flat:
            _swap(cur)
        try:
            rng = random.Random(7)  # the same arguments for both tables
            times: dict[str, list[float]] = {}
            for _ in range(samples):
                for name, call in queries(actor, rng).items():
                    t = time.perf_counter()
                    call()
                    times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        finally:
            if flat:
                _swap(cur)
    return times


def p(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    assert connection.vendor == "postgresql", "run under scripts/with-postgres"
    print(f"Loading {args.rows:,} audit rows…", file=sys.stderr)
    timings = load(args.rows)
    actor = ig_lead()
    measure(actor, False, 5)  # warm the caches of both tables alike
    measure(actor, True, 5)
    part = measure(actor, False, args.samples)
    flat = measure(actor, True, args.samples)
    lines = [
        "| query | partitioned p50 | partitioned p95 | unpartitioned p50 | unpartitioned p95 "
        "| p95 ratio (unpartitioned / partitioned) |",
        "|---|---|---|---|---|---|",
    ]
    for name in part:
        a, b = part[name], flat[name]
        lines.append(
            f"| {name} | {p(a, 50):.1f} ms | {p(a, 95):.1f} ms | {p(b, 50):.1f} ms "
            f"| {p(b, 95):.1f} ms | {p(b, 95) / p(a, 95):.2f} |"
        )
    table = "\n".join(lines)
    print(table)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    command = " ".join(["scripts/with-postgres .venv/bin/python", *sys.argv])
    record(
        HEADING,
        f"### {date.today().isoformat()}: {args.rows:,} rows, {args.samples} samples a query\n\n"
        f"`{command}`. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work), "
        f"{platform.python_implementation()} {platform.python_version()}, PostgreSQL {version}. "
        f"Load {timings['load_s']:.0f} s, "
        f"partitioned indexes {timings['index_partitioned_s']:.0f} s, "
        f"unpartitioned copy and indexes {timings['copy_and_index_flat_s']:.0f} s "
        f"({timings['flat_size']}). Each query is the real selector: its count, its page of "
        "50 and its own audit row.\n\n"
        f"{table}\n",
    )


if __name__ == "__main__":
    main()
