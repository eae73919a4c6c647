"""The JSON API for casework: a child's cases and the caller's own, the team around the family,
the assessment, the plan (goals, actions), reviews, steps up and down, closure and reopening.

Thin: each route calls one selector or service as the authenticated user. Every decision's body
carries the child's and the parent's or carer's view (`casework.api_schemas.ViewsIn`); a decision
without both is refused whole, with the field named where the body holds it (`child.view`).
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AfterValidator, BeforeValidator

from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.audit.models import Purpose
from tandem.casework import selectors, services
from tandem.casework.api_schemas import ViewsIn, views_errors_located
from tandem.casework.codes import (
    ActionStatus,
    Area,
    AssessmentStatus,
    CaseLevel,
    CaseStatus,
    DecisionKind,
    GoalOutcome,
    HowGathered,
    Level,
    NotGathered,
    PlanStatus,
    Rating,
    Sharing,
)
from tandem.casework.models import Case
from tandem.config.api_support import (
    Id,
    InputSchema,
    IsoDate,
    coded,
    line,
    responses,
    text,
)
from tandem.config.api_support import unique_items as _unique

router = Router(tags=["casework"])

WORK = Purpose.DIRECT_WORK


# --- Schemas: what comes in -------------------------------------------------------------------
class CaseOpenIn(InputSchema):
    level: coded(CaseLevel, "The level the case opens at")
    lead_professional_id: Id = Field(description="The practitioner who leads the case")


class MemberIn(InputSchema):
    practitioner_id: Id = Field(description="A practitioner of any partner")
    role_in_team: line(200, required=False, description="Their part in the team") = ""


class LeadIn(InputSchema):
    lead_professional_id: Id = Field(description="The new lead professional")


class FactorIn(InputSchema):
    area: coded(Area, "The area of the child's life")
    rating: coded(Rating, "How it is going")
    evidence: text(5000, description="What the rating rests on")
    source_partner_id: Id = Field(description="The partner the evidence comes from")


class AssessmentOutcomeIn(ViewsIn):
    level: coded(Level, "The overall level of need, as the practitioner sets it")
    summary: text(5000, description="The outcome of the assessment")


class ApprovalIn(InputSchema):
    note: text(5000, description="The manager's note") = None


class GoalIn(InputSchema):
    text: text(1000, description="The goal, in the child's words where they gave them")
    in_childs_words: bool = Field(description="True when these are the child's own words")
    shared_with: coded(Sharing, "Who in the family sees it on their Tandem page") = (
        Sharing.EVERYONE
    )


class ActionIn(InputSchema):
    text: text(1000, description="What will be done")
    owner_id: Id = Field(description="Who will do it: a practitioner of any partner")
    due_on: IsoDate


class ActionStatusIn(InputSchema):
    status: coded(ActionStatus, "Where the action has got to")


def _whole_number(value):
    """JSON has one kind of number: 6.0 is the integer 6 (as JSON Schema says); 6.5 and "6"
    are still refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class PlanAgreeIn(ViewsIn):
    summary: text(5000, description="What was agreed, and with whom")
    review_every_weeks: Annotated[int, BeforeValidator(_whole_number)] = Field(
        6, ge=1, le=26, description="Weeks between reviews"
    )


class ReviewIn(ViewsIn):
    summary: text(5000, description="The review's outcome")


class StepIn(ViewsIn):
    to_level: coded(CaseLevel, "Step up to statutory social care, or down to early help")
    summary: text(5000, description="Why")


class GoalOutcomeIn(InputSchema):
    goal_id: Id = Field(description="A goal of the case's plan")
    outcome: coded(GoalOutcome, "The outcome against the goal")
    note: line(2000, required=False, description="More about the outcome") = ""


def _one_per_goal(values: list) -> list:
    _unique([v.goal_id for v in values])
    return values


class ClosureIn(ViewsIn):
    reason: text(5000, description="Why the case is closing")
    outcomes: Annotated[
        list[GoalOutcomeIn],
        AfterValidator(_one_per_goal),
        Field(description="The outcome against every goal of the plan, each goal once"),
    ] = []


class ReopenIn(ViewsIn):
    reason: text(5000, description="Why the case is reopening")


class MineFilters(Schema):
    limit: int = Field(100, ge=1, le=500)


# --- Schemas: what goes out -------------------------------------------------------------------
class PractitionerOut(Schema):
    id: UUID
    name: str
    partner: str


class CaseChildOut(Schema):
    id: UUID
    given_name: str
    family_name: str


