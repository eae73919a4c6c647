"""The JSON API for referrals: making one, the front door's decision and feedback, and the
referrer's view of what happened.

Thin: each route calls one selector or service as the authenticated user. The referrer of a
referral whose child they can no longer see gets the referral, the outcome and the feedback, but
never the deciders' internal reasons.
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AfterValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from tandem.access.grants import child_grant
from tandem.audit.models import Purpose
from tandem.casework.api_schemas import FrontDoorViewsIn, views_errors_located
from tandem.config.api_support import (
    Id,
    InputSchema,
    coded,
    errors_under,
    line,
    responses,
    text,
    unique_items,
)
from tandem.people.api import ChildIn
from tandem.people.services import PERSON_FIELDS
from tandem.referrals import selectors, services
from tandem.referrals.codes import Decision, FamilyAware, Reason, Source
from tandem.referrals.codes import Status as ReferralStatus
from tandem.referrals.models import Referral

router = Router(tags=["referrals"])

REFERRAL = Purpose.REFERRAL


# --- Schemas: what comes in -------------------------------------------------------------------
class ReferralIn(InputSchema):
    child_id: Id = Field(None, description="A child in your records")
    new_child: ChildIn = Field(
        None,
        description="Or a child described afresh. It joins an existing record only on the same "
        "NHS number or UPN *and* date of birth.",
    )
    to_team_id: Id = Field(description="A team that receives referrals")
    source: coded(Source, "Who the referral comes from (CIN census code)")
    reasons: Annotated[
        list[coded(Reason, "A concern")],
        AfterValidator(unique_items),
        Field(min_length=1, json_schema_extra={"uniqueItems": True}),
    ]
    concerns: text(5000, description="What worries you, in your words")
    family_aware: coded(FamilyAware, "Does the family know about the referral?")
    referrer_name: line(
        200, required=False, description="If someone outside the partnership made it"
    ) = ""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["child_id"]}, {"required": ["new_child"]}]}
    )

    @model_validator(mode="after")
    def _one_child(self):
        if (self.child_id is None) == (self.new_child is None):
            raise PydanticCustomError("one_of", "Give child_id or new_child, not both")
        return self


class DecisionIn(FrontDoorViewsIn):
    decision: coded(Decision, "The threshold decision")
    reasons: text(5000, description="Why: seen by the child's teams, not by the referrer")


class FeedbackIn(InputSchema):
    message: text(5000, description="What the referrer is told")


class Paging(Schema):
    """Query parameters, so not strict: "2" is a number here."""

    page: int = Field(1, ge=1, le=100_000, description="Which page (past the last: the last)")
    per_page: int = Field(25, ge=1, le=100)


class ReceivedFilters(Paging):
    include_closed: bool = Field(False, description="Also referrals already given feedback")


# --- Schemas: what goes out -------------------------------------------------------------------
class TeamOut(Schema):
    id: UUID
    name: str
    partner: str


class ChildBriefOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_due_date: date | None


class DecisionOut(Schema):
    decision: Decision
    reasons: str | None = Field(
        description="The deciders' reasons; null when you see the referral as its referrer only"
    )
    decided_by: str
    decided_at: datetime


class FeedbackOut(Schema):
    message: str
    given_by: str
    given_at: datetime


class ReferralSummaryOut(Schema):
    id: UUID
    child: ChildBriefOut
    from_team: TeamOut
    to_team: TeamOut
    received_at: datetime
    status: ReferralStatus
    reasons: list[Reason]
    decision: Decision | None


class ReferralPageOut(Schema):
    items: list[ReferralSummaryOut]
    total: int = Field(description="How many in all")
    page: int
    pages: int = Field(description="How many pages in all")


class ReferralOut(ReferralSummaryOut):
    made_by: str
    referrer_name: str
    source: Source
    concerns: str
    family_aware: FamilyAware
    decision: DecisionOut | None
    feedback: list[FeedbackOut]
    in_full: bool = Field(
        description="False when you see it only as its referrer: then the decision's reasons "
        "are hidden"
    )


class ReferralCreatedOut(Schema):
    id: UUID
    child_id: UUID
    status: ReferralStatus


def _team(team) -> dict:
    return {"id": team.id, "name": team.name, "partner": team.partner.name}


def _decision(referral: Referral):
    return getattr(referral, "decision", None)


def _summary(referral: Referral) -> dict:
    decision = _decision(referral)
    return {
        "id": referral.id,
        "child": referral.child,
        "from_team": _team(referral.from_team),
        "to_team": _team(referral.to_team),
        "received_at": referral.received_at,
        "status": referral.status,
        "reasons": [r.reason for r in referral.reasons.all()],
        "decision": decision.decision if decision else None,
    }


def _decision_out(decision, *, in_full: bool) -> dict:
    return {
        "decision": decision.decision,
        "reasons": decision.reasons if in_full else None,
        "decided_by": str(decision.decided_by),
        "decided_at": decision.decided_at,
    }


def _feedback_out(feedback) -> dict:
    return {
        "message": feedback.message,
        "given_by": str(feedback.given_by),
        "given_at": feedback.given_at,
    }


def _in_full(referral: Referral, in_full: bool) -> dict:
    decision = _decision(referral)
    return {
        **_summary(referral),
        "made_by": str(referral.made_by),
        "referrer_name": referral.referrer_name,
        "source": referral.source,
        "concerns": referral.concerns,
        "family_aware": referral.family_aware,
        "decision": _decision_out(decision, in_full=in_full) if decision else None,
        "feedback": [_feedback_out(f) for f in referral.feedback.all()],
        "in_full": in_full,
    }


# --- Routes -----------------------------------------------------------------------------------
@router.get("/children/{child_id}/referrals", response=responses({200: list[ReferralSummaryOut]}))
def child_referral_list(request, child_id: UUID):
    """Every referral of a child in your records, newest first."""
    grant = child_grant(actor=request.auth, child_id=child_id, purpose=REFERRAL)
    referrals = selectors.referrals_for_child(grant=grant)
    return [_summary(r) for r in referrals]


@router.post("/referrals", response=responses({201: ReferralCreatedOut}))
def referral_create(request, payload: ReferralIn):
    """Refer a child in your records (`child_id`) or one described afresh (`new_child`)."""
    with errors_under("new_child", PERSON_FIELDS):
        referral = services.referral_create(
            actor=request.auth,
            purpose=REFERRAL,
            to_team_id=payload.to_team_id,
            source=payload.source,
            reasons=list(payload.reasons),
            concerns=payload.concerns,
            family_aware=payload.family_aware,
            referrer_name=payload.referrer_name,
            child_id=payload.child_id,
            new_child=payload.new_child.model_dump() if payload.new_child else None,
        )
    return Status(
        201, {"id": referral.id, "child_id": referral.child_id, "status": referral.status}
    )


def _page_out(found) -> dict:
    return {
        "items": [_summary(r) for r in found.object_list],
        "total": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
    }


# Before /referrals/{referral_id}, which would otherwise try to read "made" as an id.
@router.get("/referrals/made", response=responses({200: ReferralPageOut}))
def referral_made_list(request, filters: Query[Paging]):
    """Your own referrals, newest first, a page at a time: open them to see the outcome and
    feedback."""
    found = selectors.referrals_made_by(
        actor=request.auth, purpose=REFERRAL, page=filters.page, per_page=filters.per_page
    )
    return _page_out(found)


@router.get("/referrals/received", response=responses({200: ReferralPageOut}))
def referral_received_list(request, filters: Query[ReceivedFilters]):
    """Your team's front-door queue, a page at a time: those awaiting a decision first, then
    those awaiting feedback (oldest first in each), then, if asked, the closed ones."""
    found = selectors.referrals_to_team(
        actor=request.auth,
        purpose=REFERRAL,
        open_only=not filters.include_closed,
        page=filters.page,
        per_page=filters.per_page,
    )
    return _page_out(found)


@router.get("/referrals/{referral_id}", response=responses({200: ReferralOut}))
def referral_get(request, referral_id: UUID):
    """A referral. As its referrer only (`in_full` false) you do not see the decision's reasons."""
    referral, in_full = selectors.referral_get(
        actor=request.auth, referral_id=referral_id, purpose=REFERRAL
    )
    return _in_full(referral, in_full)


@router.post("/referrals/{referral_id}/decision", response=responses({201: DecisionOut}))
def referral_decide(request, referral_id: UUID, payload: DecisionIn):
    """Record the threshold decision on a referral to your team (once), with the child's and
    the parent's or carer's view, or why each was not gathered."""
    with views_errors_located():
        decision = services.referral_decide(
            actor=request.auth,
            referral_id=referral_id,
            decision=payload.decision,
            reasons=payload.reasons,
            views=payload.views(),
            purpose=REFERRAL,
        )
    return Status(201, _decision_out(decision, in_full=True))


@router.post("/referrals/{referral_id}/feedback", response=responses({201: FeedbackOut}))
def referral_feedback_give(request, referral_id: UUID, payload: FeedbackIn):
    """Tell the referrer what happened. The first feedback closes the referral."""
    feedback = services.referral_feedback_give(
        actor=request.auth, referral_id=referral_id, message=payload.message, purpose=REFERRAL
    )
    return Status(201, _feedback_out(feedback))
