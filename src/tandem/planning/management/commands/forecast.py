"""`tandem forecast`: the demand forecast from the shell — run one (from the record or SSDA903
files), list them, show one's figures (or write its tables as CSV), add a scenario and compare it
with its baseline, and write a synthetic SSDA903 history to try it on. Run as a user, audited as
theirs; counts and money only."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tandem import spreadsheet
from tandem.formats import money
from tandem.jobs.services import job_run
from tandem.partners.models import User
from tandem.planning import selectors, services
from tandem.planning.models import ForecastMethod, ForecastSource
from tandem.planning.results import counted, tables, yearly
from tandem.synth.history903 import write_history


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"A date is written like 2025-04-01, not {text!r}") from e


class Command(BaseCommand):
    help = "The demand forecast: run, list, show, scenario, compare, synth."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        run = sub.add_parser("run", help="fit and forecast (the record, or SSDA903 files)")
        run.add_argument("--user", required=True, help="a partnership analyst")
        run.add_argument("--name", default="Forecast from the command line")
        run.add_argument(
            "--ssda903", nargs="+", type=Path, help="Header and Episodes CSV files or folders"
        )
        run.add_argument("--from", dest="start", type=_date, required=True, help="window start")
        run.add_argument("--to", dest="end", type=_date, required=True, help="window end")
        run.add_argument("--months", type=int, default=120, help="1 to 120 (default 120)")
        run.add_argument("--method", choices=ForecastMethod.values, default=ForecastMethod.TANDEM)
        run.add_argument(
            "--background", action="store_true", help="queue it for the worker and return"
        )
        listing = sub.add_parser("list", help="the forecasts")
        listing.add_argument("--user", required=True)
        show = sub.add_parser("show", help="a forecast's figures, year by year")
        show.add_argument("forecast", help="the forecast's id")
        show.add_argument("--user", required=True)
        show.add_argument("--csv", type=Path, help="write every table as CSV into this folder")
        scenario = sub.add_parser("scenario", help="add a scenario to a forecast")
        scenario.add_argument("forecast", help="the forecast's id")
        scenario.add_argument("--user", required=True, help="a partnership analyst")
        scenario.add_argument("--name", required=True)
        scenario.add_argument(
            "--changes",
            required=True,
            help='JSON, e.g. [{"kind": "entrants", "bands": ["10_to_15"], "factor": 0.7}], '
            "or a file holding it",
        )
        compare = sub.add_parser("compare", help="a scenario beside its baseline")
        compare.add_argument("scenario", help="the scenario's id")
        compare.add_argument("--user", required=True)
        synth = sub.add_parser("synth", help="write a synthetic SSDA903 history to a folder")
        synth.add_argument("folder", type=Path)
        synth.add_argument("--entrants", type=int, default=300, help="children entering a year")
        synth.add_argument("--years", type=int, default=5, help="collection years")
        synth.add_argument("--last-year", type=int, default=dt.date.today().year)
        synth.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        self.console = Console(file=self.stdout, quiet=options["verbosity"] == 0, width=120)
        if options["which"] == "synth":
            return self.synth(options)
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        try:
            getattr(self, options["which"])(user, options)
        except PermissionDenied as e:
            raise CommandError(f"{user.username} may not do this: {e}") from e
        except ValidationError as e:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in e.message_dict.items())
                if hasattr(e, "error_dict")
                else " ".join(e.messages)
            ) from e

    def run(self, user, options) -> None:
        forecast = services.forecast_start(
            actor=user,
            name=options["name"],
            source=ForecastSource.SSDA903 if options["ssda903"] else ForecastSource.RECORD,
            window_start=options["start"],
            window_end=options["end"],
            months=options["months"],
            method=options["method"],
            paths=[str(p) for p in options["ssda903"] or []],
            enqueue=options["background"],
        )
        if options["background"]:
            self.console.print(f"Queued forecast {forecast.pk} (job {forecast.job_id})")
            return
        job = job_run(forecast.job)
        if job.error:
            raise CommandError(job.error)
        self.console.print(f"Forecast {forecast.pk}")
        self._years(selectors.forecast_get(actor=user, forecast_id=forecast.pk))

    def list(self, user, options) -> None:
        table = Table("Id", "Name", "Source", "Window", "Months", "Status")
        for f in selectors.forecasts_page(actor=user).object_list:
            table.add_row(
                str(f.pk), f.name, f.get_source_display(),
                f"{f.window_start} to {f.window_end}", str(f.months),
                "ready" if f.ready else (f.job.get_status_display() if f.job else "–"),
            )  # fmt: skip
        self.console.print(table)

    def show(self, user, options) -> None:
        forecast = selectors.forecast_get(actor=user, forecast_id=options["forecast"])
        if not forecast.ready:
            raise CommandError("The forecast has not finished")
        self._years(forecast)
        if options["csv"]:
            options["csv"].mkdir(parents=True, exist_ok=True)
            for name, (headers, rows) in tables(forecast.result).items():
                with (options["csv"] / f"{name}.csv").open("w", newline="") as out:
                    spreadsheet.writer(out).writerows([headers, *rows])
            self.console.print(f"Tables written to {options['csv']}")

    def _years(self, forecast) -> None:
        result = forecast.result
        self.console.print(
            f"{forecast.name}: {counted(result['in_care_now'])} in care on {result['first_day']}, "
            f"fitted on {result['episodes']:,} episodes ({result['method']})"
        )
        table = Table("Year", "In care", "95% band", "Entering", "Leaving", "Care leavers")
        for y in yearly(result):
            table.add_row(
                str(y["year"]), f"{y['in_care']:,.1f}",
                f"{y['low_95']:,.1f} to {y['high_95']:,.1f}", f"{y['entering']:,.1f}",
                f"{y['leaving']:,.1f}", f"{y['care_leavers']:,.1f}",
            )  # fmt: skip
        self.console.print(table)
        costs = Table("Financial year", "Placement costs")
        for row in result["costs"]:
            costs.add_row(row["year"], money(row["total"]))
        self.console.print(costs)

    def scenario(self, user, options) -> None:
        text = options["changes"]
        path = Path(text)
        try:
            changes = json.loads(path.read_text() if path.is_file() else text)
        except (OSError, json.JSONDecodeError) as e:
            raise CommandError(f"--changes: not JSON ({e})") from e
        scenario = services.scenario_save(
            actor=user, forecast_id=options["forecast"], name=options["name"], changes=changes
        )
        self.console.print(f"Scenario {scenario.pk}")
        self.compare(user, {"scenario": scenario.pk})

    def compare(self, user, options) -> None:
        compared = selectors.scenario_compare(actor=user, scenario_id=options["scenario"])
        table = Table("Year", "Baseline in care", "Scenario in care", "Difference")
        for b, c in zip(yearly(compared.baseline), yearly(compared.changed), strict=True):
            table.add_row(
                str(b["year"]), f"{b['in_care']:,.1f}", f"{c['in_care']:,.1f}",
                f"{c['in_care'] - b['in_care']:+,.1f}",
            )  # fmt: skip
        self.console.print(table)
        line = f"Placement costs saved: {money(compared.saving)}"
        if compared.saving_range:
            low, high = compared.saving_range
            line += f" ({money(low)} to {money(high)} across the measured effect's interval)"
        self.console.print(line)

    def synth(self, options) -> None:
        written = write_history(
            options["folder"],
            entrants_a_year=options["entrants"],
            years=options["years"],
            last_year=options["last_year"],
            seed=options["seed"],
        )
        self.console.print(f"{written:,} episode rows written to {options['folder']}")
