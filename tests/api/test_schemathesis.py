"""Schemathesis over the whole OpenAPI, in process (WSGI), as a front-door team manager who has
data: every operation, valid and invalid inputs, every default check (no server error, every
status and body as documented, invalid data refused, valid data accepted, auth not ignored).

Deterministic (a fixed seed, derandomized) so CI is never flaky, and each example runs inside a
savepoint rolled back afterwards, so every example meets the same records whatever the ones
before it wrote.

A JSON Schema cannot say everything the record's rules say (an NHS number's check digit, a date
of birth not in the future, a team that takes referrals). Valid examples are made to keep those
rules too (`_keep_the_record_s_rules`), so "valid data is accepted" tests the schema and the
services together; invalid examples are left as they are.
"""

import copy
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode

from tandem.access.models import Consent
from tandem.config.wsgi import application
from tandem.outcomes.models import Service
from tandem.partners.models import Role, Team
from tandem.partners.tokens import Operator, api_token_create
from tandem.people.identifiers import nhs_number_check_digit, upn_check_letter
from tandem.people.models import Event, HouseholdMember, Person, Relationship
from tandem.referrals.models import ThresholdDecision
from tests import factories

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.seed = 20261123
schema.config.generation.update(max_examples=10, deterministic=True, database="none")


# Fixed ids, so the generator can aim at real records as well as at ids that do not exist.
CHILD = uuid.UUID("00000000-0000-4000-8000-00000000c001")
REFERRED_CHILD = uuid.UUID("00000000-0000-4000-8000-00000000c002")
MOTHER = uuid.UUID("00000000-0000-4000-8000-00000000a001")
RELATIONSHIP = uuid.UUID("00000000-0000-4000-8000-00000000e001")
HOUSEHOLD = uuid.UUID("00000000-0000-4000-8000-00000000b001")
SUBMITTED = uuid.UUID("00000000-0000-4000-8000-00000000d001")
DECIDED = uuid.UUID("00000000-0000-4000-8000-00000000d002")
FRONT_DOOR = uuid.UUID("00000000-0000-4000-8000-00000000f001")
# Casework (issue 6): see `casework`.
CASE = uuid.UUID("00000000-0000-4000-8000-0000000ca5e1")
FRESH_CASE = uuid.UUID("00000000-0000-4000-8000-0000000ca5e2")
CLOSED_CASE = uuid.UUID("00000000-0000-4000-8000-0000000ca5e3")
NO_CASE_CHILD = uuid.UUID("00000000-0000-4000-8000-00000000c005")
DRAFT = uuid.UUID("00000000-0000-4000-8000-0000000a5e51")
SUBMITTED_ASSESSMENT = uuid.UUID("00000000-0000-4000-8000-0000000a5e52")
GOAL = uuid.UUID("00000000-0000-4000-8000-0000000060a1")
ACTION = uuid.UUID("00000000-0000-4000-8000-0000000ac701")
MEMBER = uuid.UUID("00000000-0000-4000-8000-00000000e3b1")
LEAD = uuid.UUID("00000000-0000-4000-8000-000000001ead")
NEWCOMER = uuid.UUID("00000000-0000-4000-8000-0000000000e1")
CONSENT = uuid.UUID("00000000-0000-4000-8000-0000000c0001")  # issue 4: the child's consent
SERVICE = uuid.UUID("00000000-0000-4000-8000-00000005e71c")  # issue 23: a service


