"""Hacker tests: every route that takes an id, tried by someone whose role allows the action but
who has no reason to see the record (404, exactly as for an id that does not exist), with nested
ids swapped in from elsewhere (404), by a role that cannot act at all (403), and with no
credentials (401). Nothing is changed and nothing about the child leaks."""

import datetime as dt
import uuid

import pytest

from tandem.access.models import Consent
from tandem.access.services import consent_record
from tandem.audit.models import AccessEvent
from tandem.config.api import api as tandem_api
from tandem.outcomes.models import SdqRecord, Service, ServiceSpell, StarReading
from tandem.partners.models import Role
from tandem.people.models import HouseholdMember, Relationship
from tandem.referrals.models import Referral
from tests import factories
from tests.api.support import ApiClient
from tests.grants import grant_for
from tests.voices import VIEWS_API

pytestmark = pytest.mark.django_db

MISSING = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.fixture
def world(team, child, front_door, social_worker):
    """A child owned by `team`, with a mother, a household and an open referral; and an
    outsider: a team manager (a role that may do everything the API offers) of another front
    door, who has children of their own but no reason to see this one."""
    mother = factories.AdultFactory(given_name="Maria")
    a, b = sorted([mother, child], key=lambda p: str(p.pk))
    relationship = Relationship.objects.create(person_a=a, person_b=b, kind="other")
    household = factories.HouseholdFactory()
    HouseholdMember.objects.create(household=household, person=child)
    HouseholdMember.objects.create(household=household, person=mother)
    door, _ = front_door
    referral = factories.ReferralFactory(child=child, to_team=door)

    outsider_team = factories.TeamFactory(receives_referrals=True)
    outsider = factories.UserFactory(role=Role.TEAM_MANAGER, team=outsider_team)
    own_child = factories.ChildFactory(given_name="Own")
    factories.InvolvementFactory(child=own_child, team=outsider_team)
    flag = _flag_about(child)  # issue 5: the triage worklist
    consent = consent_record(  # issue 4: consent to share
        actor=factories.UserFactory(team=team),
        child_id=child.pk,
        purpose="early_help",
        given_by="Maria",
    )
    service = Service.objects.create(  # issue 23: a service the child could receive
        name="Family support", service_type_id="family-support", aim_id="stronger-families"
    )
    spell = ServiceSpell.objects.create(  # … and one an earlier service they are receiving
        service=Service.objects.create(
            name="Parenting", service_type_id="family-support", aim_id="stronger-families"
        ),
        person=child,
        started_on=dt.date(2024, 9, 2),
        recorded_by=social_worker,
    )
    return {
        "spell": spell.pk,
        "flag": flag.pk,
        "consent": consent.pk,
        "service": service.pk,
        "child": child.pk,
        "relationship": relationship.pk,
        "household": household.pk,
        "referral": referral.pk,
        "door": door.pk,
        "outsider": outsider,
        "own_child": own_child.pk,
        "child_name": child.given_name,
        "mother_name": mother.given_name,
        **_casework(child, social_worker),
    }


# Casework (issue 6): a case led by the child's social worker, with an assessment, a goal, an
# action and a second member of the team around the family.
CASEWORK_IDS = ("case", "assessment", "goal", "action", "member")


def _casework(child, lead) -> dict:
    import datetime as dt

    from tandem.casework import services as cw

    w = "direct_work"
    case = cw.case_open(
        grant=grant_for(lead, child.pk, w), level="early_help", lead_professional_id=lead.pk
    )
    assessment = cw.assessment_start(actor=lead, case_id=case.pk, purpose=w)
    goal = cw.plan_goal_add(
        actor=lead, case_id=case.pk, text="Go to school", in_childs_words=True, purpose=w
    )
    action = cw.plan_action_add(
        actor=lead,
        case_id=case.pk,
        goal_id=goal.pk,
        text="Walk together",
        owner_id=lead.pk,
        due_on=dt.date(2030, 1, 1),
        purpose=w,
    )
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER)
    member = cw.case_member_add(actor=lead, case_id=case.pk, practitioner_id=nurse.pk, purpose=w)
    ids = {"case": case.pk, "assessment": assessment.pk, "goal": goal.pk, "action": action.pk}
    return {**ids, "member": member.pk, "lead": lead.pk}


