"""Casework over the JSON API: a whole case from opening to reopening, each decision refused
without the child's and the parent's view (nothing saved), field-named errors, the team around
the family (a member leaving loses sight of the child), reads audited, roles refused."""

import datetime as dt

import pytest

from tandem.access.models import Involvement
from tandem.audit.models import AccessEvent
from tandem.casework.models import (
    Assessment,
    Case,
    CaseMember,
    Closure,
    DecisionRecord,
    Goal,
    Plan,
    Review,
)
from tandem.partners.models import Role
from tests import factories
from tests.api.support import ApiClient, audit_rows, summary
from tests.voices import VIEWS_API

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["token", "session"])
def as_user(request):
    return lambda user: ApiClient(user, request.param)


@pytest.fixture
def api(social_worker):
    return ApiClient(social_worker)


def _open(api, child, lead) -> dict:
    response = api.post(
        f"/api/children/{child.pk}/cases",
        {"level": "early_help", "lead_professional_id": str(lead.pk)},
    )
    assert response.status_code == 201, response.content
    return response.json()


def _goal(api, case_id, text="I want to go to school every day") -> dict:
    response = api.post(f"/api/cases/{case_id}/goals", {"text": text, "in_childs_words": True})
    assert response.status_code == 201, response.content
    return response.json()


