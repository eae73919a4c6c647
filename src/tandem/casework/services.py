"""Every write of casework: opening a case and its team around the family, the assessment, the
plan, reviews, steps up and down, closure and reopening.

Each function is keyword-only, checks the actor's role and their right to this child, validates
everything before saving anything, runs in one transaction and writes its audit row. A decision
records the child's and the parent's or carer's view (`casework.voice`), or is refused whole.
"""

from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant
from tandem.access.models import Involvement, InvolvementKind
from tandem.access.policies import PRACTITIONERS, Action, involvement_active, role_allows
from tandem.audit.models import AuditAction
from tandem.casework.codes import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssessmentStatus,
    CaseLevel,
    CaseStatus,
    DecisionKind,
    GoalOutcome,
    Level,
    PlanStatus,
    Sharing,
)
from tandem.casework.models import (
    Action as PlanAction,
)
from tandem.casework.models import (
    Assessment,
    AssessmentFactor,
    Case,
    CaseMember,
    CaseTransition,
    Closure,
    DecisionRecord,
    Goal,
    GoalResult,
    Plan,
    PlanHistory,
    Review,
)
from tandem.casework.selectors import case_grant
from tandem.casework.voice import Views, decision_record_create, views_clean, views_errors
from tandem.outcomes.models import SpellSource
from tandem.outcomes.services import spells_close, spells_follow
from tandem.partners.models import Partner, User

WRITE = Action.RECORD_EVENT


def _audit(grant: ChildGrant, case: Case, what: str, action=AuditAction.UPDATE) -> None:
    grant.audit("case", case.pk, action=action, detail={"what": what})


def _case(actor, case_id: UUID, purpose: str, action: Action = WRITE) -> tuple[Case, ChildGrant]:
    """The case, locked for the change, and the grant for its child; NotFound if the actor may
    not act on the child's casework (`casework.selectors.case_grant`)."""
    require_role(actor, action)
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    return case, case_grant(actor=actor, case=case, purpose=purpose, action=action)


def _open(case: Case, field: str = "case") -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError({field: "This case is closed: reopen it first"})


def _practitioner(user_id, field: str) -> User:
    user = (
        User.objects.select_related("team__partner")
        .filter(pk=user_id, is_active=True, role__in=PRACTITIONERS)
        .first()
    )
    if user is None:
        raise ValidationError({field: "Choose a practitioner in the partnership"})
    return user


TEAM_AROUND_THE_FAMILY = "Team around the family"


def _member_ensure(case: Case, user: User, role_in_team: str = "") -> CaseMember:
    """A practitioner in the team around the family, with the involvement that lets them see
    the child for as long as they are a member."""
    member = case.members.filter(practitioner=user, left_on__isnull=True).first()
    if member:
        return member
    today = timezone.localdate()
    member = CaseMember.objects.create(
        case=case, practitioner=user, role_in_team=role_in_team.strip(), joined_on=today
    )
    Involvement.objects.create(
        child_id=case.child_id,
        team_id=user.team_id,
        practitioner=user,
        kind=InvolvementKind.INVOLVED,
        reason=TEAM_AROUND_THE_FAMILY,
        started_on=today,
    )
    return member


# --- The case and its team around the family --------------------------------------------------
@transaction.atomic
def case_open(*, grant: ChildGrant, level: str, lead_professional_id: UUID) -> Case:
    grant = grant.to(WRITE)
    actor, child_id = grant.actor, grant.child_id
    if level not in CaseLevel.values:
        raise ValidationError({"level": "Choose early help or statutory social care"})
    lead = _practitioner(lead_professional_id, "lead_professional_id")
    if Case.objects.filter(child_id=child_id, status=CaseStatus.OPEN).exists():
        raise ValidationError({"child_id": "This child already has an open case"})
    case = Case(
        child_id=child_id,
        team_id=actor.team_id,
        lead_professional=lead,
        level=level,
        opened_at=timezone.now(),
        opened_by=actor,
    )
    case.full_clean()
    case.save()
    _member_ensure(case, lead, "Lead professional")
    if actor.pk != lead.pk:
        _member_ensure(case, actor)
    _audit(grant, case, "opened", AuditAction.CREATE)
    # Issue 23: the services the team delivers, received from today.
    spells_follow(
        actor=actor, child_id=child_id, team_id=case.team_id,
        started_on=timezone.localdate(case.opened_at), source=SpellSource.CASE,
    )  # fmt: skip
    return case


