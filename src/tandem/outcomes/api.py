"""A child's SDQs over the API: the trajectory (each record's scores and bands) and recording
one from a paper form's item answers or its hand-scored scales. Health information: 403 for
someone who does not see the child's health category; 404 for a child not in your records."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Strict, create_model, model_validator
from pydantic_core import PydanticCustomError

from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.audit.models import Purpose
from tandem.config.api_support import Id, InputSchema, IsoDate, responses
from tandem.outcomes import selectors, services

router = Router(tags=["outcomes"])

# Lax: a JSON number 1.0 is the integer 1 (as JSON Schema's "integer" allows), 1.5 is refused.
Answer = Annotated[int, Strict(False), Field(ge=0, le=2)] | None
# Item number -> the form's answer: "1" … "25", each optional (a blank item is missing or null).
AnswersIn = create_model(
    "AnswersIn",
    __base__=InputSchema,
    **{f"item_{i}": (Answer, Field(None, alias=str(i))) for i in range(1, 26)},
)
Score = Annotated[int, Strict(False), Field(ge=0, le=10)] | None
Impact = Annotated[int, Strict(False), Field(ge=0, le=3)] | None


class ScoresIn(InputSchema):
    emotional: Score = None
    conduct: Score = None
    hyperactivity: Score = None
    peer: Score = None
    prosocial: Score = None
    impact: Score = None


class ImpactIn(InputSchema):
    distress: Impact = None
    home: Impact = None
    friendships: Impact = None
    classroom: Impact = None
    leisure: Impact = None
    peers: Impact = None


class SdqIn(InputSchema):
    informant: Literal["parent", "teacher", "self"] = Field(
        description="Who completed it: a parent or carer, a teacher, or the young person (11-17)"
    )
    completed_on: IsoDate
    answers: AnswersIn = Field(
        None,
        description="Item number (1-25) -> the form's answer: 0 not true, 1 somewhat true, "
        "2 certainly true, null blank. Reversed items are scored by Tandem. Or send `scores`.",
    )
    scores: ScoresIn = Field(None, description="The scales of a form scored by hand")
    difficulties: Impact = Field(
        None, description="Overall difficulties: 0 no, 1 minor, 2 definite, 3 severe"
    )
    impact_answers: ImpactIn | None = Field(
        None,
        description="Each impact question: 0 not at all … 3 a great deal. Parent and self: "
        "distress, home, friendships, classroom, leisure; teacher: distress, peers, classroom",
    )

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["answers"]}, {"required": ["scores"]}]}
    )

    @model_validator(mode="after")
    def _answers_or_scores(self):
        if (self.answers is None) == (self.scores is None):
            raise PydanticCustomError("one_of", "Give the answers or the scores, not both")
        return self


class SdqOut(Schema):
    id: UUID
    informant: str
    completed_on: date
    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    impact: int | None
    total: int | None = Field(description="Total difficulties, 0-40 (missing if a scale is)")
    bands: dict[str, str] = Field(description="Each score's band (four-band scheme)")
    from_items: bool = Field(description="Scored by Tandem from the item answers")
    recorded_by: str
    created_at: datetime


def _grant(request, child_id: UUID):
    return child_grant(actor=request.auth, child_id=child_id, purpose=Purpose.DIRECT_WORK)


def _out(record) -> dict:
    return {
        **{f: getattr(record, f) for f in ("id", "informant", "completed_on", "total")},
        **{s: getattr(record, s) for s in services.SCALE_NAMES},
        "bands": selectors.bands(record),
        "from_items": bool(record.answers),
        "recorded_by": str(record.recorded_by),
        "created_at": record.created_at,
    }


@router.get("/children/{child_id}/sdq", response=responses({200: list[SdqOut]}))
def sdq_list(request, child_id: UUID):
    """The child's SDQs, oldest first, with each score's band."""
    return [_out(r) for r in selectors.sdq_trajectory(grant=_grant(request, child_id))]


@router.post("/children/{child_id}/sdq", response=responses({201: SdqOut}))
def sdq_create(request, child_id: UUID, payload: SdqIn):
    """Record an SDQ from the item answers (scored here) or the scores of a hand-scored form.
    Every problem is answered at once, each naming its field."""
    impact = (
        payload.impact_answers.model_dump(exclude_none=True) if payload.impact_answers else None
    )
    record = services.sdq_record(
        actor=request.auth,
        child_id=child_id,
        informant=payload.informant,
        completed_on=payload.completed_on,
        answers=payload.answers.model_dump(by_alias=True, exclude_unset=True)
        if payload.answers
        else None,
        scores=payload.scores.model_dump() if payload.scores else None,
        difficulties=payload.difficulties,
        impact_answers=impact,
    )
    return Status(201, _out(record))


# --- Services and who receives them --------------------------------------------------------------
class ServiceOut(Schema):
    id: UUID
    name: str
    service_type: str = Field(description="The type's code, e.g. family-support")
    aim: str = Field(description="The strategic aim's code, e.g. stronger-families")
    partner: str | None = Field(description="The partner that runs it; null if run jointly")


class SpellIn(InputSchema):
    service_id: Id
    started_on: IsoDate
    person_id: Id | None = Field(
        None,
        description="One of the child's parents or carers who received it (default: the child)",
    )


class SpellOut(Schema):
    id: UUID
    person_id: UUID = Field(description="Who received it: the child, or a parent or carer")
    person: str
    service_id: UUID
    service: str
    started_on: date
    ended_on: date | None
    end_reason: str
    recorded_by: str


def _spell(spell) -> dict:
    return {
        "id": spell.pk,
        "person_id": spell.person_id,
        "person": spell.person.full_name,
        "service_id": spell.service_id,
        "service": spell.service.name,
        "started_on": spell.started_on,
        "ended_on": spell.ended_on,
        "end_reason": spell.end_reason,
        "recorded_by": str(spell.recorded_by),
    }


@router.get("/services", response=responses({200: list[ServiceOut]}))
def service_list(request):
    """The services the partnership runs, for recording who receives them."""
    return [
        {
            "id": s.pk,
            "name": s.name,
            "service_type": s.service_type_id,
            "aim": s.aim_id,
            "partner": s.partner.name if s.partner else None,
        }
        for s in selectors.services_all(actor=request.auth)
    ]


@router.get("/children/{child_id}/spells", response=responses({200: list[SpellOut]}))
def spell_list(request, child_id: UUID):
    """The services the child has received, latest first."""
    return [_spell(s) for s in selectors.spells_of(grant=_grant(request, child_id))]


@router.post("/children/{child_id}/spells", response=responses({201: SpellOut}))
def spell_create(request, child_id: UUID, payload: SpellIn):
    """Record that the child started receiving a service."""
    spell = services.spell_start(
        actor=request.auth,
        child_id=child_id,
        service_id=payload.service_id,
        started_on=payload.started_on,
        person_id=payload.person_id,
    )
    return Status(201, _spell(spell))


class SpellEndIn(InputSchema):
    ended_on: IsoDate
    reason: Literal["completed", "disengaged", "moved", "stepped_up", "stepped_down", "other"] = (
        Field(description="Why it ended")
    )


@router.post("/children/{child_id}/spells/{spell_id}/end", response=responses({200: SpellOut}))
def spell_end(request, child_id: UUID, spell_id: UUID, payload: SpellEndIn):
    """End an open spell of a service: the date and why (every problem named at once)."""
    spell = services.spell_end(
        actor=request.auth,
        child_id=child_id,
        spell_id=spell_id,
        ended_on=payload.ended_on,
        reason=payload.reason,
    )
    return _spell(spell)


Reading = Annotated[int, Strict(False), Field(ge=1, le=10)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class AreaReadingIn(InputSchema):
    area: Code = Field(description="The area's code, e.g. family-routine")
    reading: Reading = Field(description="1 to 10")


class StarIn(InputSchema):
    star: Code = Field(description="The star's code, e.g. family-star-plus")
    edition: str = Field("", max_length=20)
    read_on: IsoDate
    readings: list[AreaReadingIn] = Field(
        description="Each area's reading on the day", min_length=1, max_length=20
    )


class StarReadingOut(Schema):
    id: UUID
    star: str
    edition: str
    area: str
    reading: int
    read_on: date


def _reading(r) -> dict:
    return {f: getattr(r, f) for f in ("id", "star", "edition", "area", "reading", "read_on")}


@router.get("/children/{child_id}/star-readings", response=responses({200: list[StarReadingOut]}))
def star_reading_list(request, child_id: UUID):
    """The child's Outcomes Star readings, by star and day (codes only: wording is licensed)."""
    return [_reading(r) for r in selectors.star_readings_of(grant=_grant(request, child_id))]