def _action(api, case_id, goal_id, owner, text="Meet every Monday") -> dict:
    response = api.post(
        f"/api/cases/{case_id}/goals/{goal_id}/actions",
        {"text": text, "owner_id": str(owner.pk), "due_on": "2026-12-01"},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_case_from_opening_to_reopening(
    as_user, social_worker, child, team, teacher, school_nurse
):
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    api = as_user(social_worker)

    case = _open(api, child, social_worker)
    assert case["child"]["id"] == str(child.pk)
    assert case["lead_professional"]["id"] == str(social_worker.pk)
    assert [m["practitioner"]["id"] for m in case["members"]] == [str(social_worker.pk)]
    case_id = case["id"]

    # The assessment: a factor, the practitioner's level beside the system's suggestion.
    assessment = api.post(f"/api/cases/{case_id}/assessments").json()
    factor = api.post(
        f"/api/cases/{case_id}/assessments/{assessment['id']}/factors",
        {
            "area": "education",
            "rating": "significant_need",
            "evidence": "Attendance 71% this term",
            "source_partner_id": str(teacher.team.partner_id),
        },
    )
    assert factor.status_code == 201, factor.content
    assert factor.json()["suggestion"]["level"] == "early_help"
    assert factor.json()["level"] is None  # suggested, never set
    submitted = api.post(
        f"/api/cases/{case_id}/assessments/{assessment['id']}/outcome",
        {**VIEWS_API, "level": "child_in_need", "summary": "Needs support at school"},
    )
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["status"], submitted.json()["level"]) == (
        "submitted",
        "child_in_need",
    )
    approved = as_user(manager).post(
        f"/api/cases/{case_id}/assessments/{assessment['id']}/approval", {"note": "Agreed"}
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == str(manager)

    # The plan: a goal in the child's words, actions for two partners, agreed with the views.
    goal = _goal(api, case_id)
    school = _action(api, case_id, goal["id"], teacher)
    _action(api, case_id, goal["id"], school_nurse, "Check in about sleep")
    agreed = api.post(
        f"/api/cases/{case_id}/plan/agreement",
        {**VIEWS_API, "summary": "Agreed at home", "review_every_weeks": 4},
    )
    assert agreed.status_code == 201, agreed.content
    assert agreed.json()["kind"] == "plan_agreed"
    assert agreed.json()["child"] == {
        "view": VIEWS_API["child"]["view"],
        "how": "in_person",
        "not_gathered": None,
    }
    assert agreed.json()["parent"] == {"view": None, "how": None, "not_gathered": "declined"}
    done = api.patch(f"/api/cases/{case_id}/actions/{school['id']}", {"status": "done"})
    assert done.json()["status"] == "done"

    review = api.post(f"/api/cases/{case_id}/reviews", {**VIEWS_API, "summary": "Going well"})
    assert review.status_code == 201, review.content
    assert review.json()["next_review_on"] == str(dt.date.today() + dt.timedelta(weeks=4))

    stepped = api.post(
        f"/api/cases/{case_id}/step",
        {**VIEWS_API, "to_level": "statutory", "summary": "New worries at home"},
    )
    assert stepped.status_code == 201, stepped.content
    assert (stepped.json()["level"], stepped.json()["decision"]["kind"]) == (
        "statutory",
        "step_up",
    )

    closed = api.post(
        f"/api/cases/{case_id}/closure",
        {
            **VIEWS_API,
            "reason": "Goals met",
            "outcomes": [{"goal_id": goal["id"], "outcome": "achieved"}],
        },
    )
    assert closed.status_code == 201, closed.content
    assert closed.json()["status"] == "closed"
    assert closed.json()["closures"][0]["results"] == [
        {"goal_id": goal["id"], "outcome": "achieved", "note": ""}
    ]
    reopened = api.post(
        f"/api/cases/{case_id}/reopening", {**VIEWS_API, "reason": "Worries again"}
    )
    assert reopened.status_code == 201, reopened.content
    body = reopened.json()
    assert body["status"] == "open"
    assert body["closures"][0]["reopened_by_id"] == body["decisions"][0]["id"]
    assert [d["kind"] for d in body["decisions"]] == [
        "reopening",
        "closure",
        "step_up",
        "review_outcome",
        "plan_agreed",
        "assessment_outcome",
    ]
    assert body["plan"]["goals"][0]["text"] == goal["text"]  # the history stays


DECISIONS = [
    ("step", {"to_level": "statutory", "summary": "Why"}),
    ("plan/agreement", {"summary": "Agreed"}),
    ("reviews", {"summary": "Reviewed"}),
    ("closure", {"reason": "Done"}),
    ("outcome", {"level": "early_help", "summary": "Outcome"}),
]


@pytest.fixture
def ready_case(social_worker, child, teacher):
    """An open case with an agreed plan (so it can be reviewed) that has changed since (so it
    can be agreed again), and an assessment with a factor (so it can be submitted)."""
    api = ApiClient(social_worker)
    case_id = _open(api, child, social_worker)["id"]
    goal = _goal(api, case_id)
    api.post(f"/api/cases/{case_id}/plan/agreement", {**VIEWS_API, "summary": "Agreed"})
    _goal(api, case_id, "Feel safe at home")
    assessment = api.post(f"/api/cases/{case_id}/assessments").json()
    api.post(
        f"/api/cases/{case_id}/assessments/{assessment['id']}/factors",
        {
            "area": "health",
            "rating": "no_concern",
            "evidence": "Seen by the GP",
            "source_partner_id": str(teacher.team.partner_id),
        },
    )
    return {"case": case_id, "assessment": assessment["id"], "goal": goal["id"]}


def _decision_path(ready_case, route):
    if route == "outcome":
        return f"/api/cases/{ready_case['case']}/assessments/{ready_case['assessment']}/outcome"
    return f"/api/cases/{ready_case['case']}/{route}"


def _state():
    return (
        DecisionRecord.objects.count(),
        Review.objects.count(),
        Closure.objects.count(),
        list(Case.objects.values_list("status", "level")),
        list(Plan.objects.values_list("status", "has_unagreed_changes", "next_review_on")),
        list(Assessment.objects.values_list("status", "level")),
    )


@pytest.mark.parametrize(("route", "body"), DECISIONS, ids=[d[0] for d in DECISIONS])
@pytest.mark.parametrize(
    ("views", "loc"),
    [
        ({"parent": VIEWS_API["parent"]}, ["body", "child"]),
        ({"child": VIEWS_API["child"]}, ["body", "parent"]),
        ({"child": {"view": "I'm fine"}, "parent": VIEWS_API["parent"]}, ["body", "child"]),
        (
            {"child": {"view": "I'm fine", "how": "in_person", "not_gathered": "declined"}}
            | {"parent": VIEWS_API["parent"]},
            ["body", "child"],
        ),
        ({"child": VIEWS_API["child"], "parent": {"not_gathered": "too_young"}},
         ["body", "parent"]),
        ({"child": {"view": "  ", "how": "in_person"}, "parent": VIEWS_API["parent"]},
         ["body", "child"]),
    ],
    ids=["no child view", "no parent view", "no how", "both", "parent too young", "blank view"],
)  # fmt: skip
def test_a_decision_without_both_views_is_refused_and_nothing_saved(
    api, ready_case, route, body, views, loc
):
    if route == "closure":  # an outcome for each goal, so only the views are wrong
        goals = Goal.objects.values_list("pk", flat=True)
        body = {**body, "outcomes": [{"goal_id": str(g), "outcome": "partly"} for g in goals]}
    before = _state()
    response = api.post(_decision_path(ready_case, route), {**body, **views})
    assert response.status_code == 422, response.content
    assert any(item["loc"][: len(loc)] == loc for item in response.json()["detail"]), (
        response.json()
    )
    assert _state() == before
    # …and the same decision with both views goes through.
    good = api.post(_decision_path(ready_case, route), {**body, **VIEWS_API})
    assert good.status_code in (200, 201), good.content
    assert DecisionRecord.objects.count() == before[0] + 1


def test_closure_names_the_goal_without_an_outcome_and_saves_nothing(api, ready_case):
    before = _state()
    first = Goal.objects.filter(pk=ready_case["goal"]).get()
    response = api.post(
        f"/api/cases/{ready_case['case']}/closure",
        {
            **VIEWS_API,
            "reason": "Done",
            "outcomes": [{"goal_id": str(first.pk), "outcome": "achieved"}],
        },
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", "outcomes"]]
    assert "Feel safe at home" in detail[0]["msg"]
    assert _state() == before


def test_closure_with_an_outcome_for_a_goal_elsewhere_is_refused(api, ready_case):
    goals = list(Goal.objects.values_list("pk", flat=True))
    outcomes = [{"goal_id": str(g), "outcome": "partly"} for g in goals]
    outcomes.append({"goal_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "outcome": "achieved"})
    response = api.post(
        f"/api/cases/{ready_case['case']}/closure",
        {**VIEWS_API, "reason": "Done", "outcomes": outcomes},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "outcomes"]
    assert Case.objects.get().status == "open"


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("goals/{goal}/actions", {"text": "x", "owner_id": "{nobody}", "due_on": "2026-12-01"},
         ["body", "owner_id"]),
        ("goals/{goal}/actions", {"text": "x", "owner_id": "{me}", "due_on": "2026-13-01"},
         ["body", "due_on"]),
        ("goals/{goal}/actions", {"text": "x", "owner_id": "{me}"}, ["body", "due_on"]),
        ("goals", {"text": "x", "in_childs_words": "yes"}, ["body", "in_childs_words"]),
        ("goals", {"text": "x", "in_childs_words": True, "extra": 1}, ["body", "extra"]),
        ("members", {"practitioner_id": "{me}"}, ["body", "practitioner_id"]),
        ("members", {"practitioner_id": "not-an-id"}, ["body", "practitioner_id"]),
        ("lead", {"lead_professional_id": "{nobody}"}, ["body", "lead_professional_id"]),
        ("step", {**VIEWS_API, "to_level": "early_help", "summary": "x"}, ["body", "to_level"]),
        ("plan/agreement", {**VIEWS_API, "summary": "x", "review_every_weeks": 27},
         ["body", "review_every_weeks"]),
        ("plan/agreement", {**VIEWS_API, "summary": "x", "review_every_weeks": "6"},
         ["body", "review_every_weeks"]),
        ("plan/agreement", {**VIEWS_API, "summary": "x", "review_every_weeks": 6.5},
         ["body", "review_every_weeks"]),
    ],
)  # fmt: skip
def test_wrong_fields_are_named_and_nothing_saved(api, ready_case, social_worker, path, body, loc):
    ids = {"goal": ready_case["goal"], "me": str(social_worker.pk)}
    ids["nobody"] = str(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST).pk)
    body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    method = "put" if path == "lead" else "post"
    before = (_state(), CaseMember.objects.count(), list(Goal.objects.values_list("pk")))
    response = api.send(method, f"/api/cases/{ready_case['case']}/{path.format(**ids)}", body)
    assert response.status_code == 422, response.content
    assert [d["loc"] for d in response.json()["detail"]] == [loc]
    assert response.json()["detail"][0]["msg"]
    assert (_state(), CaseMember.objects.count(), list(Goal.objects.values_list("pk"))) == before


def test_a_member_who_leaves_no_longer_sees_the_child(api, social_worker, child, school_nurse):
    case_id = _open(api, child, social_worker)["id"]
    added = api.post(
        f"/api/cases/{case_id}/members",
        {"practitioner_id": str(school_nurse.pk), "role_in_team": "School nurse"},
    )
    assert added.status_code == 201, added.content
    nurse = ApiClient(school_nurse)
    assert nurse.get(f"/api/cases/{case_id}").status_code == 200

    left = api.post(f"/api/cases/{case_id}/members/{added.json()['id']}/leave")
    assert left.status_code == 200, left.content
    assert left.json()["left_on"] == str(dt.date.today())
    assert nurse.get(f"/api/cases/{case_id}").status_code == 404
    assert nurse.get(f"/api/children/{child.pk}/cases").status_code == 404
    members = api.get(f"/api/cases/{case_id}").json()["members"]
    assert [m["practitioner"]["id"] for m in members] == [str(social_worker.pk)]
    assert (
        Involvement.objects.filter(practitioner=school_nurse, ended_on__isnull=True).count() == 0
    )
    # Leaving twice: that membership is history now.
    assert api.post(f"/api/cases/{case_id}/members/{added.json()['id']}/leave").status_code == 404


def test_the_lead_or_an_owner_of_open_actions_cannot_leave(api, social_worker, child, teacher):
    case_id = _open(api, child, social_worker)["id"]
    goal = _goal(api, case_id)
    action = _action(api, case_id, goal["id"], teacher)
    members = {m.practitioner_id: m.pk for m in CaseMember.objects.all()}
    lead = api.post(f"/api/cases/{case_id}/members/{members[social_worker.pk]}/leave")
    assert lead.status_code == 422
    assert lead.json()["detail"][0]["loc"] == ["body", "member_id"]
    owner = api.post(f"/api/cases/{case_id}/members/{members[teacher.pk]}/leave")
    assert owner.status_code == 422
    assert "1 open action" in owner.json()["detail"][0]["msg"]
    assert CaseMember.objects.filter(left_on__isnull=False).count() == 0
    api.patch(f"/api/cases/{case_id}/actions/{action['id']}", {"status": "stopped"})
    assert api.post(f"/api/cases/{case_id}/members/{members[teacher.pk]}/leave").status_code == 200


def test_changing_the_lead_keeps_the_old_lead_in_the_team(api, social_worker, child, teacher):
    case_id = _open(api, child, social_worker)["id"]
    response = api.send(
        "put", f"/api/cases/{case_id}/lead", {"lead_professional_id": str(teacher.pk)}
    )
    assert response.status_code == 200, response.content
    assert response.json()["lead_professional"]["id"] == str(teacher.pk)
    ids = {m["practitioner"]["id"] for m in response.json()["members"]}
    assert ids == {str(social_worker.pk), str(teacher.pk)}


def test_reads_are_audited(api, social_worker, child, team):
    case_id = _open(api, child, social_worker)["id"]
    other = factories.ChildFactory()
    factories.InvolvementFactory(child=other, team=team)
    _open(api, other, social_worker)
    with audit_rows() as rows:
        assert api.get(f"/api/cases/{case_id}").status_code == 200
    assert summary(rows) == [("view", "case", child.pk, "api")]
    assert rows[0].record_id == case_id
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}/cases")
    assert [c["id"] for c in response.json()] == [case_id]
    assert summary(rows) == [("view", "case", child.pk, "api")]
    with audit_rows() as rows:
        mine = api.get("/api/cases/mine").json()
    assert {c["child"]["id"] for c in mine} == {str(child.pk), str(other.pk)}
    assert sorted(summary(rows), key=str) == sorted(
        [("list", "case", child.pk, "api"), ("list", "case", other.pk, "api")], key=str
    )