@transaction.atomic
def case_member_add(
    *, actor, case_id: UUID, practitioner_id: UUID, role_in_team: str = "", purpose: str
) -> CaseMember:
    case, grant = _case(actor, case_id, purpose)
    _open(case)
    user = _practitioner(practitioner_id, "practitioner_id")
    if case.members.filter(practitioner=user, left_on__isnull=True).exists():
        raise ValidationError({"practitioner_id": f"{user} is already in the team"})
    member = _member_ensure(case, user, role_in_team)
    _audit(grant, case, f"member added: {user.pk}")
    return member


@transaction.atomic
def case_lead_change(*, actor, case_id: UUID, lead_professional_id: UUID, purpose: str) -> Case:
    case, grant = _case(actor, case_id, purpose)
    _open(case)
    lead = _practitioner(lead_professional_id, "lead_professional_id")
    case.lead_professional = lead
    case.save(update_fields=["lead_professional"])
    _member_ensure(case, lead, "Lead professional")
    _audit(grant, case, f"lead professional: {lead.pk}")
    return case


@transaction.atomic
def case_member_leave(*, actor, case_id: UUID, member_id: UUID, purpose: str) -> CaseMember:
    """A practitioner leaves the team around the family: the membership is kept as history
    (`left_on`), and the involvement it gave them ends today, so they no longer see the child
    through this case. The lead professional cannot leave (change the lead first), nor anyone
    who still owns open actions (finish, stop or hand them on first)."""
    case, grant = _case(actor, case_id, purpose)
    _open(case, "member_id")
    member = (
        case.members.select_for_update()
        .select_related("practitioner")
        .filter(pk=member_id, left_on__isnull=True)
        .first()
    )
    if member is None:
        raise NotFound("No current member with that id in this team")
    if member.practitioner_id == case.lead_professional_id:
        raise ValidationError(
            {"member_id": "The lead professional cannot leave: choose a new lead first"}
        )
    open_actions = PlanAction.objects.filter(
        goal__plan__case=case, owner_id=member.practitioner_id, status__in=OPEN_ACTION_STATUSES
    ).count()
    if open_actions:
        raise ValidationError(
            {
                "member_id": f"{member.practitioner} still has {open_actions} open "
                f"action{'s' if open_actions > 1 else ''}: mark them done or stopped first"
            }
        )
    today = timezone.localdate()
    member.left_on = today
    member.save(update_fields=["left_on"])
    Involvement.objects.filter(
        involvement_active(),
        child_id=case.child_id,
        practitioner_id=member.practitioner_id,
        kind=InvolvementKind.INVOLVED,
        reason=TEAM_AROUND_THE_FAMILY,
    ).update(ended_on=today)
    _audit(grant, case, f"member left: {member.practitioner_id}")
    return member


@transaction.atomic
def case_step(*, actor, case_id: UUID, to_level: str, summary: str, views: Views, purpose: str):
    """Step up to statutory social care, or down to early help: a decision, with the views."""
    case, grant = _case(actor, case_id, purpose)
    _open(case)
    if to_level not in CaseLevel.values:
        raise ValidationError({"to_level": "Choose early help or statutory social care"})
    if to_level == case.level:
        raise ValidationError({"to_level": f"The case is already {case.get_level_display()}"})
    kind = DecisionKind.STEP_UP if to_level == CaseLevel.STATUTORY else DecisionKind.STEP_DOWN
    decision = decision_record_create(
        actor=actor, kind=kind, child_id=case.child_id, case=case, summary=summary, views=views
    )
    CaseTransition.objects.create(
        case=case, from_level=case.level, to_level=to_level, decision=decision
    )
    case.level = to_level
    case.save(update_fields=["level"])
    _audit(grant, case, kind)
    return decision


# --- Assessment --------------------------------------------------------------------------------
def _assessment(actor, case_id: UUID, assessment_id: UUID, purpose: str, action=WRITE):
    case, grant = _case(actor, case_id, purpose, action)
    assessment = case.assessments.select_for_update().filter(pk=assessment_id).first()
    if assessment is None:
        raise NotFound("No assessment with that id in this case")
    return case, assessment, grant


