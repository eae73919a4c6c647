"""Every read of casework. Each takes the actor and a purpose, checks the actor may see the
child, and writes the audit rows for the children it returns."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant, child_grant_or_none
from tandem.access.policies import Action, role_allows, visible_child_q
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
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
    grant: ChildGrant | None = None  # the decision the case was read under, for the page's reads

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


def cases_for_child(*, grant: ChildGrant) -> list[Case]:
    """The child's cases, if the actor may see casework (a front door deciding a referral sees
    who the child is, not the family's plan): otherwise none."""
    cases = (
        list(
            Case.objects.filter(child_id=grant.child_id)
            .select_related("lead_professional", "team__partner")
            .order_by("-opened_at")
        )
        if grant.sees(Category.CASEWORK)
        else []
    )
    grant.audit("case", detail={"cases": len(cases)})
    return cases


def cases_mine(*, actor, purpose: str, limit: int = 100) -> list[Case]:
    """The open cases the actor leads or is a member of, the soonest review first, each child
    through the access rules (a restricted record the actor is not named on is absent); one
    audit row per child."""
    require_role(actor, Action.VIEW_CHILD)
    cases = list(
        Case.objects.filter(status=CaseStatus.OPEN)
        .filter(
            Q(lead_professional=actor)
            | Q(members__practitioner=actor, members__left_on__isnull=True)
        )
        .filter(visible_child_q(actor, child="child"))
        .distinct()
        .select_related("child", "lead_professional__team__partner", "plan")
        .order_by(F("plan__next_review_on").asc(nulls_last=True), "opened_at", "id")[:limit]
    )
    Audit(actor, purpose, "your own work").rows(
        AuditAction.LIST, "case", [c.child_id for c in cases]
    )
    return cases


def case_grant(
    *, actor, case: Case | None, purpose: str, action: Action = Action.VIEW_CHILD
) -> ChildGrant:
    """The grant for a case's child, if it shows casework. The same answer (NotFound) for a
    case that exists but is not yours as for one that does not exist, and for a child whose
    casework is not shared with you."""
    require_role(actor, action)
    grant = case and child_grant_or_none(
        actor=actor, child_id=case.child_id, purpose=purpose, action=action
    )
    if not grant or not grant.sees(Category.CASEWORK):
        raise NotFound("No case with that id is in your records")
    return grant


def case_get(*, actor, case_id: UUID, purpose: str) -> CaseView:
    """A case with its team, assessments, plan, decisions and history."""
    case = (
        Case.objects.select_related("child", "lead_professional__team__partner", "team__partner")
        .filter(pk=case_id)
        .first()
    )
    grant = case_grant(actor=actor, case=case, purpose=purpose)
    view = _case_view(case)
    view.grant = grant
    grant.audit("case", case.pk)
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
    decisions_due: TraySection
    reviews: TraySection
    actions: TraySection
    feedback_owed: TraySection
    messages: TraySection
    today: date
    decides_referrals: bool

    @property
    def sections(self) -> tuple[TraySection, ...]:
        return (self.decisions_due, self.reviews, self.actions, self.feedback_owed, self.messages)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)


REVIEW_WARNING_DAYS = 14
ACTION_WARNING_DAYS = 7
TRAY_ROWS = 25


def _section(actor, qs, fields: dict[str, str], limit: int, child: str) -> TraySection:
    """The rows of `qs` whose child the actor may see (the access rules, applied by the
    database as it walks the list: a restricted record they are not named on is absent), the
    first `limit` of them, and how many there are. `fields` maps the tray's names to the
    query's; `child` is the query's path to the child."""
    qs = qs.filter(visible_child_q(actor, child=child))
    fields = {
        "child_id": f"{child}_id",
        "given_name": f"{child}__given_name",
        "family_name": f"{child}__family_name",
        **fields,
    }
    rows = [
        {name: row[path] for name, path in fields.items()}
        for row in qs.values(*fields.values())[:limit]
    ]
    total = len(rows) if len(rows) < limit else qs.count()
    return TraySection(rows=rows, total=total)


def work_tray(*, actor, purpose: str, limit: int = TRAY_ROWS) -> WorkTray:
    """What is due for one practitioner, most urgent first: referrals to their team waiting for
    a decision and feedback their team owes to referrers (for those who decide them), reviews
    of the cases they lead (overdue or due within two weeks), their own actions overdue or due
    within a week, and portal messages waiting for their reply on cases they lead. Each list
    shows its `limit` most urgent rows and counts the rest.

    A fixed number of queries whatever the caseload; one audit row per child shown."""
    from tandem.portal.selectors import messages_waiting
    from tandem.referrals.codes import Status
    from tandem.referrals.models import Referral

    require_role(actor, Action.VIEW_CHILD)
    today = timezone.localdate()
    decides = role_allows(actor, Action.DECIDE_REFERRAL)

    def referrals(status: str) -> TraySection:
        """Referrals to the actor's team at `status`, oldest first (for those who decide)."""
        if not decides:
            return TraySection(rows=[], total=0)
        to_team = Referral.objects.filter(to_team_id=actor.team_id, status=status)
        fields = {
            "referral_id": "id",
            "received_at": "received_at",
            "from_team": "from_team__name",
            "from_partner": "from_team__partner__name",
        }
        return _section(actor, to_team.order_by("received_at", "id"), fields, limit, "child")

    tray = WorkTray(
        decisions_due=referrals(Status.SUBMITTED),
        reviews=_section(
            actor,
            Plan.objects.filter(
                case__lead_professional=actor,
                case__status=CaseStatus.OPEN,
                status=PlanStatus.AGREED,
                next_review_on__lte=today + timedelta(days=REVIEW_WARNING_DAYS),
            ).order_by("next_review_on", "id"),
            {"case_id": "case_id", "due_on": "next_review_on"},
            limit,
            "case__child",
        ),
        actions=_section(
            actor,
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
            },
            limit,
            "goal__plan__case__child",
        ),
        feedback_owed=referrals(Status.DECIDED),
        messages=_section(
            actor,
            messages_waiting(lead=actor),
            {
                "message_id": "id",
                "case_id": "case_id",
                "sent_at": "sent_at",
                "who": "account__who",
            },
            limit,
            "case__child",
        ),
        today=today,
        decides_referrals=decides,
    )
    children = [row["child_id"] for section in tray.sections for row in section]
    Audit(actor, purpose, "your own work").rows(
        AuditAction.LIST, "work_tray", list(dict.fromkeys(children))
    )
    return tray


# --- Reports ----------------------------------------------------------------------------------
SMALL_NUMBER = 5  # a count below this is never shown in a report


@dataclass(frozen=True)
class VoiceShare:
    team: str
    partner: str
    decisions: int
    child_view: int
    parent_view: int

    @property
    def suppressed(self) -> bool:
        """A team with few decisions is not shown by share: 1 of 2 could point to a child."""
        return self.decisions < SMALL_NUMBER

    @property
    def child_share(self) -> float:
        return self.child_view / self.decisions if self.decisions else 0.0

    @property
    def parent_share(self) -> float:
        return self.parent_view / self.decisions if self.decisions else 0.0


def voice_share_by_team(*, actor, since: date | None = None) -> list[VoiceShare]:
    """The share of decisions with the child's view (and the parent's) recorded in their words,
    per deciding team. Counts only: no child is named, so no child is audited."""
    require_role(actor, Action.VIEW_REPORTS)
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
