"""`tandem outcomes`: a service's outcomes, its matched comparison and its value for money, from
the shell, as the pages show them (counts only; 1 to 4 as "fewer than 5"), run as a user who
reads reports, audited as theirs."""

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tandem.formats import money
from tandem.outcomes import selectors, value
from tandem.outcomes.models import Service
from tandem.partners.models import Role, User


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"A date is written like 2025-04-01, not {text!r}") from e


def _pct(x: float | None) -> str:
    return "not shown" if x is None else f"{x:.1%}"


class Command(BaseCommand):
    help = "A service's outcomes, matched comparison and value for money (counts only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        listing = sub.add_parser("services", help="the services and who receives them")
        listing.add_argument("--user", required=True, help="who is asking (reads reports)")
        loading = sub.add_parser(
            "deflators", help="load HM Treasury's GDP deflators (its CSV as published)"
        )
        loading.add_argument("file", type=Path, help="the release's CSV")
        loading.add_argument("--user", required=True, help="a partnership analyst")
        for name, text in (
            ("show", "each outcome of a service's framework for a cohort"),
            ("compare", "the matched comparison on the framework's comparison outcome"),
            ("value", "value for money, gross and net, in the HM Treasury / GMCA method"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("service", help="the service's name")
            p.add_argument("--user", required=True, help="who is asking (reads reports)")
            p.add_argument(
                "--from", dest="started_from", type=_date, help="spells started on or after"
            )
            p.add_argument(
                "--to", dest="started_to", type=_date, help="spells started on or before"
            )

    def handle(self, *args, **options):
        self.console = Console(file=self.stdout, quiet=options["verbosity"] == 0, width=120)
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}")
        try:
            if options["which"] == "services":
                return self.services(user)
            if options["which"] == "deflators":
                return self.deflators(user, options["file"])
            service = Service.objects.filter(name=options["service"]).first()
            if service is None:
                names = ", ".join(Service.objects.values_list("name", flat=True))
                raise CommandError(f"No service {options['service']!r}; there are: {names}")
            period = {k: options[k] for k in ("started_from", "started_to") if options[k]}
            getattr(self, options["which"])(user, service, period)
        except PermissionDenied as e:
            raise CommandError(f"{user.username} does not read reports: {e}") from e
        except ValidationError as e:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in e.message_dict.items())
            ) from e

    def services(self, user) -> None:
        table = Table(title="Services")
        for column in (
            "Service",
            "Type",
            "Run by",
            "Framework",
            "Receiving it",
            "Started, last year",
        ):
            table.add_column(column)
        for r in selectors.services_report(actor=user):
            table.add_row(
                r.service.name,
                r.service.service_type.name,
                r.service.partner.name if r.service.partner else "jointly",
                r.framework.name if r.framework else "none",
                selectors.small(r.receiving) if r.receiving else "0",
                selectors.small(r.started_this_year) if r.started_this_year else "0",
            )
        self.console.print(table)

    def show(self, user, service, period) -> None:
        report = selectors.service_outcomes(actor=user, service_id=service.pk, **period)
        fw = report.framework
        title = (
            f"{service.name}: spells started {report.period.started_from} to "
            f"{report.period.started_to}, {selectors.small(report.cohort)} children"
        )
        if fw is None:
            self.console.print(f"{title}. No outcome framework.")
            return
        table = Table(title=f"{title} ({fw.name} framework, version {fw.version})")
        for column in ("Outcome", "Children", "Of", "Rate", "Applies to", "England"):
            table.add_column(column, justify="left" if column == "Outcome" else "right")
        for f in report.figures:
            o = f.figure.outcome
            table.add_row(
                o.name,
                "–"
                if not f.figure.of
                else ("fewer than 5" if f.count is None else f"{f.count:,}"),
                selectors.small(f.of) if f.figure.of else "none yet",
                _pct(f.rate) if f.figure.of else "–",
                _pct(f.figure.completion),
                _pct(o.national.rate) if o.national else "–",
            )
        self.console.print(table)

    def compare(self, user, service, period) -> None:
        _, p, r = selectors.service_comparison(actor=user, service_id=service.pk, **period)
        if r is None:
            raise CommandError(f"{service.name}'s framework names no outcome to compare")
        self.console.print(
            f"{service.name}, spells started {p.started_from} to {p.started_to}: {r.outcome}"
        )
        self.console.print(
            f"  received it: {selectors.small(r.treated)}, rate {_pct(r.treated_rate)}; "
            f"matched {selectors.small(r.matched)} to {selectors.small(r.controls_used)} "
            f"comparison children, rate {_pct(r.matched_rate)}; every comparison child: "
            f"{selectors.small(r.pool)}, rate {_pct(r.pool_rate)}"
        )
        if r.naive:
            self.console.print(
                f"  naive difference {r.naive.estimate * 100:+.1f} points "
                f"({r.naive.low * 100:+.1f} to {r.naive.high * 100:+.1f})"
            )
        if r.effect:
            self.console.print(
                f"  matched estimate {r.effect.estimate * 100:+.1f} points, 95% interval "
                f"{r.effect.low * 100:+.1f} to {r.effect.high * 100:+.1f}"
            )
        else:
            self.console.print(f"  no estimate: {r.withheld}")
        worst = max(r.balance, key=lambda b: abs(b.after), default=None)
        if worst:
            self.console.print(
                f"  balance: the largest difference after matching is {worst.after:+.2f} "
                f"standard deviations ({worst.covariate}; {worst.before:+.2f} before)"
            )
        self.console.print(f"  {r.caution}")

    def deflators(self, user, path: Path) -> None:
        if user.role not in (Role.PARTNERSHIP_ANALYST, Role.SYSTEM_ADMIN):
            raise CommandError("Only a partnership analyst or an administrator loads deflators")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as e:
            raise CommandError(f"Cannot read {path}: {e.strerror}") from e
        try:
            n = value.deflators_load(text, release=f"{path.name}, loaded by {user.username}")
        except value.DeflatorFileError as e:
            for problem in e.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"Nothing was loaded: {len(e.problems)} problem(s)") from e
        self.console.print(f"{n} financial years of GDP deflators loaded from {path.name}")

    def value(self, user, service, period) -> None:
        _, p, a = selectors.service_value(actor=user, service_id=service.pk, **period)
        if a is None:
            raise CommandError(f"No value model for {service.name}'s kind of service")
        if a.problem:
            raise CommandError(f"No appraisal of {service.name}: {a.problem}")
        self.console.print(
            f"{service.name}, spells started {p.started_from} to {p.started_to}; "
            f"{a.model.name} v{a.model.version}, {a.model.price_year} prices"
        )
        self.console.print(
            f"  {a.figure.outcome.name}: {a.success_words} for {a.success_rate:.1%} of "
            f"{selectors.small(a.figure.of)}; one success is worth £{a.per_success_ratio} per "
            f"£1 ({money(a.cost_per_child)} a child)"
        )
        for basis, r in a.results.items():
            self.console.print(
                f"  {basis}: costs {money(r.costs)}, public value £{r.public_value_roi} per £1 "
                f"(fiscal £{r.fiscal_roi}), net present value {money(r.npv)}"
            )
        if "net" not in a.results:
            self.console.print(f"  net: not known ({a.deadweight_source})")
        else:
            self.console.print(f"  deadweight {a.deadweight:.0%}: {a.deadweight_source}")
