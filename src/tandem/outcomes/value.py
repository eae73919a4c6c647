"""Value for money of a service, from its own record: the unit-cost register, GDP-deflator
uprating, and each service kind's value model (TOML beside this module, in `value_models/`),
appraised by `tandem.outcomes.cba` gross and net of what would have happened anyway.

For a cohort: costs = children × each cost line (unit cost × quantity); benefits = children
(of those the outcome applies to) × success rate × (1 − deadweight) × each benefit line, for
the years it lasts less drop-off, less the optimism-bias correction of the evidence's grade.
Success is the framework outcome's rate (or, for an outcome where lower is better, one minus
it). Deadweight comes from a comparison service's rate in the same period, or from the matched
comparison; when neither can be had, only the gross figure is given and the report says why."""

import csv
import dataclasses
import functools
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field

from tandem.outcomes import cba, cohorts, matching
from tandem.outcomes.frameworks import FrameworkError, framework, read_toml
from tandem.outcomes.models import Deflator, Service, UnitCost

HERE = Path(__file__).parent / "value_models"
SMALL = 5  # fewer children than this are not valued: the money would point to them
YEAR = re.compile(r"^(\d{4})-(\d{2})$")
# Optimism-bias correction of a benefit by the confidence grade of its evidence (GMCA: from 0 %
# for the best, most local, independently verified data to about 40 % for the weakest).
OPTIMISM_BIAS = {
    1: Decimal("0"),
    2: Decimal("0.1"),
    3: Decimal("0.2"),
    4: Decimal("0.3"),
    5: Decimal("0.4"),
}


class DeflatorMissing(Exception):
    pass


def uprate(value: Decimal, from_year: str, to_year: str) -> Decimal:
    """`value` at `from_year`'s prices, in `to_year`'s, by the GDP deflators loaded."""
    if from_year == to_year:
        return Decimal(value)
    index = dict(
        Deflator.objects.filter(year__in=[from_year, to_year]).values_list("year", "index")
    )
    missing = [y for y in (from_year, to_year) if y not in index]
    if missing:
        raise DeflatorMissing(
            f"No GDP deflator for {' or '.join(missing)}: load HM Treasury's latest 'GDP "
            "deflators at market prices, and money GDP' CSV (tandem outcomes deflators FILE)"
        )
    return Decimal(value) * index[to_year] / index[from_year]


class DeflatorFileError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def deflators_load(text: str, release: str) -> int:
    """Replace the deflator table with the financial years of an HM Treasury release (its CSV
    as published, or two columns: year, index). Every bad row is named; nothing is half-saved."""
    rows, problems = {}, []
    for n, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not cells or not YEAR.match(cells[0]):
            continue  # titles, notes and the calendar-year block's headings
        year = cells[0]
        start, end = YEAR.match(year).groups()
        if (int(start) + 1) % 100 != int(end):
            problems.append(f"row {n}: {year} is not a financial year")
            continue
        try:
            index = Decimal(cells[1].replace(",", "")) if len(cells) > 1 else None
        except InvalidOperation:
            index = None
        if index is None or index <= 0:
            problems.append(f"row {n}: the deflator for {year} is not a positive number")
        elif year in rows:
            problems.append(f"row {n}: {year} is given twice")
        else:
            rows[year] = index
    if not rows and not problems:
        problems.append("no financial year (like 2016-17) with a deflator was found")
    if problems:
        raise DeflatorFileError(problems)
    with transaction.atomic():
        Deflator.objects.all().delete()
        Deflator.objects.bulk_create(
            Deflator(year=y, index=i, release=release) for y, i in rows.items()
        )
    return len(rows)


# --- Value models ----------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(Strict):
    name: str
    unit_cost: str
    quantity: Decimal = Field(gt=0)


class CostLine(Line):
    agency: str


class BenefitLine(Line):
    years: int = Field(1, ge=1, le=60)
    drop_off: Decimal = Field(Decimal(0), ge=0, le=1)


class ValueModel(Strict):
    code: str
    name: str
    version: int = Field(ge=1)
    price_year: str = Field(pattern=r"^\d{4}-\d{2}$")
    outcome: str
    deadweight: Literal["comparison-service", "matched", "none"]
    comparison_service: str = ""
    evidence_grade: int = Field(ge=1, le=5)
    cost: tuple[CostLine, ...] = Field(min_length=1)
    benefit: tuple[BenefitLine, ...] = Field(min_length=1)


def read(path: Path) -> ValueModel:
    model = read_toml(path, ValueModel)
    fw = framework(model.code)
    if fw is None or model.outcome not in {o.code for o in fw.outcome}:
        raise FrameworkError(
            f"{path.name}: {model.outcome!r} is not an outcome of framework {model.code!r}"
        )
    if model.deadweight == "comparison-service" and not model.comparison_service:
        raise FrameworkError(f"{path.name}: name the comparison_service the deadweight comes from")
    return model


@functools.cache
def value_models() -> dict[str, ValueModel]:
    return {path.stem: read(path) for path in sorted(HERE.glob("*.toml"))}


# --- Appraising a service --------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Priced:
    """A cost or benefit line with its unit cost, at the model's prices."""

    line: Line
    unit: UnitCost
    each: Decimal  # unit cost × quantity, uprated


