"""`tandem retention run --user IG_LEAD [--dry-run]`: the destruction run from the command line,
as the same background job the governance page starts, with a progress bar. `--dry-run` only
counts what is due (by schedule, and how many are kept on legal hold): it destroys nothing.
Neither prints a name: a certificate says what category, how many, when and by whom."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tandem.access import retention
from tandem.access.checks import require_role
from tandem.access.models import DestructionCertificate
from tandem.access.policies import Action
from tandem.formats import govuk_datetime
from tandem.jobs.cli import job_run_with_bar
from tandem.jobs.models import JobStatus
from tandem.partners.models import User


class Command(BaseCommand):
    help = "Destroy the records past their retention schedule (or count them with --dry-run)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        run = sub.add_parser("run", help="run the destruction job, with a certificate")
        run.add_argument("--user", required=True, help="the information-governance lead")
        run.add_argument(
            "--dry-run", action="store_true", help="count what is due; destroy nothing"
        )

    def handle(self, *args, **options):
        console = Console(file=self.stdout, quiet=options["verbosity"] == 0, width=100)
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        try:
            require_role(user, Action.MANAGE_GOVERNANCE)
        except PermissionDenied:
            raise CommandError(
                f"{user.username} is not an information-governance lead: only one may run "
                "or count a destruction run"
            ) from None
        if options["dry_run"]:
            due, on_hold = retention.due_for_destruction()
            self._table(console, "Due for destruction (dry run: nothing destroyed)", due, on_hold)
            return
        job = job_run_with_bar(
            retention.destruction_start(actor=user, enqueue=False), console=console
        )
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error or "The destruction run failed")
        certificate = DestructionCertificate.objects.get(pk=job.result["certificate"])
        self._table(
            console,
            f"Destruction certificate {certificate.pk}",
            certificate.counts,
            certificate.held_back,
        )
        records = Table(title="What went with them")
        records.add_column("Record")
        records.add_column("Rows", justify="right")
        for label, n in certificate.records.items():
            records.add_row(label, f"{n:,}")
        console.print(records)
        if certificate.failed:
            console.print(
                f"[red]{certificate.failed:,} due could not be destroyed[/red]: see the log"
            )
        console.print(f"Run by {user.username} at {govuk_datetime(certificate.run_at)}")

    def _table(self, console, title: str, counts: dict, on_hold: int) -> None:
        table = Table(title=title)
        table.add_column("Retention schedule (record type)")
        table.add_column("Records", justify="right")
        total = 0
        for kind, value in sorted(counts.items()):
            n = value if isinstance(value, int) else len(value)
            total += n
            table.add_row(kind, f"{n:,}")
        table.add_row("Total", f"{total:,}")
        table.add_row("Kept on legal hold", f"{on_hold:,}")
        console.print(table)
