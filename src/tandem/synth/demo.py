"""Demo sign-ins: one practitioner per role and partner, each with a real caseload.

The demo does not invent extra people: it picks, in each team, the generated practitioner with
the most to show (open allocations, referrals made with feedback), renames them to a memorable
username and gives them the demo password. A practitioner who would see no child (possible in
a very small partnership) is allocated a few of their team's children.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tandem.access.models import Involvement, InvolvementKind
from tandem.access.policies import (
    PRACTITIONERS,
    active_involvements,
    involvement_active,
    visible_children_q,
)
from tandem.partners.models import Partner, Role, Team, User
from tandem.people.models import Person
from tandem.referrals.codes import Status

PASSWORD = "demo-password-2026"
SEED = 2026


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    team: str  # the team's name
    partner_kind: str | None  # to find the team (None: no team)
    try_this: str
    # A role the synthetic partnership does not generate (a board member), or a practitioner
    # who must see nobody (the emergency department): made for the demo, in a team of that name.
    made: tuple[str, str] | None = None  # (first name, last name)
    caseload: bool = True  # False: no children allocated, whatever the team holds


DEMO_USERS = [
    DemoUser(
        "demo-mash-social-worker",
        Role.SOCIAL_WORKER,
        "Front door (MASH)",
        "local_authority",
        "Your duty cases; check whether a newly referred child is known to other partners.",
    ),
    DemoUser(
        "demo-mash-manager",
        Role.TEAM_MANAGER,
        "Front door (MASH)",
        "local_authority",
        "Referrals awaiting a decision; decide one, then give the referrer feedback.",
    ),
    DemoUser(
        "demo-cp-social-worker",
        Role.SOCIAL_WORKER,
        "Child protection team",
        "local_authority",
        "Your child protection caseload; read a child's chronology.",
    ),
    DemoUser(
        "demo-family-support",
        Role.FAMILY_SUPPORT_WORKER,
        "Family support service",
        "charity",
        "Early help families allocated to you at the charity; your work tray and the case "
        "you lead (its plan, actions for the school, the portal invitation).",
    ),
    DemoUser(
        "demo-charity-manager",
        Role.TEAM_MANAGER,
        "Family support service",
        "charity",
        "The charity's team manager: approve an assessment the family support worker sends.",
    ),
    DemoUser(
        "demo-care-social-worker",
        Role.SOCIAL_WORKER,
        "Children in care team",
        "local_authority",
        "Children looked after by the council: a child's record, Looked after; record a "
        "placement move or the end of care.",
    ),
    DemoUser(
        "demo-personal-adviser",
        Role.PERSONAL_ADVISER,
        "Leaving care team",
        "local_authority",
        "Young people of 16 and 17 whose pathway planning you lead.",
    ),
    DemoUser(
        "demo-police",
        Role.POLICE_SAFEGUARDING_OFFICER,
        "Child safeguarding team",
        "police",
        "Exploited and missing children known to the police; make a referral.",
    ),
    DemoUser(
        "demo-health-visitor",
        Role.HEALTH_PRACTITIONER,
        "Health visiting",
        "nhs_trust",
        "Under-fives on the health visiting caseload; record a contact.",
    ),
    DemoUser(
        "demo-school-dsl",
        Role.SCHOOL_DSL,
        "Safeguarding team",
        "school",
        "Your pupils; the referrals you made and the feedback you were given; the action "
        "you own in a team around the family (work tray).",
    ),
    DemoUser(
        "demo-analyst",
        Role.PARTNERSHIP_ANALYST,
        "Partnership intelligence and governance",
        "local_authority",
        "Partnership figures (no child's record is open to you); Reports → Planning: run a "
        "forecast, add a scenario, a funding stream or a capacity.",
    ),
    DemoUser(
        "demo-ig-lead",
        Role.IG_LEAD,
        "Partnership intelligence and governance",
        "local_authority",
        "The audit trail: who looked at which record, and why.",
    ),
    DemoUser(
        "demo-board-member",
        Role.BOARD_MEMBER,
        "Safeguarding children partnership board",
        "local_authority",
        "The partnership's figures (Reports): counts and shares, never a child; Planning: the "
        "board's view of the forecast, budgets and capacity.",
        made=("Alex", "Morgan"),
    ),
    DemoUser(
        "demo-ae-nurse",
        Role.HEALTH_PRACTITIONER,
        "Emergency department",
        "nhs_trust",
        "A practitioner without access: no child is yours. Emergency access for the child "
        "named below, with a reason; the IG lead reviews it.",
        made=("Sam", "Okafor"),
        caseload=False,
    ),
    DemoUser(
        "demo-admin",
        Role.SYSTEM_ADMIN,
        "",
        None,
        "The admin site: partners, teams and practitioners.",
    ),
]


def _open_allocations():
    return Count(
        "involvements",
        filter=Q(involvements__kind=InvolvementKind.ALLOCATED)
        & involvement_active("involvements__"),
    )


def _candidates(spec: DemoUser):
    users = User.objects.filter(role=spec.role)
    if spec.partner_kind is None:
        return users.filter(team__isnull=True)
    users = users.filter(team__name=spec.team, team__partner__kind=spec.partner_kind)
    if spec.role == Role.SCHOOL_DSL:
        # The school DSL who made the most referrals that were answered with feedback.
        return users.annotate(
            answered=Count("referrals_made", filter=Q(referrals_made__status=Status.CLOSED))
        ).order_by("-answered", "username")
    return users.annotate(open_cases=_open_allocations()).order_by("-open_cases", "username")


def _top_up(user: User, wanted: int = 5) -> int:
    """Allocate a practitioner who would see nobody some of their team's children (or, for a
    team with no children yet, children of a fitting age)."""
    if Person.objects.filter(visible_children_q(user)).exists():
        return 0
    today = timezone.localdate()
    team_children = active_involvements().filter(team=user.team).values("child_id")
    children = Person.objects.filter(is_child=True, pk__in=team_children).order_by("pk")
    if not children.exists():
        # A personal adviser works with the oldest children; anyone else with any child.
        children = Person.objects.filter(is_child=True, date_of_birth__isnull=False).order_by(
            "date_of_birth" if user.role == Role.PERSONAL_ADVISER else "pk"
        )
    chosen = list(children[:wanted])
    for child in chosen:
        Involvement.objects.create(
            child=child,
            team=user.team,
            kind=InvolvementKind.OWNING_TEAM,
            reason="Demo caseload",
            started_on=today,
        )
        Involvement.objects.create(
            child=child,
            team=user.team,
            practitioner=user,
            kind=InvolvementKind.ALLOCATED,
            reason="Demo caseload",
            started_on=today,
        )
    return len(chosen)


@transaction.atomic
def make_demo_users(password: str = PASSWORD) -> list[tuple[DemoUser, User]]:
    """Turn one generated practitioner per entry of DEMO_USERS into a demo sign-in."""
    hashed = make_password(password)  # one hash for all: they share the printed password
    made = []
    for spec in DEMO_USERS:
        user = _made(spec) if spec.made else _candidates(spec).first()
        if user is None:
            raise LookupError(f"No {spec.role} in {spec.team or 'any team'} to make a demo user")
        user.username = spec.username
        user.password = hashed
        user.email = f"{spec.username}@{user.email.split('@')[-1] or 'demo.example'}"
        user.full_clean()
        user.save(update_fields=None if user._state.adding else ["username", "password", "email"])
        if spec.role in PRACTITIONERS and spec.caseload:
            _top_up(user)
        made.append((spec, user))
    return made


def _made(spec: DemoUser) -> User:
    """A demo sign-in the synthetic partnership has no one for, in a team of its own."""
    partner = Partner.objects.filter(kind=spec.partner_kind).order_by("name").first()
    team, _ = Team.objects.get_or_create(partner=partner, name=spec.team)
    first, last = spec.made
    return User(
        username=spec.username,
        first_name=first,
        last_name=last,
        role=spec.role,
        team=team,
        email=f"{spec.username}@demo.example",
    )


def emergency_example(made: list[tuple[DemoUser, User]]) -> str:
    """A child for the emergency department to ask about, by name and date of birth: one on
    the child protection team's caseload, so that team is told who looked."""
    from tandem.formats import govuk_date

    owner = next((u for spec, u in made if spec.username == "demo-cp-social-worker"), None)
    child = (
        Person.objects.filter(visible_children_q(owner), date_of_birth__isnull=False)
        .order_by("family_name", "given_name", "pk")
        .first()
        if owner
        else None
    )
    if child is None:
        return ""
    return f"{child.given_name} {child.family_name}, born {govuk_date(child.date_of_birth)}"


def team_label(user: User) -> str:
    if user.team_id is None:
        return "—"
    team: Team = user.team
    return f"{team.name}, {team.partner.name}"