@pytest.fixture
def manager():
    """A front-door team manager whose team owns a child with a mother, a household and a
    chronology, and who has one referral awaiting a decision and one awaiting feedback."""
    door = factories.TeamFactory(id=FRONT_DOOR, receives_referrals=True)
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=door)
    child = factories.ChildFactory(id=CHILD)
    factories.InvolvementFactory(child=child, team=door)
    mother = factories.AdultFactory(id=MOTHER)
    Relationship.objects.create(id=RELATIONSHIP, person_a=mother, person_b=child, kind="parent")
    household = factories.HouseholdFactory(id=HOUSEHOLD)
    HouseholdMember.objects.create(household=household, person=child)
    HouseholdMember.objects.create(household=household, person=mother)
    Event.objects.create(
        person=child,
        partner=door.partner,
        kind="home_visit",
        occurred_at=timezone.now() - timedelta(days=3),
        summary="Seen at home.",
    )
    factories.ReferralFactory(id=SUBMITTED, child=child, to_team=door)
    Consent.objects.create(
        id=CONSENT,
        child=child,
        purpose="early_help",
        given_by="Mother",
        given_at=timezone.now() - timedelta(days=1),
        recorded_by=manager,
    )
    referred = factories.ChildFactory(id=REFERRED_CHILD)
    decided = factories.ReferralFactory(
        id=DECIDED, child=referred, to_team=door, made_by=manager, status="decided"
    )
    ThresholdDecision.objects.create(
        referral=decided,
        decision="early_help",
        reasons="Family support offered.",
        decided_by=manager,
        decided_at=timezone.now(),
    )
    Service.objects.create(
        id=SERVICE,
        name="Family support",
        service_type_id="family-support",
        aim_id="stronger-families",
    )
    return manager


@pytest.fixture
def casework(manager):
    """Casework in the manager's team, each record in the one state where each operation on it
    succeeds: a case (on CHILD) with an assessment in progress (a factor rated), one submitted
    by its lead for the manager to approve, an agreed plan changed since (so it can be agreed
    again and reviewed), a goal, an action and a member who can leave; a case with no assessment
    (to start one); a closed case (to reopen); a child with no case (to open one); and a
    practitioner not yet in any team around a family."""
    from tandem.casework import models as cw
    from tandem.casework.voice import Views, decision_record_create

    door = manager.team
    lead = factories.UserFactory(id=LEAD, role=Role.SOCIAL_WORKER, team=door)
    factories.UserFactory(id=NEWCOMER, role=Role.HEALTH_PRACTITIONER)
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER)
    now = timezone.now()
    views = Views(child_not_gathered="too_young", parent_not_gathered="declined")

    def case(pk, child, status="open"):
        return cw.Case.objects.create(
            id=pk,
            child=child,
            team=door,
            lead_professional=lead,
            level="early_help",
            status=status,
            opened_at=now,
            opened_by=lead,
        )

    main = case(CASE, Person.objects.get(pk=CHILD))
    for who, pk in ((lead, None), (nurse, MEMBER)):
        cw.CaseMember.objects.create(
            id=pk or uuid.uuid4(), case=main, practitioner=who, joined_on=date.today()
        )
    draft = cw.Assessment.objects.create(id=DRAFT, case=main, started_by=lead, started_at=now)
    cw.AssessmentFactor.objects.create(
        assessment=draft,
        area="health",
        rating="no_concern",
        evidence="Seen by the GP.",
        source_partner=door.partner,
        recorded_by=lead,
        recorded_at=now,
    )
    outcome = decision_record_create(
        actor=lead,
        kind="assessment_outcome",
        child_id=CHILD,
        case=main,
        summary="Early help.",
        views=views,
    )
    cw.Assessment.objects.create(
        id=SUBMITTED_ASSESSMENT,
        case=main,
        started_by=lead,
        started_at=now,
        status="submitted",
        level="early_help",
        outcome=outcome,
    )
    plan = cw.Plan.objects.create(
        case=main, status="agreed", next_review_on=date.today(), has_unagreed_changes=True
    )
    goal = cw.Goal.objects.create(
        id=GOAL,
        plan=plan,
        text="Go to school",
        shared_with="everyone",
        added_at=now,
        added_by=lead,
    )
    cw.Action.objects.create(
        id=ACTION, goal=goal, text="Walk to school", owner=lead, due_on=date.today(), added_at=now
    )
    fresh_child = factories.ChildFactory()
    factories.InvolvementFactory(child=fresh_child, team=door)
    case(FRESH_CASE, fresh_child)
    closed_child = factories.ChildFactory()
    factories.InvolvementFactory(child=closed_child, team=door)
    closed = case(CLOSED_CASE, closed_child, status="closed")
    cw.Closure.objects.create(
        case=closed,
        reason="Goals met.",
        decision=decision_record_create(
            actor=lead,
            kind="closure",
            child_id=closed_child.pk,
            case=closed,
            summary="Goals met.",
            views=views,
        ),
    )
    factories.InvolvementFactory(child=factories.ChildFactory(id=NO_CASE_CHILD), team=door)