@transaction.atomic
def assessment_start(*, actor, case_id: UUID, purpose: str) -> Assessment:
    case, grant = _case(actor, case_id, purpose)
    _open(case)
    if case.assessments.exclude(status=AssessmentStatus.APPROVED).exists():
        raise ValidationError({"case": "Finish the assessment in progress first"})
    assessment = Assessment.objects.create(case=case, started_by=actor, started_at=timezone.now())
    _audit(grant, case, "assessment started")
    return assessment


@transaction.atomic
def assessment_factor_add(
    *,
    actor,
    case_id: UUID,
    assessment_id: UUID,
    area: str,
    rating: str,
    evidence: str,
    source_partner_id: UUID | None,
    purpose: str,
) -> AssessmentFactor:
    case, assessment, grant = _assessment(actor, case_id, assessment_id, purpose)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError({"area": "This assessment has been submitted: it cannot change"})
    partner = Partner.objects.filter(pk=source_partner_id).first() if source_partner_id else None
    if partner is None:
        raise ValidationError({"source_partner_id": "Choose the partner the evidence comes from"})
    factor = AssessmentFactor(
        assessment=assessment,
        area=area,
        rating=rating,
        evidence=evidence.strip(),
        source_partner=partner,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    factor.full_clean()
    factor.save()
    _audit(grant, case, f"assessment factor: {area}")
    return factor


@transaction.atomic
def assessment_submit(
    *,
    actor,
    case_id: UUID,
    assessment_id: UUID,
    level: str,
    summary: str,
    views: Views,
    purpose: str,
) -> Assessment:
    """The practitioner sets the overall level of need (the system only suggests) and records
    the outcome with the child's and the family's views, for a team manager to approve."""
    case, assessment, grant = _assessment(actor, case_id, assessment_id, purpose)
    errors = {}
    if assessment.status != AssessmentStatus.DRAFT:
        errors["level"] = "This assessment has already been submitted"
    elif not assessment.factors.exists():
        errors["area"] = "Add at least one factor before submitting the assessment"
    if level not in Level.values:
        errors["level"] = "Choose the overall level of need"
    if errors:
        raise ValidationError(errors)
    assessment.outcome = decision_record_create(
        actor=actor,
        kind=DecisionKind.ASSESSMENT_OUTCOME,
        child_id=case.child_id,
        case=case,
        summary=summary,
        views=views,
    )
    assessment.level = level
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.save(update_fields=["outcome", "level", "status"])
    _audit(grant, case, "assessment submitted")
    return assessment


@transaction.atomic
def assessment_approve(
    *, actor, case_id: UUID, assessment_id: UUID, note: str = "", purpose: str
) -> Assessment:
    """A team manager of the case's team approves; nobody approves their own assessment."""
    if not role_allows(actor, Action.APPROVE_ASSESSMENT):
        raise PermissionDenied("Only a team manager approves an assessment")
    case, assessment, grant = _assessment(actor, case_id, assessment_id, purpose)
    if case.team_id != actor.team_id:
        raise PermissionDenied("Only a manager of the team that owns the case approves it")
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError({"note": "Only a submitted assessment can be approved"})
    if assessment.outcome.decided_by_id == actor.pk:
        raise ValidationError({"note": "Another manager must approve an assessment you submitted"})
    assessment.status = AssessmentStatus.APPROVED
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    assessment.manager_note = note.strip()
    assessment.full_clean()
    assessment.save()
    _audit(grant, case, "assessment approved")
    return assessment


# --- The plan ----------------------------------------------------------------------------------
def _plan(case: Case) -> Plan:
    plan, _ = Plan.objects.get_or_create(case=case)
    return plan


def _history(plan: Plan, actor, what: str, decision: DecisionRecord | None = None) -> None:
    PlanHistory.objects.create(
        plan=plan, at=timezone.now(), by=actor, what=what[:1000], decision=decision
    )


def _changed(plan: Plan) -> None:
    if plan.status == PlanStatus.AGREED and not plan.has_unagreed_changes:
        plan.has_unagreed_changes = True
        plan.save(update_fields=["has_unagreed_changes"])


@transaction.atomic
def plan_goal_add(
    *,
    actor,
    case_id: UUID,
    text: str,
    in_childs_words: bool,
    shared_with: str = Sharing.EVERYONE,
    purpose: str,
) -> Goal:
    case, grant = _case(actor, case_id, purpose)
    _open(case, "text")
    plan = _plan(case)
    goal = Goal(
        plan=plan,
        text=text.strip(),
        in_childs_words=in_childs_words,
        shared_with=shared_with,
        added_at=timezone.now(),
        added_by=actor,
    )
    goal.full_clean()
    goal.save()
    _history(plan, actor, f"Goal added: {goal.text}")
    _changed(plan)
    _audit(grant, case, "goal added")
    return goal


@transaction.atomic
def plan_action_add(
    *,
    actor,
    case_id: UUID,
    goal_id: UUID,
    text: str,
    owner_id: UUID | None,
    due_on: date | None,
    purpose: str,
) -> PlanAction:
    """An action for any partner's practitioner, who joins the team around the family."""
    case, grant = _case(actor, case_id, purpose)
    _open(case, "text")
    goal = Goal.objects.filter(pk=goal_id, plan__case=case).first()
    if goal is None:
        raise NotFound("No goal with that id in this plan")
    errors = {}
    owner = None
    try:
        owner = _practitioner(owner_id, "owner_id") if owner_id else None
    except ValidationError as e:
        errors.update(e.message_dict)
    if owner is None and "owner_id" not in errors:
        errors["owner_id"] = "Choose who will do this"
    if due_on is None:
        errors["due_on"] = "Enter the date this is due"
    if not text.strip():
        errors["text"] = "Enter what will be done"
    if errors:
        raise ValidationError(errors)
    action = PlanAction(
        goal=goal, text=text.strip(), owner=owner, due_on=due_on, added_at=timezone.now()
    )
    action.full_clean()
    action.save()
    _member_ensure(case, owner)
    _history(goal.plan, actor, f"Action added for {owner} ({owner.partner}): {action.text}")
    _changed(goal.plan)
    _audit(grant, case, "action added")
    return action


@transaction.atomic
def plan_action_status_set(
    *, actor, case_id: UUID, action_id: UUID, status: str, purpose: str
) -> PlanAction:
    case, grant = _case(actor, case_id, purpose)
    _open(case, "status")
    action = PlanAction.objects.filter(pk=action_id, goal__plan__case=case).first()
    if action is None:
        raise NotFound("No action with that id in this plan")
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the action's status"})
    action.status = status
    action.save(update_fields=["status"])
    _history(action.goal.plan, actor, f"Action now {action.get_status_display()}: {action.text}")
    _audit(grant, case, "action status")
    return action


@transaction.atomic
def plan_agree(
    *,
    actor,
    case_id: UUID,
    summary: str,
    views: Views,
    review_every_weeks: int,
    purpose: str,
) -> DecisionRecord:
    """Agree the plan (or its changes) with the child and family: a decision, with their views.
    The next review is set from today."""
    case, grant = _case(actor, case_id, purpose)
    _open(case, "summary")
    plan = _plan(case)
    errors = {}
    if not plan.goals.exists():
        errors["summary"] = "Add at least one goal before agreeing the plan"
    elif plan.status == PlanStatus.AGREED and not plan.has_unagreed_changes:
        errors["summary"] = "Nothing has changed since the plan was last agreed"
    if not 1 <= (review_every_weeks or 0) <= 26:
        errors["review_every_weeks"] = "Review the plan every 1 to 26 weeks"
    if errors:
        raise ValidationError(errors)
    kind = (
        DecisionKind.PLAN_AGREED if plan.status == PlanStatus.DRAFT else DecisionKind.PLAN_CHANGED
    )
    decision = decision_record_create(
        actor=actor, kind=kind, child_id=case.child_id, case=case, summary=summary, views=views
    )
    plan.status = PlanStatus.AGREED
    plan.has_unagreed_changes = False
    plan.review_every_weeks = review_every_weeks
    plan.next_review_on = timezone.localdate() + timedelta(weeks=review_every_weeks)
    plan.save()
    _history(plan, actor, DecisionKind(kind).label, decision)
    _audit(grant, case, kind)
    return decision


@transaction.atomic
def review_record(*, actor, case_id: UUID, summary: str, views: Views, purpose: str) -> Review:
    case, grant = _case(actor, case_id, purpose)
    _open(case, "summary")
    plan = Plan.objects.filter(case=case, status=PlanStatus.AGREED).first()
    if plan is None:
        raise ValidationError({"summary": "Agree a plan before reviewing it"})
    decision = decision_record_create(
        actor=actor,
        kind=DecisionKind.REVIEW_OUTCOME,
        child_id=case.child_id,
        case=case,
        summary=summary,
        views=views,
    )
    today = timezone.localdate()
    review = Review.objects.create(
        plan=plan, due_on=plan.next_review_on or today, held_on=today, decision=decision
    )
    plan.next_review_on = today + timedelta(weeks=plan.review_every_weeks)
    plan.save(update_fields=["next_review_on"])
    _history(plan, actor, "Plan reviewed", decision)
    _audit(grant, case, "review")
    return review


# --- Closure and reopening ---------------------------------------------------------------------
@transaction.atomic
def case_close(
    *,
    actor,
    case_id: UUID,
    reason: str,
    outcomes: dict[UUID, tuple[str, str]],
    views: Views,
    purpose: str,
) -> Closure:
    """Close with a reason and the outcome against every goal (`outcome_<goal id>` names a
    missing one), and the views. The plan, its history and the team stay for a reopening."""
    case, grant = _case(actor, case_id, purpose)
    _open(case, "reason")
    goals = list(Goal.objects.filter(plan__case=case))
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter the reason for closing the case"
    for goal in goals:
        outcome = (outcomes.get(goal.pk) or ("", ""))[0]
        if outcome not in GoalOutcome.values:
            errors[f"outcome_{goal.pk}"] = f"Choose the outcome for the goal “{goal.text[:60]}”"
    unknown = set(outcomes) - {g.pk for g in goals}
    if unknown:
        errors["outcomes"] = "An outcome was given for a goal that is not in this plan"
    errors.update(views_errors(views))
    if errors:
        raise ValidationError(errors)
    decision = decision_record_create(
        actor=actor,
        kind=DecisionKind.CLOSURE,
        child_id=case.child_id,
        case=case,
        summary=reason,
        views=views,
    )
    closure = Closure.objects.create(case=case, reason=reason.strip(), decision=decision)
    GoalResult.objects.bulk_create(
        GoalResult(closure=closure, goal=g, outcome=outcomes[g.pk][0], note=outcomes[g.pk][1])
        for g in goals
    )
    case.status = CaseStatus.CLOSED
    case.save(update_fields=["status"])
    _members_leave(case)
    spells_close(child_id=case.child_id, team_id=case.team_id, ended_on=timezone.localdate())
    if hasattr(case, "plan"):
        _history(case.plan, actor, "Case closed", decision)
    _audit(grant, case, "closed")
    return closure


def _members_leave(case: Case) -> None:
    """A closed case gives nobody a reason to see the child: the team around the family leaves,
    and the involvements that being in it gave end today."""
    today = timezone.localdate()
    members = case.members.filter(left_on__isnull=True)
    Involvement.objects.filter(
        involvement_active(),
        child_id=case.child_id,
        practitioner_id__in=members.values("practitioner_id"),
        kind=InvolvementKind.INVOLVED,
        reason=TEAM_AROUND_THE_FAMILY,
    ).update(ended_on=today)
    members.update(left_on=today)


@transaction.atomic
def case_reopen(*, actor, case_id: UUID, reason: str, views: Views, purpose: str) -> Case:
    case, grant = _case(actor, case_id, purpose)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError({"reason": "This case is already open"})
    if Case.objects.filter(child_id=case.child_id, status=CaseStatus.OPEN).exists():
        raise ValidationError({"reason": "This child has another open case"})
    views_clean(views)
    decision = decision_record_create(
        actor=actor,
        kind=DecisionKind.REOPENING,
        child_id=case.child_id,
        case=case,
        summary=reason,
        views=views,
    )
    closure = case.closures.filter(reopened_by__isnull=True).last()
    if closure:
        closure.reopened_by = decision
        closure.save(update_fields=["reopened_by"])
    case.status = CaseStatus.OPEN
    case.save(update_fields=["status"])
    _member_ensure(case, case.lead_professional, "Lead professional")  # the others: re-invite
    spells_follow(
        actor=actor, child_id=case.child_id, team_id=case.team_id,
        started_on=timezone.localdate(), source=SpellSource.CASE,
    )  # fmt: skip
    if hasattr(case, "plan"):
        _history(case.plan, actor, "Case reopened", decision)
    _audit(grant, case, "reopened")
    return case