class CaseSummaryOut(Schema):
    id: UUID
    child: CaseChildOut
    level: CaseLevel
    status: CaseStatus
    lead_professional: PractitionerOut
    opened_at: datetime


class MineOut(CaseSummaryOut):
    next_review_on: date | None


class MemberOut(Schema):
    id: UUID
    practitioner: PractitionerOut
    role_in_team: str
    joined_on: date
    left_on: date | None


class FactorOut(Schema):
    id: UUID
    area: Area
    rating: Rating
    evidence: str
    source_partner: str
    recorded_by: str
    recorded_at: datetime


class SuggestionOut(Schema):
    level: Level
    reasons: list[str]


class AssessmentOut(Schema):
    id: UUID
    status: AssessmentStatus
    started_at: datetime
    level: Level | None = Field(description="Set by the practitioner; null until submitted")
    suggestion: SuggestionOut | None = Field(
        description="What the factors suggest, with reasons: never set as the level"
    )
    factors: list[FactorOut]
    outcome_id: UUID | None = Field(description="The decision recording the outcome")
    approved_by: str | None
    approved_at: datetime | None
    manager_note: str


class ViewOut(Schema):
    view: str | None = Field(description="In their words; null if not gathered")
    how: HowGathered | None
    not_gathered: NotGathered | None


class DecisionRecordOut(Schema):
    id: UUID
    kind: DecisionKind
    summary: str
    decided_by: str
    decided_at: datetime
    child: ViewOut
    parent: ViewOut


class ActionOut(Schema):
    id: UUID
    text: str
    owner: PractitionerOut
    due_on: date
    status: ActionStatus


class GoalOut(Schema):
    id: UUID
    text: str
    in_childs_words: bool
    shared_with: Sharing
    actions: list[ActionOut]


class PlanOut(Schema):
    status: PlanStatus
    review_every_weeks: int
    next_review_on: date | None
    has_unagreed_changes: bool
    goals: list[GoalOut]


class HistoryOut(Schema):
    at: datetime
    by: str
    what: str
    decision_id: UUID | None


class GoalResultOut(Schema):
    goal_id: UUID
    outcome: GoalOutcome
    note: str


class ClosureOut(Schema):
    id: UUID
    reason: str
    decision_id: UUID
    closed_at: datetime
    results: list[GoalResultOut]
    reopened_by_id: UUID | None = Field(description="The reopening decision, if reopened")


class CaseOut(CaseSummaryOut):
    team: str
    members: list[MemberOut] = Field(description="The current team around the family")
    assessments: list[AssessmentOut]
    plan: PlanOut | None
    decisions: list[DecisionRecordOut] = Field(description="Newest first")
    closures: list[ClosureOut]
    history: list[HistoryOut] = Field(description="The plan's history, newest first")


class TransitionOut(Schema):
    case_id: UUID
    level: CaseLevel
    decision: DecisionRecordOut


class ReviewOut(Schema):
    id: UUID
    held_on: date
    due_on: date
    next_review_on: date
    decision: DecisionRecordOut


# --- Shaping ---------------------------------------------------------------------------------
def _who(user) -> dict:
    return {"id": user.id, "name": str(user), "partner": user.team.partner.name}


def _child(person) -> dict:
    return {"id": person.id, "given_name": person.given_name, "family_name": person.family_name}


def _summary(case: Case) -> dict:
    return {
        "id": case.id,
        "child": _child(case.child),
        "level": case.level,
        "status": case.status,
        "lead_professional": _who(case.lead_professional),
        "opened_at": case.opened_at,
    }


