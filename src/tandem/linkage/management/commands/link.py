"""`tandem link files A.csv [B.csv ...] --mapping map.toml --out DIR`: link or deduplicate
partners' files without touching the database."""

import argparse
import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tandem.linkage import files, standardise

STEPS = ("prepare", "count blocked pairs", "train", "predict", "cluster", "explain")


def _errors(e: ValidationError) -> str:
    if hasattr(e, "error_dict"):
        return "\n".join(f"{k}: {' '.join(m.message for m in v)}" for k, v in e.error_dict.items())
    return " ".join(e.messages)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date like 2026-03-01: {text!r}") from e


def _memory(text: str) -> str:
    try:
        return standardise.memory_limit_checked(text)
    except ValidationError as e:
        raise argparse.ArgumentTypeError(e.message_dict["TANDEM_DUCKDB_MEMORY"][0]) from e


class Command(BaseCommand):
    help = "Record linkage of partners' files (see `tandem link files --help`)."
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser(
            "files",
            help="link or deduplicate CSV files with a column mapping, writing pairs.csv, "
            "clusters.csv and a report",
        )
        link.add_argument("files", nargs="+", type=Path, help="CSV files, one per source")
        link.add_argument("--mapping", type=Path, required=True, help="TOML column mapping")
        link.add_argument("--out", type=Path, required=True, help="directory for the results")
        link.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
        link.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="lowest match probability written to pairs.csv (default 0.5)",
        )
        link.add_argument(
            "--cluster-threshold",
            type=float,
            default=0.95,
            help="match probability at which records join one person (default 0.95)",
        )
        link.add_argument(
            "--bad-rows",
            choices=("reject", "quarantine"),
            default="reject",
            help="a file with bad rows: reject the run (default), or link without those rows; "
            "either way every bad row is listed in DIR/errors.csv",
        )
        link.add_argument(
            "--flag-rules",
            type=Path,
            default=None,
            help="TOML overlapping-risk rules (default: the rules shipped with Tandem)",
        )
        link.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="the day flags count back from, YYYY-MM-DD (default: today, UTC)",
        )

        new = sub.add_parser(
            "new",
            help="match new extracts against the people an earlier `link files` run found",
        )
        new.add_argument("files", nargs="+", type=Path, help="the new CSV files")
        new.add_argument("--linked", type=Path, required=True, help="the earlier run's --out")
        new.add_argument("--mapping", type=Path, required=True, help="TOML column mapping")
        new.add_argument("--out", type=Path, required=True, help="directory for matches.csv")
        for command in (link, new):
            command.add_argument(
                "--memory-limit",
                type=_memory,
                default=None,
                help="the most memory DuckDB may use, e.g. 4GB; beyond it, it spills to disk "
                "under var/ (default: TANDEM_DUCKDB_MEMORY, or 8GB)",
            )

    def handle_new(self, options, console):
        from tandem.linkage import incremental

        try:
            counts = incremental.match_new(
                options["linked"],
                options["files"],
                options["mapping"].read_text(encoding="utf-8"),
                options["out"],
                memory_limit=options["memory_limit"],
            )
        except ValidationError as e:
            raise CommandError(_errors(e)) from e
        console.print(
            f"{counts.get('matched', 0):,} matched, {counts.get('review', 0):,} for review, "
            f"{counts.get('new', 0):,} new, in {counts['seconds']:.1f} s: "
            f"{options['out'] / 'matches.csv'}"
        )

    def handle(self, *args, **options):
        console = Console(file=self.stdout, quiet=options["verbosity"] == 0)
        if not options["mapping"].is_file():
            raise CommandError(f"--mapping: no such file {options['mapping']}")
        if options["action"] == "new":
            return self.handle_new(options, console)
        rules = None
        if options["flag_rules"]:
            if not options["flag_rules"].is_file():
                raise CommandError(f"--flag-rules: no such file {options['flag_rules']}")
            rules = options["flag_rules"].read_text(encoding="utf-8")
        try:
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                disable=options["verbosity"] == 0,
            ) as progress:
                task = progress.add_task("Linking: reading files", total=len(STEPS))

                def step(name):
                    progress.update(task, advance=1, description=f"Linking: {name} done")

                result = files.link_files(
                    options["files"],
                    options["mapping"].read_text(encoding="utf-8"),
                    options["out"],
                    backend=options["backend"],
                    pair_threshold=options["threshold"],
                    cluster_threshold=options["cluster_threshold"],
                    flag_rules=rules,
                    as_of=options["as_of"],
                    bad_rows=options["bad_rows"],
                    memory_limit=options["memory_limit"],
                    progress=step,
                )
        except ValidationError as e:
            raise CommandError(_errors(e)) from e
        pairs = result.con.sql("select count(*) from pairs").fetchall()[0][0]
        people = result.con.sql("select count(distinct cluster_id) from clusters").fetchall()[0][0]
        console.print(f"{pairs:,} pairs, {people:,} people. Results in {options['out']}:")
        for name in ("pairs.csv", "clusters.csv", "flags.csv", "report.md", "report.html"):
            console.print(f"  {options['out'] / name}")
