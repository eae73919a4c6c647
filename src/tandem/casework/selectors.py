"""Every read of casework. Each takes the actor and a purpose, checks the actor may see the
child, and writes the audit rows for the children it returns."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.checks import require_child_access, require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action
from tandem.access.sharing import child_access
from tandem.audit.models import AuditAction
from tandem.audit.services import access_event_record, access_events_record
from tandem.casework.codes import OPEN_ACTION_STATUSES, CaseStatus, PlanStatus
from tandem.casework.models import Action as PlanAction
from tandem.casework.models import (
    Assessment,
    Case,
    CaseMember,
    Closure,
    DecisionRecord,
    Goal,
    Plan,
)
from tandem.casework.suggest import Suggestion, level_suggest
from tandem.partners.models import Role


@dataclass
class CaseView:
    case: Case
    members: list[CaseMember]
    assessments: list[Assessment]
    plan: Plan | None
    goals: list[Goal]
    decisions: list[DecisionRecord]
    closures: list[Closure]
    history: list = field(default_factory=list)

    def suggestion(self, assessment: Assessment) -> Suggestion | None:
        return level_suggest(assessment.factors.all())


def _case_view(case: Case) -> CaseView:
    plan = Plan.objects.filter(case=case).first()
    goals = []
    history = []
    if plan:
        goals = list(
            plan.goals.prefetch_related(
                Prefetch(
                    "actions",
                    queryset=PlanAction.objects.select_related("owner__team__partner"),
                )
            )
        )
        history = list(plan.history.select_related("by").order_by("-at", "-id"))
    return CaseView(
        case=case,
        members=list(
            case.members.filter(left_on__isnull=True).select_related("practitioner__team__partner")
        ),
        assessments=list(
            case.assessments.select_related(
                "outcome", "approved_by", "started_by"
            ).prefetch_related(Prefetch("factors", queryset=_factors()))
        ),
        plan=plan,
        goals=goals,
        decisions=list(
            case.decisions.select_related("decided_by", "team").order_by("-decided_at")
        ),
        closures=list(
            case.closures.select_related("decision__decided_by", "reopened_by").prefetch_related(
                "results__goal"
            )
        ),
        history=history,
    )


def _factors():
    from tandem.casework.models import AssessmentFactor

    return AssessmentFactor.objects.select_related("source_partner", "recorded_by")


def cases_for_child(*, actor, child_id: UUID, purpose: str) -> list[Case]:
    """The child's cases, if the actor may see casework (a front door deciding a referral sees
    who the child is, not the family's plan): otherwise none."""
    basis, categories = require_child_access(actor, child_id)
    cases = (
        list(
            Case.objects.filter(child_id=child_id)
            .select_related("lead_professional", "team__partner")
            .order_by("-opened_at")
        )
        if Category.CASEWORK in categories
        else []
    )
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="case",
        person_id=child_id,
        basis=basis,
        detail={"cases": len(cases)},
    )
    return cases


def cases_mine(*, actor, purpose: str, limit: int = 100) -> list[Case]:
    """The open cases the actor leads or is a member of, the soonest review first. Membership
    gives the right to see the child, so no other check is needed; one audit row per child."""
    require_role(actor, Action.VIEW_CHILD)
    cases = list(
        Case.objects.filter(status=CaseStatus.OPEN)
        .filter(
            Q(lead_professional=actor)
            | Q(members__practitioner=actor, members__left_on__isnull=True)
        )
        .distinct()
        .select_related("child", "lead_professional__team__partner", "plan")
        .order_by(F("plan__next_review_on").asc(nulls_last=True), "opened_at", "id")[:limit]
    )
    access_events_record(
        actor=actor,
        action=AuditAction.LIST,
        purpose=purpose,
        record_type="case",
        person_ids=[c.child_id for c in cases],
        basis="your own work",
    )
    return cases


def case_get(*, actor, case_id: UUID, purpose: str) -> CaseView:
    """A case with its team, assessments, plan, decisions and history; NotFound if the actor
    may not see the child (exactly as for a case that does not exist)."""
    require_role(actor, Action.VIEW_CHILD)
    case = (
        Case.objects.select_related("child", "lead_professional__team__partner", "team__partner")
        .filter(pk=case_id)
        .first()
    )
    # The same answer for a case that exists but is not yours as for one that does not exist,
    # and for a child whose casework is not shared with you.
    basis, categories = child_access(actor, case.child_id) if case else (None, frozenset())
    if basis is None or Category.CASEWORK not in categories:
        raise NotFound("No case with that id is in your records")
    view = _case_view(case)
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="case",
        person_id=case.child_id,
        record_id=str(case.pk),
        basis=basis,
    )
    return view


# --- The work tray ----------------------------------------------------------------------------
@dataclass
class TraySection:
    """The most urgent rows of one kind of work (as dicts: the tray only shows a few fields),
    and how many there are in all."""

    rows: list[dict]
    total: int

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class WorkTray:
    reviews: TraySection
    actions: TraySection
    feedback_owed: TraySection
    messages: TraySection
    today: date
    shows_feedback: bool

    @property
    def total(self) -> int:
        return sum(
            s.total for s in (self.reviews, self.actions, self.feedback_owed, self.messages)
        )