def test_my_cases_are_only_those_i_lead_or_am_in(api, social_worker, child, team, teacher):
    _open(api, child, social_worker)
    elsewhere = factories.ChildFactory()
    factories.InvolvementFactory(child=elsewhere, team=team)
    colleague = factories.UserFactory(role=Role.SOCIAL_WORKER, team=team)
    _open(ApiClient(colleague), elsewhere, colleague)
    assert [c["child"]["id"] for c in api.get("/api/cases/mine").json()] == [str(child.pk)]
    assert ApiClient(teacher).get("/api/cases/mine").json() == []


def test_a_stranger_gets_404_and_a_role_without_the_action_403(
    api, social_worker, child, stranger
):
    case_id = _open(api, child, social_worker)["id"]
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=social_worker.team)
    as_stranger, as_analyst = ApiClient(stranger), ApiClient(analyst)
    before = AccessEvent.objects.exclude(action="denied").count()
    response = as_stranger.get(f"/api/cases/{case_id}")
    assert response.status_code == 404
    assert child.given_name not in response.content.decode()
    assert as_analyst.get(f"/api/cases/{case_id}").status_code == 403
    assert AccessEvent.objects.exclude(action="denied").count() == before
    # Only a manager of the case's own team approves.
    assessment = api.post(f"/api/cases/{case_id}/assessments").json()
    path = f"/api/cases/{case_id}/assessments/{assessment['id']}/approval"
    assert api.post(path, {}).status_code == 403