def _member(m) -> dict:
    return {
        "id": m.id,
        "practitioner": _who(m.practitioner),
        "role_in_team": m.role_in_team,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def _view(record, who: str) -> dict:
    return {
        "view": getattr(record, f"{who}_view") or None,
        "how": getattr(record, f"{who}_view_how") or None,
        "not_gathered": getattr(record, f"{who}_not_gathered") or None,
    }


def _decision(d) -> dict:
    return {
        "id": d.id,
        "kind": d.kind,
        "summary": d.summary,
        "decided_by": str(d.decided_by),
        "decided_at": d.decided_at,
        "child": _view(d, "child"),
        "parent": _view(d, "parent"),
    }


def _assessment(view: selectors.CaseView, a) -> dict:
    suggestion = view.suggestion(a)
    return {
        "id": a.id,
        "status": a.status,
        "started_at": a.started_at,
        "level": a.level or None,
        "suggestion": (
            {"level": suggestion.level, "reasons": suggestion.reasons} if suggestion else None
        ),
        "factors": [
            {
                "id": f.id,
                "area": f.area,
                "rating": f.rating,
                "evidence": f.evidence,
                "source_partner": f.source_partner.name,
                "recorded_by": str(f.recorded_by),
                "recorded_at": f.recorded_at,
            }
            for f in a.factors.all()
        ],
        "outcome_id": a.outcome_id,
        "approved_by": str(a.approved_by) if a.approved_by else None,
        "approved_at": a.approved_at,
        "manager_note": a.manager_note,
    }


def _action(a) -> dict:
    return {
        "id": a.id,
        "text": a.text,
        "owner": _who(a.owner),
        "due_on": a.due_on,
        "status": a.status,
    }


def _plan(view: selectors.CaseView) -> dict | None:
    plan = view.plan
    if plan is None:
        return None
    return {
        "status": plan.status,
        "review_every_weeks": plan.review_every_weeks,
        "next_review_on": plan.next_review_on,
        "has_unagreed_changes": plan.has_unagreed_changes,
        "goals": [
            {
                "id": g.id,
                "text": g.text,
                "in_childs_words": g.in_childs_words,
                "shared_with": g.shared_with,
                "actions": [_action(a) for a in g.actions.all()],
            }
            for g in view.goals
        ],
    }


def _case_out(view: selectors.CaseView) -> dict:
    case = view.case
    return {
        **_summary(case),
        "team": f"{case.team.name}, {case.team.partner.name}",
        "members": [_member(m) for m in view.members],
        "assessments": [_assessment(view, a) for a in view.assessments],
        "plan": _plan(view),
        "decisions": [_decision(d) for d in view.decisions],
        "closures": [
            {
                "id": c.id,
                "reason": c.reason,
                "decision_id": c.decision_id,
                "closed_at": c.decision.decided_at,
                "results": [
                    {"goal_id": r.goal_id, "outcome": r.outcome, "note": r.note}
                    for r in c.results.all()
                ],
                "reopened_by_id": c.reopened_by_id,
            }
            for c in view.closures
        ],
        "history": [
            {"at": h.at, "by": str(h.by), "what": h.what, "decision_id": h.decision_id}
            for h in view.history
        ],
    }


def _grant(request, child_id: UUID, action: Action = Action.VIEW_CHILD):
    return child_grant(actor=request.auth, child_id=child_id, purpose=WORK, action=action)


def _read(request, case_id) -> dict:
    """The case as it now stands: read (and audited) like any other read, after a change."""
    return _case_out(selectors.case_get(actor=request.auth, case_id=case_id, purpose=WORK))


# --- Routes: cases ---------------------------------------------------------------------------
@router.get("/cases/mine", response=responses({200: list[MineOut]}))
def case_mine_list(request, filters: Query[MineFilters]):
    """The open cases you lead or are a member of, the soonest review first."""
    cases = selectors.cases_mine(actor=request.auth, purpose=WORK, limit=filters.limit)
    return [
        {
            **_summary(c),
            "next_review_on": c.plan.next_review_on if hasattr(c, "plan") else None,
        }
        for c in cases
    ]


@router.get("/children/{child_id}/cases", response=responses({200: list[CaseSummaryOut]}))
def child_case_list(request, child_id: UUID):
    """Every case of a child in your records, open and closed, newest first."""
    cases = selectors.cases_for_child(grant=_grant(request, child_id))
    return [_summary(c) for c in cases]


@router.post("/children/{child_id}/cases", response=responses({201: CaseOut}))
def case_open(request, child_id: UUID, payload: CaseOpenIn):
    """Open a case (one open case per child) with its lead professional, who joins the team
    around the family, as you do."""
    case = services.case_open(
        grant=_grant(request, child_id, Action.RECORD_EVENT),
        level=payload.level,
        lead_professional_id=payload.lead_professional_id,
    )
    return Status(201, _read(request, case.pk))


@router.get("/cases/{case_id}", response=responses({200: CaseOut}))
def case_get(request, case_id: UUID):
    """A case: the team around the family, assessments, the plan, every decision with the
    child's and the family's views, closures and the plan's history."""
    return _read(request, case_id)


# --- Routes: the team around the family -----------------------------------------------------
@router.post("/cases/{case_id}/members", response=responses({201: MemberOut}))
def case_member_add(request, case_id: UUID, payload: MemberIn):
    """Add a practitioner of any partner to the team: they can see the child while a member."""
    member = services.case_member_add(
        actor=request.auth,
        case_id=case_id,
        practitioner_id=payload.practitioner_id,
        role_in_team=payload.role_in_team,
        purpose=WORK,
    )
    return Status(201, _member(member))


@router.post("/cases/{case_id}/members/{member_id}/leave", response=responses({200: MemberOut}))
def case_member_leave(request, case_id: UUID, member_id: UUID):
    """A member leaves the team (kept as history). Not the lead professional, nor anyone who
    still owns open actions."""
    member = services.case_member_leave(
        actor=request.auth, case_id=case_id, member_id=member_id, purpose=WORK
    )
    return _member(member)


@router.put("/cases/{case_id}/lead", response=responses({200: CaseOut}))
def case_lead_change(request, case_id: UUID, payload: LeadIn):
    """Change the lead professional; the one before stays in the team."""
    services.case_lead_change(
        actor=request.auth,
        case_id=case_id,
        lead_professional_id=payload.lead_professional_id,
        purpose=WORK,
    )
    return _read(request, case_id)


@router.post("/cases/{case_id}/step", response=responses({201: TransitionOut}))
def case_step(request, case_id: UUID, payload: StepIn):
    """Step up to statutory social care or down to early help: a decision, with the views."""
    with views_errors_located():
        decision = services.case_step(
            actor=request.auth,
            case_id=case_id,
            to_level=payload.to_level,
            summary=payload.summary,
            views=payload.views(),
            purpose=WORK,
        )
    return Status(
        201, {"case_id": case_id, "level": payload.to_level, "decision": _decision(decision)}
    )


# --- Routes: the assessment ------------------------------------------------------------------
def _assessment_out(request, case_id, assessment_id) -> dict:
    view = selectors.case_get(actor=request.auth, case_id=case_id, purpose=WORK)
    return _assessment(view, next(a for a in view.assessments if a.pk == assessment_id))


@router.post("/cases/{case_id}/assessments", response=responses({201: AssessmentOut}))
def assessment_start(request, case_id: UUID):
    """Start an assessment (one in progress at a time)."""
    assessment = services.assessment_start(actor=request.auth, case_id=case_id, purpose=WORK)
    return Status(201, _assessment_out(request, case_id, assessment.pk))


@router.post(
    "/cases/{case_id}/assessments/{assessment_id}/factors",
    response=responses({201: AssessmentOut}),
)
def assessment_factor_add(request, case_id: UUID, assessment_id: UUID, payload: FactorIn):
    """Rate one area, with the evidence and the partner it comes from."""
    services.assessment_factor_add(
        actor=request.auth,
        case_id=case_id,
        assessment_id=assessment_id,
        area=payload.area,
        rating=payload.rating,
        evidence=payload.evidence,
        source_partner_id=payload.source_partner_id,
        purpose=WORK,
    )
    return Status(201, _assessment_out(request, case_id, assessment_id))


@router.post(
    "/cases/{case_id}/assessments/{assessment_id}/outcome",
    response=responses({200: AssessmentOut}),
)
def assessment_submit(request, case_id: UUID, assessment_id: UUID, payload: AssessmentOutcomeIn):
    """Set the overall level of need (yours to set: the suggestion only explains) and record
    the outcome with the child's and the family's views, for a team manager to approve."""
    with views_errors_located():
        services.assessment_submit(
            actor=request.auth,
            case_id=case_id,
            assessment_id=assessment_id,
            level=payload.level,
            summary=payload.summary,
            views=payload.views(),
            purpose=WORK,
        )
    return _assessment_out(request, case_id, assessment_id)


@router.post(
    "/cases/{case_id}/assessments/{assessment_id}/approval",
    response=responses({200: AssessmentOut}),
)
def assessment_approve(request, case_id: UUID, assessment_id: UUID, payload: ApprovalIn):
    """A team manager of the case's team approves a submitted assessment (not their own)."""
    services.assessment_approve(
        actor=request.auth,
        case_id=case_id,
        assessment_id=assessment_id,
        note=payload.note or "",
        purpose=WORK,
    )
    return _assessment_out(request, case_id, assessment_id)


# --- Routes: the plan ------------------------------------------------------------------------
@router.post("/cases/{case_id}/goals", response=responses({201: GoalOut}))
def plan_goal_add(request, case_id: UUID, payload: GoalIn):
    """Add a goal to the plan (a change to agree with the family once the plan is agreed)."""
    goal = services.plan_goal_add(
        actor=request.auth,
        case_id=case_id,
        text=payload.text,
        in_childs_words=payload.in_childs_words,
        shared_with=payload.shared_with,
        purpose=WORK,
    )
    return Status(
        201,
        {
            "id": goal.id,
            "text": goal.text,
            "in_childs_words": goal.in_childs_words,
            "shared_with": goal.shared_with,
            "actions": [],
        },
    )


@router.post("/cases/{case_id}/goals/{goal_id}/actions", response=responses({201: ActionOut}))
def plan_action_add(request, case_id: UUID, goal_id: UUID, payload: ActionIn):
    """An action towards a goal, for any partner's practitioner, who joins the team."""
    action = services.plan_action_add(
        actor=request.auth,
        case_id=case_id,
        goal_id=goal_id,
        text=payload.text,
        owner_id=payload.owner_id,
        due_on=payload.due_on,
        purpose=WORK,
    )
    return Status(201, _action(action))


@router.patch("/cases/{case_id}/actions/{action_id}", response=responses({200: ActionOut}))
def plan_action_update(request, case_id: UUID, action_id: UUID, payload: ActionStatusIn):
    """Where an action has got to."""
    action = services.plan_action_status_set(
        actor=request.auth,
        case_id=case_id,
        action_id=action_id,
        status=payload.status,
        purpose=WORK,
    )
    return _action(action)


@router.post("/cases/{case_id}/plan/agreement", response=responses({201: DecisionRecordOut}))
def plan_agree(request, case_id: UUID, payload: PlanAgreeIn):
    """Agree the plan, or its changes, with the child and family: a decision, with the views.
    The next review is set from today."""
    with views_errors_located():
        decision = services.plan_agree(
            actor=request.auth,
            case_id=case_id,
            summary=payload.summary,
            views=payload.views(),
            review_every_weeks=payload.review_every_weeks,
            purpose=WORK,
        )
    return Status(201, _decision(decision))


@router.post("/cases/{case_id}/reviews", response=responses({201: ReviewOut}))
def review_record(request, case_id: UUID, payload: ReviewIn):
    """Review the agreed plan: a decision, with the views; the next review is set."""
    with views_errors_located():
        review = services.review_record(
            actor=request.auth,
            case_id=case_id,
            summary=payload.summary,
            views=payload.views(),
            purpose=WORK,
        )
    return Status(
        201,
        {
            "id": review.id,
            "held_on": review.held_on,
            "due_on": review.due_on,
            "next_review_on": review.plan.next_review_on,
            "decision": _decision(review.decision),
        },
    )


# --- Routes: closure and reopening -----------------------------------------------------------
@router.post("/cases/{case_id}/closure", response=responses({201: CaseOut}))
def case_close(request, case_id: UUID, payload: ClosureIn):
    """Close the case with its reason, the outcome against every goal, and the views. The team
    leaves; the plan and its history stay for a reopening."""
    outcomes = {o.goal_id: (o.outcome.value, o.note) for o in payload.outcomes}
    with views_errors_located():
        try:
            services.case_close(
                actor=request.auth,
                case_id=case_id,
                reason=payload.reason,
                outcomes=outcomes,
                views=payload.views(),
                purpose=WORK,
            )
        except ValidationError as e:
            raise _outcomes_located(e, payload) from e
    return Status(201, _read(request, case_id))


def _outcomes_located(e: ValidationError, payload: ClosureIn) -> ValidationError:
    """The service names a goal's missing outcome `outcome_<goal id>`: in the body, that is the
    `outcomes` list (at the goal's place when it is there)."""
    if not hasattr(e, "error_dict"):
        return e
    places = {f"outcome_{o.goal_id}": i for i, o in enumerate(payload.outcomes)}
    located = {}
    for key, errors in e.error_dict.items():
        if key.startswith("outcome_"):
            key = f"outcomes.{places[key]}.outcome" if key in places else "outcomes"
        located.setdefault(key, []).extend(errors)
    return ValidationError(located)


@router.post("/cases/{case_id}/reopening", response=responses({201: CaseOut}))
def case_reopen(request, case_id: UUID, payload: ReopenIn):
    """Reopen a closed case, keeping its history; the lead professional rejoins the team."""
    with views_errors_located():
        services.case_reopen(
            actor=request.auth,
            case_id=case_id,
            reason=payload.reason,
            views=payload.views(),
            purpose=WORK,
        )
    return Status(201, _read(request, case_id))