@router.post("/children/{child_id}/star-readings", response=responses({201: list[StarReadingOut]}))
def star_reading_create(request, child_id: UUID, payload: StarIn):
    """Record one Outcomes Star assessment: every area's reading on the day."""
    made = services.star_record(
        actor=request.auth,
        child_id=child_id,
        star=payload.star,
        edition=payload.edition,
        read_on=payload.read_on,
        readings={r.area: r.reading for r in payload.readings},
    )
    return Status(201, [_reading(r) for r in made])


# --- A service's outcomes, its children and its matched comparison (counts for reports) ------
class PeriodQuery(Schema):
    """Query parameters: the cohort is the children whose first spell started in the period."""

    started_from: IsoDate | None = Field(None, description="Default: the service's first spell")
    started_to: IsoDate | None = Field(None, description="Default: today")


class ChildrenQuery(PeriodQuery):
    page: int = Field(1, ge=1, le=100_000, description="Which page (past the last: the last)")


class FigureOut(Schema):
    outcome: str
    name: str
    count: int | None = Field(description="How many it went the counted way for (null: 1 to 4)")
    of: int | None = Field(description="How many it applies to and can be known for (null: 1-4)")
    rate: float | None = Field(description="count / of; null when either reveals a small number")
    completion: float | None = Field(description="of / the cohort: how complete the record is")
    higher_is_better: bool
    national: float | None = Field(description="England's rate, where the framework gives one")


