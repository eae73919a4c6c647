"""`tandem extracts`: write synthetic agency extracts (with their truth) without a database."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tandem.synth import build, extracts


class Command(BaseCommand):
    help = (
        "Write police, school, health, council and charity extracts for a synthetic partnership "
        "(the children `tandem synth` builds for the same seed), with recording errors, plus "
        "truth.csv (for scoring only) and mapping.toml (for `tandem link files`)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="directory to write into")
        parser.add_argument("--children", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--chunk-size", type=int, default=build.CHUNK_SIZE)
        parser.add_argument(
            "--error-rate",
            type=float,
            default=1.0,
            help="multiplier on every recording error's rate (0 = clean; default 1)",
        )
        parser.add_argument(
            "--agencies",
            default=",".join(extracts.AGENCY_NAMES),
            help="comma-separated, from " + ", ".join(extracts.AGENCY_NAMES),
        )

    def handle(self, *args, **options):
        try:
            as_of = (
                dt.date.fromisoformat(options["as_of"])
                if options["as_of"]
                else dt.datetime.now(dt.UTC).date()
            )
        except ValueError as e:
            raise CommandError(f"--as-of must be a date like 2026-03-01: {e}") from e
        if options["error_rate"] < 0:
            raise CommandError("--error-rate must be zero or more")
        console = Console(file=self.stdout, quiet=options["verbosity"] == 0)
        try:
            build.validate(options["children"], options["chunk_size"])
            with Progress(
                TextColumn("Children"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=options["verbosity"] == 0,
            ) as progress:
                task = progress.add_task("children", total=options["children"])
                counts = extracts.write_extracts(
                    options["out"],
                    seed=options["seed"],
                    children=options["children"],
                    as_of=as_of,
                    chunk_size=options["chunk_size"],
                    error_rate=options["error_rate"],
                    agencies=tuple(a.strip() for a in options["agencies"].split(",") if a),
                    report=lambda _stage, n: progress.advance(task, n),
                )
        except ValueError as e:
            raise CommandError(str(e)) from e
        for agency, rows in counts.items():
            console.print(f"{agency:<8} {rows:>10,} rows  {options['out'] / (agency + '.csv')}")
        console.print(f"truth    {sum(counts.values()):>10,} rows  {options['out'] / 'truth.csv'}")
