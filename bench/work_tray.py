"""Work-tray page latency for a practitioner with 200 open cases: p50 and p95 of the whole page
(Django test client in process: routing, session, access checks, audit rows, template).

    .venv/bin/python bench/work_tray.py                      # a throwaway SQLite file
    scripts/with-postgres .venv/bin/python bench/work_tray.py   # PostgreSQL

Each case has an agreed plan (reviews falling due over the next weeks, some overdue), actions
for the practitioner and for another partner, a portal message waiting for a reply; the team
has referrals decided and awaiting feedback. Appends its line to bench/RESULTS.md.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 150


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(cases: int):
    """A practitioner leading `cases` open cases, through the services (as the pages would)."""
    from django.utils import timezone
    from tests import factories

    from tandem.access.grants import child_grant
    from tandem.access.models import InvolvementKind
    from tandem.casework import services as cw
    from tandem.casework.models import Plan
    from tandem.casework.voice import Views
    from tandem.partners.models import PartnerKind, Role
    from tandem.portal.services import portal_invite, portal_message_send
    from tandem.referrals.models import Referral, ThresholdDecision

    team = factories.TeamFactory(receives_referrals=True)
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, team=team)
    school = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.SCHOOL))
    teacher = factories.UserFactory(role=Role.SCHOOL_DSL, team=school)
    views = Views(
        child_view="I want it to stop.", child_view_how="in_person", parent_not_gathered="declined"
    )
    today = timezone.localdate()
    work = "direct_work"
    for i in range(cases):
        child = factories.ChildFactory()
        factories.InvolvementFactory(child=child, team=team, kind=InvolvementKind.OWNING_TEAM)
        case = cw.case_open(
            grant=child_grant(actor=worker, child_id=child.pk, purpose=work),
            level="early_help",
            lead_professional_id=worker.pk,
        )
        for g in range(2):
            goal = cw.plan_goal_add(
                actor=worker, case_id=case.pk, text=f"Goal {g}", in_childs_words=True, purpose=work
            )
            for owner, days in ((worker, i % 20 - 5), (teacher, i % 9)):
                cw.plan_action_add(
                    actor=worker,
                    case_id=case.pk,
                    goal_id=goal.pk,
                    text="Visit and talk",
                    owner_id=owner.pk,
                    due_on=today + timedelta(days=days),
                    purpose=work,
                )
        cw.plan_agree(
            actor=worker,
            case_id=case.pk,
            summary="Agreed",
            views=views,
            review_every_weeks=6,
            purpose=work,
        )
        if i % 3 == 0:
            invitation = portal_invite(
                actor=worker, case_id=case.pk, who="young_person", purpose=work
            )
            portal_message_send(account=invitation.account, text="Can we meet after school?")
        if i % 5 == 0:
            referral = factories.ReferralFactory(child=child, to_team=team, status="decided")
            ThresholdDecision.objects.create(
                referral=referral,
                decision="early_help",
                reasons="x",
                decided_by=worker,
                decided_at=timezone.now(),
            )
    # Reviews fall due across the next eight weeks, a tenth of them overdue.
    for n, plan in enumerate(Plan.objects.order_by("id")):
        plan.next_review_on = today + timedelta(days=n % 60 - 6)
        plan.save(update_fields=["next_review_on"])
    assert Referral.objects.filter(status="decided").exists()
    return worker


def measure(worker, runs: int) -> list[float]:
    from tests.signing_in import signed_in_for_real

    client = signed_in_for_real(worker, "/work-tray")
    for _ in range(10):  # warm up: templates compiled, connections open
        assert client.get("/work-tray").status_code == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/work-tray")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():  # one commit: the build is set-up, not what is measured
        worker = build(args.cases)
    built = time.perf_counter() - started
    times = measure(worker, args.runs)
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    engine = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    now = datetime.now(UTC)
    verdict = "met" if p95 < GOAL_MS else "not met"
    section = (
        f"\n### {now:%Y-%m-%d %H:%M} UTC: `python bench/work_tray.py {' '.join(sys.argv[1:])}`"
        f" ({engine})\n\n"
        f"Machine: {os.cpu_count()} CPUs shared with other work, load average at the end "
        f"{os.getloadavg()[0]:.2f}; Python {platform.python_version()}; commit {_commit()}.\n"
        f"The practitioner leads {args.cases} open cases (set up in {built:.0f} s); "
        f"{args.runs} requests of `/work-tray` after 10 to warm up, in process (Django test "
        f"client: routing, session, access, audit rows, template).\n\n"
        f"| Database | Open cases | p50 | p95 | fastest | goal p95 < {GOAL_MS} ms |\n"
        f"|---|---:|---:|---:|---:|---|\n"
        f"| {engine} | {args.cases} | {p50:.1f} ms | {p95:.1f} ms | {min(times):.1f} ms "
        f"| {verdict} |\n"
    )
    print(section)
    record("## Work tray", section)


def _commit() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