class SdqSummaryOut(Schema):
    first_n: int | None = Field(description="Children with a first SDQ in the spell (null: 1-4)")
    first_completion: float = Field(description="first_n / the cohort")
    first_mean: float | None = Field(description="Their average total difficulties (0-40)")
    both_n: int | None = Field(description="Children with a first and a later SDQ")
    both_completion: float
    both_first_mean: float | None
    both_last_mean: float | None
    change_mean: float | None = Field(description="Last minus first: below 0 is better")


class OutcomesOut(Schema):
    service_id: UUID
    service: str
    framework: str | None = Field(description="The framework's code; null: none")
    framework_version: int | None
    started_from: date
    started_to: date
    cohort: int | None = Field(description="Children in the cohort (null: 1 to 4)")
    figures: list[FigureOut]
    sdq: SdqSummaryOut | None = Field(description="Null: fewer than 5 children have an SDQ")


class ChildResultOut(Schema):
    child_id: UUID
    name: str
    started_on: date
    result: str


class ChildrenOut(Schema):
    outcome: str
    total: int | None = Field(description="Children the outcome applies to (null: 1 to 4)")
    hidden: int | None = Field(
        description="Of them, not shown: the record gives you no reason to see (null: 1 to 4)"
    )
    page: int
    pages: int
    children: list[ChildResultOut]


class IntervalOut(Schema):
    estimate: float
    low: float
    high: float


class BalanceOut(Schema):
    covariate: str
    before: float
    after: float | None


class ComparisonOut(Schema):
    outcome: str
    treated: int | None
    pool: int | None
    matched: int | None
    controls_used: int | None
    treated_rate: float | None
    matched_rate: float | None
    pool_rate: float | None
    effect: IntervalOut | None = Field(description="The matched estimate (null when withheld)")
    naive: IntervalOut | None = Field(description="Everyone who received it against the rest")
    withheld: str = Field(description="Why no estimate is given (empty when one is)")
    balance: list[BalanceOut]
    caution: str


def _shown(n: int | None) -> int | None:
    return None if n is None or 0 < n < selectors.SMALL else n


@router.get("/services/{service_id}/outcomes", response=responses({200: OutcomesOut}))
def service_outcome_list(request, service_id: UUID, period: Query[PeriodQuery]):
    """Each outcome of the service's framework for a cohort: counts only, a count of 1 to 4
    given as null."""
    report = selectors.service_outcomes(
        actor=request.auth, service_id=service_id, **period.model_dump()
    )
    fw = report.framework
    return {
        "service_id": report.service.pk,
        "service": report.service.name,
        "framework": fw.code if fw else None,
        "framework_version": fw.version if fw else None,
        "started_from": report.period.started_from,
        "started_to": report.period.started_to,
        "cohort": _shown(report.cohort),
        "figures": [
            {
                "outcome": f.figure.outcome.code,
                "name": f.figure.outcome.name,
                "count": f.count,
                "of": f.of,
                "rate": f.rate,
                "completion": f.figure.completion,
                "higher_is_better": f.figure.outcome.higher_is_better,
                "national": f.figure.outcome.national.rate if f.figure.outcome.national else None,
            }
            for f in report.figures
        ],
        "sdq": _sdq_summary(report.sdq),
    }


def _sdq_summary(q) -> dict | None:
    if q is None:
        return None
    pair = q.both_n >= selectors.SMALL
    return {
        "first_n": _shown(q.first_n),
        "first_completion": q.first_completion,
        "first_mean": q.first_mean,
        "both_n": _shown(q.both_n),
        "both_completion": q.both_completion,
        "both_first_mean": q.both_first_mean if pair else None,
        "both_last_mean": q.both_last_mean if pair else None,
        "change_mean": q.change_mean if pair else None,
    }