REVIEW_WARNING_DAYS = 14
ACTION_WARNING_DAYS = 7
TRAY_ROWS = 25
CHILD_FIELDS = ("child_id", "given_name", "family_name")


def _section(qs, fields: dict[str, str], limit: int) -> TraySection:
    """`fields` maps the tray's names to the query's (child fields included)."""
    rows = [
        {name: row[path] for name, path in fields.items()}
        for row in qs.values(*fields.values())[:limit]
    ]
    total = len(rows) if len(rows) < limit else qs.count()
    return TraySection(rows=rows, total=total)


def work_tray(*, actor, purpose: str, limit: int = TRAY_ROWS) -> WorkTray:
    """What is due for one practitioner, most urgent first: reviews of the cases they lead
    (overdue or due within two weeks), their own actions overdue or due within a week, feedback
    their team owes to referrers (for those who give it), and portal messages waiting for their
    reply on cases they lead. Each list shows its `limit` most urgent rows and counts the rest.

    A fixed number of queries whatever the caseload; one audit row per child shown."""
    require_role(actor, Action.VIEW_CHILD)
    today = timezone.localdate()

    def child(prefix: str) -> dict[str, str]:
        return {
            "child_id": f"{prefix}child_id",
            "given_name": f"{prefix}child__given_name",
            "family_name": f"{prefix}child__family_name",
        }

    reviews = _section(
        Plan.objects.filter(
            case__lead_professional=actor,
            case__status=CaseStatus.OPEN,
            status=PlanStatus.AGREED,
            next_review_on__lte=today + timedelta(days=REVIEW_WARNING_DAYS),
        ).order_by("next_review_on", "id"),
        {"case_id": "case_id", "due_on": "next_review_on", **child("case__")},
        limit,
    )
    actions = _section(
        PlanAction.objects.filter(
            owner=actor,
            status__in=OPEN_ACTION_STATUSES,
            goal__plan__case__status=CaseStatus.OPEN,
            due_on__lte=today + timedelta(days=ACTION_WARNING_DAYS),
        ).order_by("due_on", "id"),
        {
            "case_id": "goal__plan__case_id",
            "text": "text",
            "due_on": "due_on",
            "status": "status",
            **child("goal__plan__case__"),
        },
        limit,
    )
    shows_feedback = actor.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
    feedback_owed = TraySection(rows=[], total=0)
    if shows_feedback:
        from tandem.referrals.codes import Status
        from tandem.referrals.models import Referral

        feedback_owed = _section(
            Referral.objects.filter(to_team_id=actor.team_id, status=Status.DECIDED).order_by(
                "received_at", "id"
            ),
            {
                "referral_id": "id",
                "received_at": "received_at",
                "from_team": "from_team__name",
                "from_partner": "from_team__partner__name",
                **child(""),
            },
            limit,
        )
    from tandem.portal.selectors import messages_waiting

    messages = _section(
        messages_waiting(lead=actor),
        {
            "message_id": "id",
            "case_id": "case_id",
            "sent_at": "sent_at",
            "who": "account__who",
            **child("case__"),
        },
        limit,
    )
    children = [
        row["child_id"]
        for section in (reviews, actions, feedback_owed, messages)
        for row in section
    ]
    access_events_record(
        actor=actor,
        action=AuditAction.LIST,
        purpose=purpose,
        record_type="work_tray",
        person_ids=list(dict.fromkeys(children)),
        basis="your own work",
    )
    return WorkTray(reviews, actions, feedback_owed, messages, today, shows_feedback)


# --- Reports ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VoiceShare:
    team: str
    partner: str
    decisions: int
    child_view: int
    parent_view: int

    @property
    def child_share(self) -> float:
        return self.child_view / self.decisions if self.decisions else 0.0

    @property
    def parent_share(self) -> float:
        return self.parent_view / self.decisions if self.decisions else 0.0


REPORT_ROLES = {Role.TEAM_MANAGER, Role.PARTNERSHIP_ANALYST}


def voice_share_by_team(*, actor, since: date | None = None) -> list[VoiceShare]:
    """The share of decisions with the child's view (and the parent's) recorded in their words,
    per deciding team. Counts only: no child is named, so no child is audited."""
    from django.core.exceptions import PermissionDenied

    if not (actor.is_authenticated and actor.role in REPORT_ROLES):
        raise PermissionDenied("Your role does not allow this (reports)")
    qs = DecisionRecord.objects.all()
    if since:
        qs = qs.filter(decided_at__date__gte=since)
    rows = (
        qs.values("team__name", "team__partner__name")
        .annotate(
            decisions=Count("id"),
            child_view=Count("id", filter=~Q(child_view="")),
            parent_view=Count("id", filter=~Q(parent_view="")),
        )
        .order_by("team__partner__name", "team__name")
    )
    return [
        VoiceShare(
            team=r["team__name"],
            partner=r["team__partner__name"],
            decisions=r["decisions"],
            child_view=r["child_view"],
            parent_view=r["parent_view"],
        )
        for r in rows
    ]
