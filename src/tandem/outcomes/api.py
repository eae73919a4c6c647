"""A child's SDQs over the API: the trajectory (each record's scores and bands) and recording
one from a paper form's item answers or its hand-scored scales. Health information: 403 for
someone who does not see the child's health category; 404 for a child not in your records."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Strict, create_model, model_validator
from pydantic_core import PydanticCustomError

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
    return [_out(r) for r in selectors.sdq_trajectory(actor=request.auth, child_id=child_id)]


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


class SpellOut(Schema):
    id: UUID
    service_id: UUID
    service: str
    started_on: date
    ended_on: date | None
    end_reason: str
    recorded_by: str


def _spell(spell) -> dict:
    return {
        "id": spell.pk,
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
    return [_spell(s) for s in selectors.spells_of(actor=request.auth, child_id=child_id)]


@router.post("/children/{child_id}/spells", response=responses({201: SpellOut}))
def spell_create(request, child_id: UUID, payload: SpellIn):
    """Record that the child started receiving a service."""
    spell = services.spell_start(
        actor=request.auth,
        child_id=child_id,
        service_id=payload.service_id,
        started_on=payload.started_on,
    )
    return Status(201, _spell(spell))
