"""`tandem synth`: build a synthetic partnership (partners, practitioners, families, referrals)."""

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tandem.formats import govuk_date
from tandem.synth import build


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"--as-of must be a date like 2026-03-01, not {text!r}") from e


def _migrated(console) -> None:
    """A new database gets its tables first, as `tandem demo` does (a missing table would
    otherwise end the build with a raw database error)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        console.print("Creating or updating the tables first (tandem migrate)")
        call_command("migrate", interactive=False, verbosity=0)


class Command(BaseCommand):
    help = (
        "Build a synthetic partnership: partners, teams, practitioners, households, children "
        "with overlapping risks, referrals, decisions, involvements and chronologies. Same seed, "
        "same data. Only synthetic data: never run it against a live record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--children",
            type=int,
            default=3000,
            help=f"how many children ({build.MIN_CHILDREN:,} to "
            f"{build.MAX_CHILDREN:,}; default 3,000)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="wipe existing partners, people and referrals first (the audit log is kept)",
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the day the history runs up to (default: today, UTC)",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=build.CHUNK_SIZE,
            help=f"children drawn and written at a time ({build.CHUNK_SIZE:,}); "
            "part of what the seed reproduces",
        )
        parser.add_argument(
            "--no-parallel",
            action="store_true",
            help="draw chunks in this process instead of a second one",
        )
        parser.add_argument(
            "--care-errors",
            action="store_true",
            help="break a few looked-after and children-in-need records in ways the DfE's "
            "SSDA903 and CIN census rules catch",
        )
        parser.add_argument(
            "--services",
            action="store_true",
            help="also run the seeds' services (edge of care, integrated family support and its "
            "comparison areas, leaving care) at their rates, with a known effect planted",
        )
        # Record linkage (issue 5): the partners' extracts of these children, truth aside.
        parser.add_argument(
            "--extracts",
            type=Path,
            default=None,
            help="also write agency extracts with recording errors into this directory",
        )

    def handle(self, *args, **options):
        if options["seed"] < 0:
            raise CommandError("--seed must be zero or more")
        as_of = options["as_of"] or dt.datetime.now(dt.UTC).date()
        quiet = options["verbosity"] == 0
        console = Console(file=self.stdout, quiet=quiet)
        try:
            build.validate(options["children"], options["chunk_size"])
            _migrated(console)
            started = time.perf_counter()
            with Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=quiet,
            ) as progress:
                children = progress.add_task("Children", total=options["children"])
                indexes = progress.add_task("Indexes", total=None, visible=False)

                def report(stage: str, amount: int) -> None:
                    if stage == "children":
                        progress.advance(children, amount)
                    elif stage == "indexes":
                        progress.update(indexes, total=amount, visible=amount > 0)
                    elif stage == "index":
                        progress.advance(indexes, amount)

                run = build.build(
                    seed=options["seed"],
                    children=options["children"],
                    as_of=as_of,
                    replace=options["replace"],
                    chunk_size=options["chunk_size"],
                    parallel=not options["no_parallel"],
                    report=report,
                    care_errors=options["care_errors"],
                )
        except (build.AlreadyPopulated, ValueError) as e:
            raise CommandError(str(e)) from e
        seconds = time.perf_counter() - started
        table = Table(
            title=f"Synthetic partnership: seed {run.seed}, as of {govuk_date(run.as_of)}"
        )
        table.add_column("Table")
        table.add_column("Rows", justify="right")
        for label, rows in run.rows.items():
            table.add_row(label, f"{rows:,}")
        total = sum(run.rows.values())
        table.add_row("all", f"{total:,}", style="bold")
        console.print(table)
        console.print(f"{total:,} rows in {seconds:.1f} s ({total / seconds:,.0f} rows/s)")
        if options["services"]:
            from tandem.synth.services import draw_services

            planted = draw_services(seed=run.seed, as_of=run.as_of)  # on the build just made
            for name, size in planted.sizes.items():
                console.print(f"{name}: {size:,} receiving it")
            console.print(
                f"Planted effect of the edge-of-care service on care entry within a year: "
                f"{planted.effect * 100:+.1f} points (spells starting "
                f"{govuk_date(planted.started_from)} to {govuk_date(planted.started_to)})"
            )
        if options["extracts"]:
            from tandem.synth.extracts import write_extracts

            counts = write_extracts(
                options["extracts"],
                seed=run.seed,
                children=run.children,
                as_of=run.as_of,
                chunk_size=run.chunk_size,
            )
            console.print(f"{sum(counts.values()):,} extract rows in {options['extracts']}")