def _casework_routes(w: dict) -> list[tuple[str, str, dict | None]]:
    case, lead = w["case"], str(w["lead"])
    assessment = f"/api/cases/{case}/assessments/{w['assessment']}"
    return [
        ("get", f"/api/children/{w['child']}/cases", None),
        (
            "post",
            f"/api/children/{w['child']}/cases",
            {"level": "statutory", "lead_professional_id": lead},
        ),
        ("get", f"/api/cases/{case}", None),
        ("post", f"/api/cases/{case}/members", {"practitioner_id": lead}),
        ("post", f"/api/cases/{case}/members/{w['member']}/leave", None),
        ("put", f"/api/cases/{case}/lead", {"lead_professional_id": lead}),
        (
            "post",
            f"/api/cases/{case}/step",
            {**VIEWS_API, "to_level": "statutory", "summary": "x"},
        ),
        ("post", f"/api/cases/{case}/assessments", None),
        (
            "post",
            f"{assessment}/factors",
            {
                "area": "health",
                "rating": "no_concern",
                "evidence": "x",
                "source_partner_id": str(w["door"]),
            },
        ),
        ("post", f"{assessment}/outcome", {**VIEWS_API, "level": "early_help", "summary": "x"}),
        ("post", f"{assessment}/approval", {}),
        ("post", f"/api/cases/{case}/goals", {"text": "Hacked", "in_childs_words": False}),
        (
            "post",
            f"/api/cases/{case}/goals/{w['goal']}/actions",
            {"text": "Hacked", "owner_id": lead, "due_on": "2030-01-01"},
        ),
        ("patch", f"/api/cases/{case}/actions/{w['action']}", {"status": "stopped"}),
        ("post", f"/api/cases/{case}/plan/agreement", {**VIEWS_API, "summary": "x"}),
        ("post", f"/api/cases/{case}/reviews", {**VIEWS_API, "summary": "x"}),
        ("post", f"/api/cases/{case}/closure", {**VIEWS_API, "reason": "x"}),
        ("post", f"/api/cases/{case}/reopening", {**VIEWS_API, "reason": "x"}),
    ]  # fmt: skip


CASEWORK_ROUTE_IDS = [
    "child_case_list", "case_open", "case_get", "case_member_add", "case_member_leave",
    "case_lead_change", "case_step", "assessment_start", "assessment_factor_add",
    "assessment_submit", "assessment_approve", "plan_goal_add", "plan_action_add",
    "plan_action_update", "plan_agree", "review_record", "case_close", "case_reopen",
]  # fmt: skip


def _casework_state() -> tuple:
    from tandem.casework import models as m

    return (
        m.Case.objects.filter(status="open").count(),
        m.CaseMember.objects.filter(left_on__isnull=True).count(),
        m.DecisionRecord.objects.count(),
        m.Assessment.objects.filter(status="draft").count(),
        m.AssessmentFactor.objects.count(),
        m.Goal.objects.count(),
        list(m.Action.objects.values_list("status", flat=True)),
        m.Case.objects.values_list("lead_professional_id", "level").first(),
    )


def _flag_about(child):
    import datetime as dt

    from tandem.linkage.models import Flag, LinkedPerson

    return Flag.objects.create(
        linked_person=LinkedPerson.objects.create(person=child), rule="r", title="t",
        evidence=[], partners=1, latest_on=dt.date(2026, 1, 1), raised_on=dt.date(2026, 1, 1),
    )  # fmt: skip


