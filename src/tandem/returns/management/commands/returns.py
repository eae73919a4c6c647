"""`tandem returns ssda903|cin`: build a statutory return for a collection year and write it."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from tandem.audit.models import Purpose
from tandem.jobs.cli import job_run_with_bar
from tandem.jobs.models import JobStatus
from tandem.jobs.services import job_start
from tandem.partners.models import User
from tandem.returns import jobs
from tandem.returns.cin_load import cin_load
from tandem.returns.load import LoadRefused, ssda903_load


def _ending(text: str) -> int:
    """'2026' or '2025-26' -> 2026: the year the collection ends in."""
    try:
        if "-" in text:
            first, last = text.split("-")
            return int(first[:2] + last) if len(last) == 2 else int(last)
        return int(text)
    except ValueError as e:
        raise CommandError(f"--year must be like 2026 or 2025-26, not {text!r}") from e


class Command(BaseCommand):
    help = (
        "Build a statutory return from the record for a collection year: the SSDA903 (children "
        "looked after, adoptions, care leavers) as the DfE's CSV files and XML. Runs as a job "
        "owned by --user, whose export of each child is audited."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        p = sub.add_parser("ssda903", help="the SSDA903 CSV files and EXPSSDA903 XML")
        p.add_argument("--year", required=True, help="collection year: 2026 or 2025-26")
        p.add_argument("--out", required=True, help="directory to write the files to")
        p.add_argument("--user", required=True, help="the performance officer running it")
        c = sub.add_parser("cin", help="the Children in Need census XML")
        c.add_argument("--year", required=True, help="collection year: 2026 or 2025-26")
        c.add_argument("--out", required=True, help="the XML file to write")
        c.add_argument("--user", required=True, help="the performance officer running it")
        ld = sub.add_parser(
            "load",
            help="read an SSDA903 return (CSV files or XML) or a CIN census XML into the record",
        )
        source = ld.add_mutually_exclusive_group(required=True)
        source.add_argument("--dir", help="the folder holding header.csv and the rest")
        source.add_argument("--xml", help="an SSDA903 return as one EXPSSDA903 XML file")
        source.add_argument("--cin", help="a Children in Need census XML file")
        ld.add_argument("--year", required=True, help="collection year: 2026 or 2025-26")
        ld.add_argument("--user", required=True, help="the performance officer running it")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, quiet=options["verbosity"] == 0)
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        kinds = {"ssda903": jobs.SSDA903, "cin": jobs.CIN}
        ending = _ending(options["year"])
        if options["which"] == "load" and options["cin"]:
            return self.load_cin(user, Path(options["cin"]), ending)
        if options["which"] == "load":
            return self.load(user, Path(options["dir"] or options["xml"]), ending)
        job = job_start(
            owner=user,
            kind=kinds[options["which"]],
            title=f"{options['which'].upper()} return {ending - 1}-{str(ending)[2:]}",
            params={"ending": ending, "out": options["out"]},
            enqueue=False,
        )
        job = job_run_with_bar(job, console=console)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.error or "The return could not be built")
        # The job's result (files, rows per table, failures per rule) is the command's output.
        self.stdout.write(json.dumps(job.result, indent=2))

    def load(self, user, source: Path, ending: int) -> None:
        try:
            loaded = ssda903_load(
                actor=user, source=source, ending=ending, purpose=Purpose.STATUTORY_RETURN
            )
        except LoadRefused as e:
            for error in e.row_errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was loaded: {len(e.row_errors)} problem(s) in {source}"
            ) from e
        self.stdout.write(json.dumps({"children": loaded.children, "rows": loaded.rows}))

    def load_cin(self, user, path: Path, ending: int) -> None:
        try:
            loaded = cin_load(
                actor=user, path=path, ending=ending, purpose=Purpose.STATUTORY_RETURN
            )
        except LoadRefused as e:
            for error in e.row_errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was loaded: {len(e.row_errors)} problem(s) in {path}"
            ) from e
        self.stdout.write(json.dumps({"children": loaded.children, "rows": loaded.rows}))