@router.get(
    "/services/{service_id}/outcomes/{outcome}/children", response=responses({200: ChildrenOut})
)
def service_outcome_children(request, service_id: UUID, outcome: str, query: Query[ChildrenQuery]):
    """The children behind one figure that the record lets you see (each audited), 25 a page;
    the rest are counted in `hidden`."""
    behind = selectors.outcome_children(
        actor=request.auth,
        service_id=service_id,
        outcome=outcome,
        started_from=query.started_from,
        started_to=query.started_to,
        page=query.page,
    )
    return {
        "outcome": behind.outcome.code,
        "total": _shown(behind.total),
        "hidden": _shown(behind.hidden),
        "page": behind.page.number,
        "pages": behind.page.paginator.num_pages,
        "children": [
            {
                "child_id": r.person.pk,
                "name": r.person.full_name,
                "started_on": r.started_on,
                "result": r.result,
            }
            for r in behind.page.object_list
        ],
    }


def _interval(i) -> dict | None:
    return {"estimate": i.estimate, "low": i.low, "high": i.high} if i else None


@router.get("/services/{service_id}/comparison", response=responses({200: ComparisonOut}))
def service_comparison(request, service_id: UUID, period: Query[PeriodQuery]):
    """The matched comparison on the framework's comparison outcome, with its balance table;
    the estimate is withheld (and `withheld` says why) when the groups are too small or stay
    unalike after matching."""
    _, _, r = selectors.service_comparison(
        actor=request.auth, service_id=service_id, **period.model_dump()
    )
    if r is None:
        raise NotFound("This service's framework names no outcome to compare")
    rate = lambda x, n: x if n and n >= selectors.SMALL else None  # noqa: E731
    return {
        "outcome": r.outcome,
        "treated": _shown(r.treated),
        "pool": _shown(r.pool),
        "matched": _shown(r.matched),
        "controls_used": _shown(r.controls_used),
        "treated_rate": rate(r.treated_rate, r.treated),
        "matched_rate": r.matched_rate,
        "pool_rate": rate(r.pool_rate, r.pool),
        "effect": _interval(r.effect),
        "naive": _interval(r.naive),
        "withheld": r.withheld,
        "balance": [
            {
                "covariate": b.covariate,
                "before": b.before,
                "after": None if b.after != b.after else b.after,
            }
            for b in r.balance
        ],
        "caution": r.caution,
    }


class ResultOut(Schema):
    basis: str = Field(description="gross (every success the service's) or net (less deadweight)")
    costs: Decimal
    fiscal_benefits: Decimal
    public_value: Decimal
    fiscal_roi: Decimal | None = Field(description="Fiscal benefits per £1 spent")
    public_value_roi: Decimal | None = Field(description="All public value per £1 spent")
    npv: Decimal
    payback_year: int | None
    by_agency: dict[str, dict[str, Decimal]]


class ValueOut(Schema):
    model: str
    model_version: int
    price_year: str
    outcome: str
    children: int | None = Field(description="Children the outcome applies to (null: 1 to 4)")
    success_rate: Decimal | None
    deadweight: Decimal | None = Field(description="Null: no comparison to take it from")
    deadweight_source: str
    per_success_ratio: Decimal | None = Field(description="£ per £1 for one successful case")
    cost_per_child: Decimal
    results: list[ResultOut]
    problem: str = Field(description="Why there is no appraisal (empty when there is one)")


@router.get("/services/{service_id}/value", response=responses({200: ValueOut}))
def service_value(request, service_id: UUID, period: Query[PeriodQuery]):
    """The service's value for money in the HM Treasury / GMCA method: gross always, net of
    what would have happened anyway when a comparison gives it. Money is exact (decimal)."""
    _, _, a = selectors.service_value(
        actor=request.auth, service_id=service_id, **period.model_dump()
    )
    if a is None:
        raise NotFound("There is no value model for this kind of service")
    return {
        "model": a.model.code,
        "model_version": a.model.version,
        "price_year": a.model.price_year,
        "outcome": a.model.outcome,
        "children": _shown(a.figure.of) if a.figure else None,
        "success_rate": a.success_rate,
        "deadweight": a.deadweight,
        "deadweight_source": a.deadweight_source,
        "per_success_ratio": a.per_success_ratio,
        "cost_per_child": a.cost_per_child,
        "results": [
            {
                "basis": basis,
                "costs": r.costs,
                "fiscal_benefits": r.benefits["fiscal"],
                "public_value": sum(r.benefits.values()),
                "fiscal_roi": r.fiscal_roi,
                "public_value_roi": r.public_value_roi,
                "npv": r.npv,
                "payback_year": r.payback_year,
                "by_agency": r.by_agency,
            }
            for basis, r in a.results.items()
        ],
        "problem": a.problem,
    }