def _routes(w: dict) -> list[tuple[str, str, dict | None]]:
    """Every route that takes an id, with the world's ids and a valid body."""
    child, rel, home, ref = w["child"], w["relationship"], w["household"], w["referral"]
    adult = {"given_name": "New", "family_name": "Adult"}
    return [
        ("get", f"/api/children/{child}", None),
        ("patch", f"/api/children/{child}", {"known_as": "Hacked"}),
        ("get", f"/api/children/{child}/relationships", None),
        ("post", f"/api/children/{child}/relationships", {"kind": "carer", "new_adult": adult}),
        ("delete", f"/api/children/{child}/relationships/{rel}", None),
        ("get", f"/api/children/{child}/households", None),
        ("post", f"/api/children/{child}/households", {"name": "Hacked household"}),
        ("get", f"/api/households/{home}", None),
        ("post", f"/api/households/{home}/members", {"person_id": str(w["own_child"])}),
        ("get", f"/api/children/{child}/chronology", None),
        (
            "post",
            f"/api/children/{child}/events",
            {"kind": "note", "occurred_at": "2025-01-01T10:00:00Z", "summary": "Hacked"},
        ),
        ("get", f"/api/children/{child}/referrals", None),
        (
            "post",
            "/api/referrals",
            {
                "child_id": str(child),
                "to_team_id": str(w["door"]),
                "source": "6",
                "reasons": ["gangs"],
                "concerns": "Hacked",
                "family_aware": "yes",
            },
        ),
        ("get", f"/api/referrals/{ref}", None),
        (
            "post",
            f"/api/referrals/{ref}/decision",
            {**VIEWS_API, "decision": "nfa", "reasons": "Hacked"},
        ),
        ("post", f"/api/referrals/{ref}/feedback", {"message": "Hacked"}),
        (
            "post",
            f"/api/children/{w['own_child']}/relationships",
            {"kind": "parent", "other_person_id": str(child)},
        ),
        *_casework_routes(w),
        # Information governance (issue 4): consent to share
        ("get", f"/api/children/{child}/consents", None),
        (
            "post",
            f"/api/children/{child}/consents",
            {"purpose": "early_help", "given_by": "Hacker", "given_at": "2025-01-01T10:00:00Z"},
        ),
        ("post", f"/api/children/{child}/consents/{w['consent']}/withdraw", {"note": "Hacked"}),
        # Outcomes (issue 23): the child's SDQs
        ("get", f"/api/children/{child}/sdq", None),
        (
            "post",
            f"/api/children/{child}/sdq",
            {"informant": "parent", "completed_on": "2025-01-01", "scores": {"emotional": 9}},
        ),
        ("get", f"/api/children/{child}/spells", None),
        (
            "post",
            f"/api/children/{child}/spells",
            {"service_id": str(w["service"]), "started_on": "2025-01-01"},
        ),
        (
            "post",
            f"/api/children/{child}/spells/{w['spell']}/end",
            {"ended_on": "2025-01-01", "reason": "completed"},
        ),
        ("get", f"/api/children/{child}/star-readings", None),
        (
            "post",
            f"/api/children/{child}/star-readings",
            {
                "star": "family-star-plus",
                "read_on": "2025-01-01",
                "readings": [{"area": "home-money", "reading": 3}],
            },
        ),
    ]


ROUTE_IDS = [
    "child_get", "child_update", "relationship_list", "relationship_create", "relationship_delete",
    "household_list", "household_create", "household_get", "household_member_add",
    "chronology_get", "event_create", "child_referral_list", "referral_create (child_id)",
    "referral_get", "referral_decide", "referral_feedback_give",
    "relationship_create (other_person_id)",
    *CASEWORK_ROUTE_IDS,
    "consent_list", "consent_create", "consent_withdraw",
    "sdq_list", "sdq_create", "spell_list", "spell_create", "spell_end",
    "star_reading_list", "star_reading_create",
]  # fmt: skip


def _call(client: ApiClient, method: str, path: str, body):
    return client.get(path) if method == "get" else client.send(method, path, body)


