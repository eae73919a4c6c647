"""The synthetic partnership's casework (issue 6): cases for allocated early help and social care
children, with teams, assessments, plans, actions, reviews (some overdue) and a view on every
decision; readable through the selectors by the people the record says may see it."""

import pytest
from django.db.models import Count, F, Q

from tandem.access.models import Involvement
from tandem.casework import selectors
from tandem.casework.models import (
    Action,
    Assessment,
    Case,
    CaseMember,
    DecisionRecord,
    Goal,
    Plan,
    PlanHistory,
    Review,
)
from tandem.casework.voice import VIEW_FIELDS, Views, views_errors
from tandem.partners.models import User
from tests.grants import access_basis
from tests.synth.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(make_partnership):
    make_partnership(children=2000, seed=11)


def test_allocated_children_have_cases_led_by_their_worker(partnership):
    cases = list(Case.objects.select_related("team"))
    assert len(cases) > 50
    assert {c.status for c in cases} == {"open"}
    assert {c.level for c in cases} == {"early_help", "statutory"}
    for case in cases[:100]:
        assert Involvement.objects.filter(
            child_id=case.child_id,
            team_id=case.team_id,
            practitioner_id=case.lead_professional_id,
            kind="allocated",
            ended_on__isnull=True,
        ).exists()
        assert access_basis(case.lead_professional, case.child_id)
    # One open case per child.
    assert Case.objects.values("child").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def test_every_member_can_see_the_child(partnership):
    members = CaseMember.objects.select_related("case", "practitioner")
    schools = [m for m in members if m.role_in_team == "School"]
    assert schools, "some schools are in a team around the family"
    for member in list(members)[:200]:
        assert access_basis(member.practitioner, member.case.child_id), member.role_in_team


def test_every_decision_has_both_views_or_why_not(partnership):
    decisions = list(DecisionRecord.objects.values(*VIEW_FIELDS, "kind", "case__child__pk"))
    assert {d["kind"] for d in decisions} == {
        "assessment_outcome",
        "plan_agreed",
        "review_outcome",
    }
    for d in decisions:
        assert views_errors(Views(**{f: d[f] for f in VIEW_FIELDS})) == {}
    recorded = sum(1 for d in decisions if d["child_view"])
    too_young = sum(1 for d in decisions if d["child_not_gathered"] == "too_young")
    assert 0.3 < recorded / len(decisions) < 0.95
    assert too_young > 0


def test_assessments_plans_and_history_hang_together(partnership):
    approved = Assessment.objects.filter(status="approved")
    drafts = Assessment.objects.filter(status="draft")
    assert approved.exists()
    assert not approved.filter(Q(outcome=None) | Q(approved_by=None) | Q(level="")).exists()
    assert not approved.filter(approved_at__lt=F("outcome__decided_at")).exists()
    assert not drafts.exclude(level="").exists()
    assert not Assessment.objects.annotate(n=Count("factors")).filter(n__lt=3).exists()
    # A plan for every approved assessment, agreed with at least one goal and one action each.
    assert Plan.objects.count() == approved.count()
    assert not Plan.objects.annotate(n=Count("goals")).filter(n=0).exists()
    assert not Goal.objects.annotate(n=Count("actions")).filter(n=0).exists()
    assert Goal.objects.filter(in_childs_words=True).exists()
    # The history: one line per decision about the plan.
    assert PlanHistory.objects.count() == Review.objects.count() + Plan.objects.count()
    assert not Review.objects.filter(held_on__gte=AS_OF).exists()


def test_some_reviews_and_actions_are_overdue(partnership):
    overdue_plans = Plan.objects.filter(next_review_on__lt=AS_OF)
    assert 0 < overdue_plans.count() < Plan.objects.count() / 2
    late = Action.objects.filter(due_on__lt=AS_OF, status__in=["not_started", "in_progress"])
    assert late.exists()
    assert Action.objects.filter(owner__role="school_dsl").exists()  # a partner's action


def test_a_lead_s_work_tray_and_case_page_read_the_synthetic_casework(partnership):
    from freezegun import freeze_time

    lead_id = (
        Plan.objects.filter(next_review_on__lt=AS_OF)
        .values_list("case__lead_professional", flat=True)
        .first()
    )
    lead = User.objects.select_related("team__partner").get(pk=lead_id)
    with freeze_time(AS_OF):
        tray = selectors.work_tray(actor=lead, purpose="direct_work")
        assert tray.reviews.total >= 1
        case = Case.objects.filter(lead_professional=lead).first()
        view = selectors.case_get(actor=lead, case_id=case.pk, purpose="direct_work")
    assert view.members
    assert view.assessments


def test_the_same_seed_gives_the_same_casework(make_partnership):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values_list())
            for model in (Case, DecisionRecord, Action, Review)
        ]

    make_partnership(children=300, seed=5)
    first = snapshot()
    make_partnership(children=300, seed=5)
    assert snapshot() == first
    assert first[0]