@pytest.fixture
def token(manager, casework) -> str:
    return api_token_create(actor=Operator("schemathesis"), user=manager)[1]


@pytest.fixture
def same_connection():
    """Schemathesis calls the WSGI app itself, not through Django's test client, so Django would
    close the database connection at the end of each request (and with it the test's
    transaction, on PostgreSQL). Keep it open, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _keep_the_record_s_rules(case) -> None:
    """Make a valid example keep the rules a JSON Schema cannot state, and aim most ids at real
    records: all of them in the coverage phase, whose point is the bodies' edge cases; three in
    four when fuzzing, the rest staying unknown (and so answering 404)."""
    path = case.operation.path
    coverage = case.meta.phase.name == "coverage"

    def aim(value) -> bool:
        return isinstance(value, str) and (coverage or int(value[-1], 16) % 4 != 0)

    params = dict(case.path_parameters or {})
    if aim(params.get("child_id")):
        # The child with a relationship to delete; otherwise either child.
        pick = (
            "relationship_id" in params
            or "consent_id" in params
            or int(params["child_id"][-2], 16) % 3
        )
        params["child_id"] = str(CHILD if pick else REFERRED_CHILD)
    if aim(params.get("relationship_id")):
        params["relationship_id"] = str(RELATIONSHIP)
    if aim(params.get("consent_id")):
        params["consent_id"] = str(CONSENT)
    if aim(params.get("household_id")):
        params["household_id"] = str(HOUSEHOLD)
    if aim(params.get("referral_id")):
        # Decided once only; feedback after the decision.
        params["referral_id"] = str(DECIDED if path.endswith("/feedback") else SUBMITTED)
    _aim_casework(case, params, aim)
    case.path_parameters = params

    if isinstance(case.body, dict):
        body = copy.deepcopy(case.body)
        _fix_record(body, patch=case.operation.method.upper() == "PATCH")
        if path == "/api/referrals":
            body["to_team_id"] = str(FRONT_DOOR)
            if aim(body.get("child_id")):
                body["child_id"] = str(CHILD)
        if path == "/api/children/{child_id}/sdq":
            _keep_the_sdq_s_rules(body, params)
        if path == "/api/children/{child_id}/spells":  # a service that exists, started already
            body["service_id"] = str(SERVICE)
            if isinstance(body.get("started_on"), str):
                body["started_on"] = min(body["started_on"], date.today().isoformat())
        if aim(body.get("person_id")):  # a child not yet in the household
            body["person_id"] = str(REFERRED_CHILD)
        if aim(body.get("other_person_id")):  # the other child: not yet related, not itself
            mine = params.get("child_id")
            body["other_person_id"] = str(CHILD if mine == str(REFERRED_CHILD) else REFERRED_CHILD)
        case.body = body


def _keep_the_sdq_s_rules(body: dict, params: dict) -> None:
    """Completed in the past, by someone the child's age allows, asking only the informant's
    impact questions, for the child whose health the manager sees (the team owns the case)."""
    if params.get("child_id") == str(REFERRED_CHILD):
        params["child_id"] = str(CHILD)
    if isinstance(body.get("completed_on"), str):
        body["completed_on"] = min(body["completed_on"], date.today().isoformat())
    if body.get("informant") == "self":
        body["informant"] = "parent"  # the child's age is the factory's: not always 11-17
    asked = {"teacher": {"distress", "peers", "classroom"}}.get(
        body.get("informant"), {"distress", "home", "friendships", "classroom", "leisure"}
    )
    if isinstance(body.get("impact_answers"), dict):
        body["impact_answers"] = {k: v for k, v in body["impact_answers"].items() if k in asked}


def _aim_casework(case, params: dict, aim) -> None:
    """Each casework operation at the record in the state where it succeeds (see `casework`)."""
    path = case.operation.path
    opening = path == "/api/children/{child_id}/cases" and case.operation.method.upper() == "POST"
    if opening and aim(params.get("child_id")):
        params["child_id"] = str(NO_CASE_CHILD)
    if aim(params.get("case_id")):
        params["case_id"] = str(
            FRESH_CASE
            if path.endswith("/assessments")
            else CLOSED_CASE
            if path.endswith("/reopening")
            else CASE
        )
    if aim(params.get("assessment_id")):
        params["assessment_id"] = str(
            SUBMITTED_ASSESSMENT if path.endswith("/approval") else DRAFT
        )
    for name, pk in (("goal_id", GOAL), ("action_id", ACTION), ("member_id", MEMBER)):
        if aim(params.get(name)):
            params[name] = str(pk)
    if not isinstance(case.body, dict):
        return
    body = case.body
    # A practitioner or partner the body names must exist (as a team referred to must): an
    # unknown one is a wrong field (422), not a record out of reach.
    for name, pk in (
        ("lead_professional_id", LEAD),
        ("owner_id", LEAD),
        ("practitioner_id", NEWCOMER),
        ("source_partner_id", None),
    ):
        if name in body:
            body[name] = str(pk or Team.objects.get(pk=FRONT_DOOR).partner_id)
    if path.endswith("/step") and "to_level" in body:
        body["to_level"] = "statutory"  # the case is at early help
    if path.endswith("/closure"):
        # An outcome for the plan's one goal, as the service requires.
        outcomes = body.get("outcomes") or [{}]
        body["outcomes"] = [{**outcomes[0], "goal_id": str(GOAL), "outcome": "achieved"}]


def _fix_record(body: dict, *, patch: bool) -> None:
    """Check digits right, dates not in the future: as any real client's data would be."""
    for key, value in list(body.items()):
        if isinstance(value, dict):
            _fix_record(value, patch=False)
        elif key == "nhs_number" and isinstance(value, str):
            body[key] = _valid_nhs_number(value)
        elif key == "upn" and isinstance(value, str):
            body[key] = upn_check_letter(value[1:]) + value[1:]
        elif key == "date_of_birth" and isinstance(value, str):
            body[key] = min(value, date.today().isoformat())
        elif key in ("occurred_at", "given_at") and isinstance(value, str):
            body[key] = _past_moment(value)
    # A date of birth or an expected due date, not both (and the children on record were born).
    if body.get("expected_due_date") is not None and (patch or body.get("date_of_birth")):
        del body["expected_due_date"]


def _valid_nhs_number(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    first_nine = digits[:9]
    check = nhs_number_check_digit(first_nine)
    if check is None:  # no valid number starts with these nine digits: change one
        first_nine = first_nine[:8] + str((int(first_nine[8]) + 1) % 10)
        check = nhs_number_check_digit(first_nine)
    return first_nine + str(check)


def _past_moment(value: str) -> str:
    moment = datetime.fromisoformat(value.upper())
    earliest = datetime(1900, 1, 2, tzinfo=UTC)
    if moment < earliest:
        return earliest.isoformat()
    if moment > timezone.now():
        return (timezone.now() - timedelta(minutes=1)).isoformat()
    return value


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api(case, token, same_connection):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        _keep_the_record_s_rules(case)
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
