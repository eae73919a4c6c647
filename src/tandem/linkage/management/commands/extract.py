"""`tandem extract load FILE --partner SLUG --type TYPE --user NAME [--mapping map.toml]
[--quarantine]`: load a partner's extract into the database, as the upload page does, with a
progress bar. The user must be an analyst or team manager of that partner.

`tandem extract link --user NAME`: link every loaded extract into people (the job the linkage
review page starts), keeping practitioners' decisions, and raise the flags."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify
from rich.console import Console

from tandem.jobs.cli import job_run_with_bar
from tandem.jobs.models import JobStatus
from tandem.linkage import ingest, linking
from tandem.linkage.models import BadRows, ExtractType, ExtractUpload, UploadStatus
from tandem.partners.models import User


def _errors(e: ValidationError) -> str:
    if hasattr(e, "error_dict"):
        return "\n".join(f"{k}: {' '.join(m.message for m in v)}" for k, v in e.error_dict.items())
    return " ".join(e.messages)


def _blocks(path: Path):
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            yield block


class Command(BaseCommand):
    help = "Load a partner's extract into the database (see `tandem extract load --help`)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="check a CSV or XLSX extract whole and load it (or reject it)"
        )
        load.add_argument("file", type=Path, help="the extract, CSV or XLSX")
        load.add_argument("--partner", required=True, help="the partner's name, slugified")
        load.add_argument("--type", required=True, choices=ExtractType.values, dest="kind")
        load.add_argument("--user", required=True, help="the analyst or team manager loading it")
        load.add_argument(
            "--mapping", type=Path, help="TOML column mapping (saved for this partner and type)"
        )
        load.add_argument(
            "--quarantine",
            action="store_true",
            help="load the good rows and quarantine the bad ones (default: reject the file)",
        )

        link = sub.add_parser("link", help="link every loaded extract into people, with flags")
        link.add_argument("--user", required=True, help="the analyst or team manager running it")
        link.add_argument("--as-of", type=dt.date.fromisoformat, help="flags' date (today)")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, quiet=options["verbosity"] == 0)
        if options["action"] == "link":
            return self.link(console, options)
        user = (
            User.objects.filter(username=options["user"], is_active=True)
            .select_related("team__partner")
            .first()
        )
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        if user.partner is None or slugify(user.partner.name) != options["partner"]:
            raise CommandError(f"{user.username} does not work for partner {options['partner']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}")
        mapping_text = options["mapping"].read_text(encoding="utf-8") if options["mapping"] else ""
        try:
            upload = ingest.upload_start(
                actor=user,
                extract_type=options["kind"],
                file_name=path.name,
                chunks=_blocks(path),
                bad_rows=BadRows.QUARANTINE if options["quarantine"] else BadRows.REJECT,
                mapping_text=mapping_text,
                enqueue=False,
            )
        except ValidationError as e:
            raise CommandError(_errors(e)) from e
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        job = job_run_with_bar(upload.job, console=console)
        upload = ExtractUpload.objects.get(pk=upload.pk)
        for p in upload.problems.all()[:20]:
            self.stderr.write(f"row {p.row}, {p.column}: {p.value!r} {p.reason}")
        if upload.error_count > 20:
            self.stderr.write(f"... and {upload.error_count - 20:,} more (see the upload's page)")
        self.stdout.write(json.dumps({"upload": str(upload.pk), **job.result}, indent=2))
        if upload.status in (UploadStatus.REJECTED, UploadStatus.FAILED):
            raise CommandError(upload.reason or job.error or "Nothing was loaded")

    def link(self, console, options) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        try:
            job = linking.link_start(actor=user, as_of=options["as_of"], enqueue=False)
        except PermissionDenied as e:
            raise CommandError(str(e)) from e
        job = job_run_with_bar(job, console=console)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error or "The linking run failed")
        self.stdout.write(json.dumps(job.result, indent=2))