@dataclasses.dataclass(frozen=True)
class Appraisal:
    service: Service
    model: ValueModel
    period: object
    figure: cohorts.Figure | None  # the outcome the benefits follow
    success_rate: Decimal | None
    deadweight: Decimal | None  # None: no comparison to take it from
    deadweight_source: str
    costs: list[Priced]
    benefits: list[Priced]
    results: dict[str, cba.Result]  # "gross" always; "net" when a deadweight is known
    cost_per_child: Decimal
    value_per_success: Decimal
    problem: str = ""  # why there is no appraisal (no cohort, a missing deflator, …)

    @property
    def success_words(self) -> str:
        """What a success is, for the outcome: "achieved", or "avoided" where lower is better."""
        return "achieved" if self.figure.outcome.higher_is_better else "avoided"

    @property
    def optimism_bias(self) -> Decimal:
        return OPTIMISM_BIAS[self.model.evidence_grade]

    @property
    def per_success_ratio(self) -> Decimal | None:
        """What one success is worth per £1 spent on one child (the seeds' "£64 per £1 on
        successful cases")."""
        return (
            (self.value_per_success / self.cost_per_child).quantize(cba.PENNY)
            if self.cost_per_child
            else None
        )


def _priced(lines, price_year: str) -> list[Priced]:
    units = UnitCost.objects.in_bulk([line.unit_cost for line in lines])
    missing = [line.unit_cost for line in lines if line.unit_cost not in units]
    if missing:
        raise LookupError(
            f"The unit-cost register has no {', '.join(missing)}: add it in the admin"
        )
    return [
        Priced(
            line,
            units[line.unit_cost],
            uprate(units[line.unit_cost].value, units[line.unit_cost].price_year, price_year)
            * line.quantity,
        )
        for line in lines
    ]


def _deadweight(
    model, service, cohort, fw, success: Decimal, compared=None
) -> tuple[Decimal | None, str]:
    outcome = fw.get(model.outcome)
    if model.deadweight == "none":
        return Decimal(0), "none taken off (the value model says every success is the service's)"
    if model.deadweight == "comparison-service":
        other = Service.objects.filter(name=model.comparison_service).first()
        if other is None:
            return None, f"no service {model.comparison_service!r} to compare with"
        theirs = cohorts.Cohort(other.pk, cohort.started_from, cohort.started_to, cohort.as_of)
        figure = next(
            f
            for f in cohorts.figures(cohorts.per_child(theirs, fw), fw)
            if f.outcome.code == model.outcome
        )
        if figure.of < matching.MIN_MATCHED:
            return None, f"{other.name} has too few children in the period to compare with"
        rate = Decimal(figure.count) / Decimal(figure.of)
        theirs_success = rate if outcome.higher_is_better else 1 - rate
        return cba.deadweight_from_comparison(
            success, theirs_success
        ), f"{other.name}: {theirs_success:.0%} over the same period"
    if compared is None or compared.outcome != model.outcome:
        compared = matching.compare(cohort, fw, model.outcome)
    if compared.effect is None:
        return None, f"the matched comparison gave no estimate ({compared.withheld})"
    p0 = Decimal(str(compared.matched_rate))
    theirs_success = p0 if outcome.higher_is_better else 1 - p0
    return cba.deadweight_from_comparison(
        success, theirs_success
    ), f"matched comparison: {theirs_success:.0%} of matched children"


def appraise_service(service: Service, period, as_of, compared=None) -> Appraisal | None:
    """The service's value for money over the cohort of `period`, or None when its kind has no
    value model. `compared`: the cohort's matched comparison when it has been made already (an
    evaluation makes it once)."""
    model = value_models().get(service.framework)
    if model is None:
        return None
    fw = framework(model.code)
    cohort = cohorts.Cohort(service.pk, period.started_from, period.started_to, as_of)
    empty = dict(
        figure=None,
        success_rate=None,
        deadweight=None,
        deadweight_source="",
        costs=[],
        benefits=[],
        results={},
        cost_per_child=Decimal(0),
        value_per_success=Decimal(0),
    )
    try:
        costs, benefits = (
            _priced(model.cost, model.price_year),
            _priced(model.benefit, model.price_year),
        )
    except (DeflatorMissing, LookupError) as e:
        return Appraisal(service, model, period, **empty, problem=str(e))
    figure = next(
        f
        for f in cohorts.figures(cohorts.per_child(cohort, fw), fw)
        if f.outcome.code == model.outcome
    )
    if figure.of < SMALL:
        return Appraisal(
            service,
            model,
            period,
            **empty | {"costs": costs, "benefits": benefits},
            problem="Fewer than 5 children in the period have this outcome yet: a value for "
            "so few could point to a child",
        )
    rate = Decimal(figure.count) / Decimal(figure.of)
    success = rate if fw.get(model.outcome).higher_is_better else 1 - rate
    deadweight, source = _deadweight(model, service, cohort, fw, success, compared)
    bias = OPTIMISM_BIAS[model.evidence_grade]
    cost_lines = [cba.Cost(year=0, amount=p.each * figure.of, agency=p.line.agency) for p in costs]

    def streams(dw: Decimal) -> list[cba.Benefit]:
        return [
            cba.Benefit(
                outcome=p.line.name,
                kind=cba.ValueKind(p.unit.kind),
                agency=p.unit.agency,
                cohort=figure.of,
                engagement=Decimal(1),
                success=success,
                unit_value=p.each,
                deadweight=dw,
                years=p.line.years,
                drop_off=p.line.drop_off,
                optimism_bias=bias,
            )  # fmt: skip
            for p in benefits
        ]

    results = {"gross": cba.appraise(cost_lines, streams(Decimal(0)))["gross"]}
    if deadweight is not None:
        results["net"] = cba.appraise(cost_lines, streams(deadweight))["net"]
    return Appraisal(
        service, model, period, figure, success, deadweight, source, costs, benefits, results,
        cost_per_child=sum((p.each for p in costs), Decimal(0)),
        value_per_success=sum((p.each for p in benefits), Decimal(0)),
    )  # fmt: skip