def _fingerprint() -> tuple:
    return (
        Relationship.objects.count(),
        HouseholdMember.objects.count(),
        Referral.objects.filter(status="submitted").count(),
        list(Consent.objects.values_list("id", "withdrawn_at")),
        SdqRecord.objects.count(),
        list(ServiceSpell.objects.values_list("id", "ended_on")),
        StarReading.objects.count(),
        list(AccessEvent.objects.exclude(action="denied").values_list("id", flat=True)),
        _casework_state(),
    )


@pytest.mark.parametrize("index", range(len(ROUTE_IDS)), ids=ROUTE_IDS)
def test_no_involvement_is_404_like_a_missing_id(world, with_token, index):
    method, path, body = _routes(world)[index]
    client = with_token(world["outsider"])
    before = _fingerprint()
    response = _call(client, method, path, body)
    assert response.status_code == 404, response.content
    # Not an oracle: the same answer as for an id that does not exist at all.
    real = [
        str(world[k]) for k in ("child", "household", "referral", "relationship", *CASEWORK_IDS)
    ]
    for value in real:
        path = path.replace(value, MISSING)
    if body:
        body = {k: (MISSING if v in real else v) for k, v in body.items()}
    missing = _call(client, method, path, body)
    assert (missing.status_code, missing.json()) == (404, response.json())
    text = response.content.decode()
    assert world["child_name"] not in text
    assert world["mother_name"] not in text
    assert _fingerprint() == before  # nothing read or written, only the refusals audited
    denied = AccessEvent.objects.filter(action="denied", actor=world["outsider"])
    assert denied.count() == 2
    assert denied.first().detail["reason"] == "not found"


def test_relationship_of_another_child_is_404(with_token, social_worker, child, team, world):
    """Both children are visible: the relationship id still has to belong to the one in the URL."""
    sibling = factories.ChildFactory()
    factories.InvolvementFactory(child=sibling, team=team)
    response = with_token(social_worker).delete(
        f"/api/children/{sibling.pk}/relationships/{world['relationship']}"
    )
    assert response.status_code == 404
    assert Relationship.objects.filter(pk=world["relationship"]).exists()


def test_person_not_in_your_records_cannot_be_added_to_a_household(
    with_token, social_worker, world
):
    stranger_child = factories.ChildFactory()
    response = with_token(social_worker).post(
        f"/api/households/{world['household']}/members", {"person_id": str(stranger_child.pk)}
    )
    assert response.status_code == 404
    assert not HouseholdMember.objects.filter(person=stranger_child).exists()


def test_person_not_in_your_records_cannot_be_related(with_token, social_worker, child):
    stranger_adult = factories.AdultFactory()
    response = with_token(social_worker).post(
        f"/api/children/{child.pk}/relationships",
        {"kind": "parent", "other_person_id": str(stranger_adult.pk)},
    )
    assert response.status_code == 404
    assert not Relationship.objects.exists()


def test_referral_to_another_team_cannot_be_decided_by_a_manager_who_sees_the_child(
    with_token, world, team
):
    """The child's own team manager may see the referral, but it went to the front door."""
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    client = with_token(manager)
    assert client.get(f"/api/referrals/{world['referral']}").status_code == 200
    response = client.post(
        f"/api/referrals/{world['referral']}/decision",
        {**VIEWS_API, "decision": "nfa", "reasons": "x"},
    )
    assert response.status_code == 404


def _all_routes(w: dict) -> list[tuple[str, str, dict | None]]:
    """Every route of the API with a valid body, including those without an id."""
    return [
        *_routes(w),
        ("get", "/api/children", None),
        ("post", "/api/children", {"given_name": "A", "family_name": "B"}),
        ("post", "/api/known", {"nhs_number": "9434765919"}),
        ("get", "/api/referrals/made", None),
        ("get", "/api/referrals/received", None),
        ("get", "/api/cases/mine", None),
        ("get", "/api/services", None),
        # Early identification (issue 5)
        ("get", "/api/worklist", None),
        ("post", f"/api/worklist/{w['flag']}/decision", {"decision": "refer", "reasons": "x"}),
    ]