def test_the_case_page_costs_the_same_queries_however_big(
    api, social_worker, child, teacher, django_assert_max_num_queries
):
    case_id = _open(api, child, social_worker)["id"]
    for i in range(8):
        goal = _goal(api, case_id, f"Goal {i}")
        for j in range(3):
            _action(api, case_id, goal["id"], teacher if j % 2 else social_worker, f"A{i}{j}")
    api.post(f"/api/cases/{case_id}/plan/agreement", {**VIEWS_API, "summary": "Agreed"})
    with django_assert_max_num_queries(20):
        response = api.get(f"/api/cases/{case_id}")
    assert len(response.json()["plan"]["goals"]) == 8
    assert sum(len(g["actions"]) for g in response.json()["plan"]["goals"]) == 24


def test_every_schema_of_the_api_has_its_own_name():
    """The OpenAPI names a component by its class name: two classes of one name (casework's and
    referrals' decision, say) would silently share one schema and break one of the routes."""
    import importlib
    import inspect

    from ninja import Schema

    seen: dict[str, str] = {}
    clashes = []
    for module in ("people.api", "referrals.api", "jobs.api", "casework.api"):
        loaded = importlib.import_module(f"tandem.{module}")
        for name, cls in inspect.getmembers(loaded, inspect.isclass):
            if not issubclass(cls, Schema) or cls.__module__ != loaded.__name__:
                continue
            if name in seen:
                clashes.append((name, seen[name], module))
            seen[name] = module
    assert seen
    assert not clashes