def test_every_route_is_covered_here(world):
    """A new route about children must join these tests: they cover every route of the OpenAPI
    but a job's (not a child's record: tests/jobs and tests/test_routes.py cover those)."""
    names = {
        "child": "{child_id}",
        "own_child": "{child_id}",
        "relationship": "{relationship_id}",
        "household": "{household_id}",
        "referral": "{referral_id}",
        **{k: f"{{{k}_id}}" for k in CASEWORK_IDS},
        "flag": "{flag_id}",
        "consent": "{consent_id}",
        "spell": "{spell_id}",
    }
    tested = set()
    for method, path, _ in _all_routes(world):
        for key, name in names.items():
            path = path.replace(str(world[key]), name)
        tested.add((method, path))
    documented = {
        (method, path)
        for path, operations in tandem_api.get_openapi_schema()["paths"].items()
        for method in operations
        # Jobs and partners' extract uploads are not a child's record: tests/jobs,
        # tests/linkage/test_ingest.py and tests/test_routes.py cover them; nor are a service's
        # outcomes, counts for those who read reports (tests/outcomes/test_api.py), nor the
        # partnership's plans (tests/planning/test_api.py).
        if not path.startswith(
            (
                "/api/jobs/",
                "/api/extracts",
                "/api/services/",
                "/api/forecasts",
                "/api/scenarios/",
                "/api/budgets",
                "/api/capacity",
            )
        )  # fmt: skip
    }
    assert tested == documented


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.IG_LEAD, Role.SYSTEM_ADMIN])
def test_a_role_that_cannot_act_gets_403_everywhere(world, team, role):
    # Even in the very team that owns the child.
    user = factories.UserFactory(role=role, team=None if role == Role.SYSTEM_ADMIN else team)
    client = ApiClient(user)
    before = _fingerprint()
    for method, path, body in _all_routes(world):
        response = _call(client, method, path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json()["detail"]
    assert _fingerprint() == before
    assert AccessEvent.objects.filter(action="denied", actor=user).count() == len(
        _all_routes(world)
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/referrals/{referral}/decision",
            {**VIEWS_API, "decision": "nfa", "reasons": "x"},
        ),
        ("post", "/api/referrals/{referral}/feedback", {"message": "x"}),
        ("get", "/api/referrals/received", None),
    ],
)
def test_deciding_needs_a_deciding_role_even_in_the_front_door(world, method, path, body):
    door_dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team_id=world["door"])
    response = _call(ApiClient(door_dsl), method, path.format(**world), body)
    assert response.status_code == 403


@pytest.mark.parametrize("credentials", ["none", "bad token", "other scheme", "empty bearer"])
def test_no_valid_credentials_is_401_everywhere(world, credentials):
    client = ApiClient(None, "anonymous")
    client.headers = {
        "none": {},
        "bad token": {"Authorization": "Bearer tdm_" + "x" * 43},
        "other scheme": {"Authorization": "Basic dXNlcjpwYXNz"},
        "empty bearer": {"Authorization": "Bearer "},
    }[credentials]
    before = _fingerprint()
    for method, path, body in _all_routes(world):
        # Even before the body is read: a bad body must not tell anything either.
        for payload in (body, {"nonsense": True} if body else None):
            response = _call(client, method, path, payload)
            assert response.status_code == 401, (method, path)
            assert response["WWW-Authenticate"] == 'Bearer realm="tandem"'
    assert _fingerprint() == before


def test_an_unknown_id_everywhere_is_404(world, with_token, social_worker):
    """The child's own worker, with each id replaced by one that does not exist."""
    client = with_token(social_worker)
    for method, path, body in _routes(world):
        for key in ("child", "household", "referral", "relationship", *CASEWORK_IDS):
            path = path.replace(str(world[key]), str(uuid.uuid4()))
        if body and "child_id" in body:
            body = {**body, "child_id": str(uuid.uuid4())}
        response = _call(client, method, path, body)
        # A social worker cannot approve an assessment at all: the role is checked first.
        expected = 403 if path.endswith("/approval") else 404
        assert response.status_code == expected, (method, path, response.content)
