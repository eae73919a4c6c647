"""The team around the family, assessment, plan, reviews, steps, closure and reopening."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.access.errors import NotFound
from tandem.audit.models import AccessEvent
from tandem.casework import selectors, services
from tandem.casework.models import GoalResult, PlanHistory
from tandem.casework.suggest import level_suggest
from tandem.partners.models import Role
from tests import factories
from tests.grants import access_basis, grant_for
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db
WORK = "direct_work"


def test_opening_a_case_makes_the_lead_a_member(social_worker, case, child):
    assert case.lead_professional == social_worker
    assert [m.practitioner for m in case.members.all()] == [social_worker]
    row = AccessEvent.objects.get(record_type="case", action="create")
    assert (row.person_id, row.actor_id) == (child.pk, social_worker.pk)


def test_one_open_case_per_child(social_worker, case, child):
    with pytest.raises(ValidationError) as e:
        services.case_open(
            grant=grant_for(social_worker, child.pk, WORK),
            level="early_help",
            lead_professional_id=social_worker.pk,
        )
    assert "child_id" in e.value.message_dict


def test_a_stranger_cannot_open_or_change_a_case(stranger, case, child):
    with pytest.raises(NotFound):
        services.case_open(
            grant=grant_for(stranger, child.pk, WORK),
            level="early_help",
            lead_professional_id=stranger.pk,
        )
    with pytest.raises(NotFound):
        services.plan_goal_add(
            actor=stranger, case_id=case.pk, text="x", in_childs_words=False, purpose=WORK
        )
    with pytest.raises(NotFound):
        selectors.case_get(actor=stranger, case_id=case.pk, purpose=WORK)


def test_an_action_owner_from_another_partner_joins_the_team(
    social_worker, case, goal, teacher, school_nurse
):
    assert access_basis(teacher, case.child_id) is None
    for owner in (teacher, school_nurse):
        services.plan_action_add(
            actor=social_worker,
            case_id=case.pk,
            goal_id=goal.pk,
            text="Check in weekly",
            owner_id=owner.pk,
            due_on=dt.date(2026, 12, 1),
            purpose=WORK,
        )
    members = {m.practitioner for m in case.members.filter(left_on__isnull=True)}
    assert members == {social_worker, teacher, school_nurse}
    # A member of the team around the family is involved, not allocated (not the whole record).
    assert access_basis(teacher, case.child_id) == "team owns or is involved in the case"
    view = selectors.case_get(actor=teacher, case_id=case.pk, purpose=WORK)
    assert [a.owner for a in view.goals[0].actions.all()] == [teacher, school_nurse]


def test_a_bad_action_names_each_field(social_worker, case, goal):
    with pytest.raises(ValidationError) as e:
        services.plan_action_add(
            actor=social_worker,
            case_id=case.pk,
            goal_id=goal.pk,
            text=" ",
            owner_id=None,
            due_on=None,
            purpose=WORK,
        )
    assert set(e.value.message_dict) == {"text", "owner_id", "due_on"}
    assert not goal.actions.exists()


def test_a_goal_of_another_case_is_not_found(social_worker, case, team):
    other_child = factories.ChildFactory()
    factories.InvolvementFactory(child=other_child, team=team)
    other = services.case_open(
        grant=grant_for(social_worker, other_child.pk, WORK),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    other_goal = services.plan_goal_add(
        actor=social_worker, case_id=other.pk, text="x", in_childs_words=False, purpose=WORK
    )
    with pytest.raises(NotFound):
        services.plan_action_add(
            actor=social_worker,
            case_id=case.pk,
            goal_id=other_goal.pk,
            text="x",
            owner_id=social_worker.pk,
            due_on=dt.date(2026, 12, 1),
            purpose=WORK,
        )


def test_the_system_suggests_a_level_with_reasons_but_never_sets_it(
    social_worker, case, teacher, manager
):
    assessment = services.assessment_start(actor=social_worker, case_id=case.pk, purpose=WORK)
    for area, rating in [
        ("education", "significant_need"),
        ("family", "significant_need"),
        ("health", "strength"),
    ]:
        services.assessment_factor_add(
            actor=social_worker,
            case_id=case.pk,
            assessment_id=assessment.pk,
            area=area,
            rating=rating,
            evidence="Seen at school",
            source_partner_id=teacher.team.partner_id,
            purpose=WORK,
        )
    suggestion = level_suggest(assessment.factors.all())
    assert suggestion.level == "child_in_need"
    assert suggestion.reasons == [
        "Significant need in 2 areas: Education and learning, Family and relationships",
        "Strengths to build on: Health",
    ]
    assessment.refresh_from_db()
    assert assessment.level == ""
    # The practitioner chooses otherwise; their choice stands.
    services.assessment_submit(
        actor=social_worker,
        case_id=case.pk,
        assessment_id=assessment.pk,
        level="early_help",
        summary="Family want early help first",
        views=VIEWS,
        purpose=WORK,
    )
    assessment.refresh_from_db()
    assert (assessment.level, assessment.status) == ("early_help", "submitted")
    assert assessment.outcome.kind == "assessment_outcome"


def test_suggestions_for_each_level():
    class F:
        def __init__(self, area, rating):
            self.area, self.rating = area, rating

    assert level_suggest([]) is None
    assert level_suggest([F("safety", "serious_concern")]).level == "child_protection"
    assert level_suggest([F("safety", "some_need")]).level == "early_help"
    assert level_suggest([F("safety", "no_concern")]).level == "universal"


def test_a_factor_names_its_source_partner(social_worker, case):
    assessment = services.assessment_start(actor=social_worker, case_id=case.pk, purpose=WORK)
    with pytest.raises(ValidationError) as e:
        services.assessment_factor_add(
            actor=social_worker,
            case_id=case.pk,
            assessment_id=assessment.pk,
            area="health",
            rating="bogus",
            evidence="",
            source_partner_id=None,
            purpose=WORK,
        )
    assert "source_partner_id" in e.value.message_dict
    assert not assessment.factors.exists()


def _submitted(social_worker, case, teacher):
    assessment = services.assessment_start(actor=social_worker, case_id=case.pk, purpose=WORK)
    services.assessment_factor_add(
        actor=social_worker,
        case_id=case.pk,
        assessment_id=assessment.pk,
        area="education",
        rating="some_need",
        evidence="Late most days",
        source_partner_id=teacher.team.partner_id,
        purpose=WORK,
    )
    return services.assessment_submit(
        actor=social_worker,
        case_id=case.pk,
        assessment_id=assessment.pk,
        level="early_help",
        summary="Early help",
        views=VIEWS,
        purpose=WORK,
    )


def test_only_a_team_manager_of_the_case_team_approves(social_worker, case, teacher, manager):
    assessment = _submitted(social_worker, case, teacher)
    with pytest.raises(PermissionDenied):
        services.assessment_approve(
            actor=social_worker, case_id=case.pk, assessment_id=assessment.pk, purpose=WORK
        )
    other_manager = factories.UserFactory(role=Role.TEAM_MANAGER)
    with pytest.raises(NotFound):
        services.assessment_approve(
            actor=other_manager, case_id=case.pk, assessment_id=assessment.pk, purpose=WORK
        )
    services.assessment_approve(
        actor=manager, case_id=case.pk, assessment_id=assessment.pk, note="Agreed", purpose=WORK
    )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.approved_by) == ("approved", manager)


def test_steps_up_and_down_are_kept_as_transitions(social_worker, case):
    services.case_step(
        actor=social_worker,
        case_id=case.pk,
        to_level="statutory",
        summary="Up",
        views=VIEWS,
        purpose=WORK,
    )
    services.case_step(
        actor=social_worker,
        case_id=case.pk,
        to_level="early_help",
        summary="Down",
        views=VIEWS,
        purpose=WORK,
    )
    moves = [(t.from_level, t.to_level, t.decision.kind) for t in case.transitions.all()]
    assert moves == [
        ("early_help", "statutory", "step_up"),
        ("statutory", "early_help", "step_down"),
    ]
    with pytest.raises(ValidationError) as e:
        services.case_step(
            actor=social_worker,
            case_id=case.pk,
            to_level="early_help",
            summary="x",
            views=VIEWS,
            purpose=WORK,
        )
    assert "to_level" in e.value.message_dict


def test_review_moves_the_next_review_on(social_worker, agreed_plan):
    today = dt.date.today()
    assert agreed_plan.next_review_on == today + dt.timedelta(weeks=6)
    services.review_record(
        actor=social_worker,
        case_id=agreed_plan.case_id,
        summary="Better",
        views=VIEWS,
        purpose=WORK,
    )
    agreed_plan.refresh_from_db()
    assert agreed_plan.next_review_on == today + dt.timedelta(weeks=6)
    assert agreed_plan.reviews.get().decision.kind == "review_outcome"


def test_closure_needs_an_outcome_for_every_goal_and_reopening_keeps_history(
    social_worker, agreed_plan, goal
):
    case = agreed_plan.case
    second = services.plan_goal_add(
        actor=social_worker,
        case_id=case.pk,
        text="Feel calmer",
        in_childs_words=False,
        purpose=WORK,
    )
    with pytest.raises(ValidationError) as e:
        services.case_close(
            actor=social_worker,
            case_id=case.pk,
            reason="Done",
            outcomes={goal.pk: ("achieved", "")},
            views=VIEWS,
            purpose=WORK,
        )
    assert list(e.value.message_dict) == [f"outcome_{second.pk}"]
    services.case_close(
        actor=social_worker,
        case_id=case.pk,
        reason="Done",
        outcomes={goal.pk: ("achieved", "Every day since May"), second.pk: ("partly", "")},
        views=VIEWS,
        purpose=WORK,
    )
    case.refresh_from_db()
    assert case.status == "closed"
    with pytest.raises(ValidationError):
        services.plan_goal_add(
            actor=social_worker, case_id=case.pk, text="x", in_childs_words=False, purpose=WORK
        )
    services.case_reopen(
        actor=social_worker, case_id=case.pk, reason="New worries", views=VIEWS, purpose=WORK
    )
    case.refresh_from_db()
    assert case.status == "open"
    closure = case.closures.get()
    assert closure.reopened_by.kind == "reopening"
    assert {(r.goal_id, r.outcome) for r in GoalResult.objects.all()} == {
        (goal.pk, "achieved"),
        (second.pk, "partly"),
    }
    history = [h.what for h in PlanHistory.objects.filter(plan=agreed_plan)]
    assert history[-3:] == ["Goal added: Feel calmer", "Case closed", "Case reopened"]
    assert case.plan.goals.count() == 2


def test_case_view_reads_in_a_fixed_number_of_queries(
    social_worker, agreed_plan, django_assert_max_num_queries
):
    case = agreed_plan.case
    for i in range(5):
        g = services.plan_goal_add(
            actor=social_worker,
            case_id=case.pk,
            text=f"Goal {i}",
            in_childs_words=False,
            purpose=WORK,
        )
        services.plan_action_add(
            actor=social_worker,
            case_id=case.pk,
            goal_id=g.pk,
            text="Do it",
            owner_id=factories.UserFactory(role=Role.SCHOOL_DSL).pk,
            due_on=dt.date(2026, 12, 1),
            purpose=WORK,
        )
    with django_assert_max_num_queries(16):
        view = selectors.case_get(actor=social_worker, case_id=case.pk, purpose=WORK)
        for g in view.goals:
            for a in g.actions.all():
                str(a.owner.team.partner)
    assert AccessEvent.objects.filter(action="view", record_type="case").count() == 1


def test_closing_ends_the_access_the_team_around_the_family_gave(
    social_worker, agreed_plan, goal, teacher
):
    """The teacher saw the child as an action's owner; once the case closes, no longer."""
    case = agreed_plan.case
    assert access_basis(teacher, case.child_id) is not None
    services.case_close(
        actor=social_worker,
        case_id=case.pk,
        reason="Done",
        outcomes={goal.pk: ("achieved", "")},
        views=VIEWS,
        purpose=WORK,
    )
    assert access_basis(teacher, case.child_id) is None
    assert not case.members.filter(left_on__isnull=True).exists()
    services.case_reopen(
        actor=social_worker, case_id=case.pk, reason="New worries", views=VIEWS, purpose=WORK
    )
    assert [m.practitioner for m in case.members.filter(left_on__isnull=True)] == [social_worker]
    assert access_basis(teacher, case.child_id) is None  # re-invited, not let back in by default


def test_a_front_door_deciding_a_referral_sees_who_the_child_is_not_the_family_plan(
    case, goal, child, front_door
):
    """An open referral to a team shows it the child's identity only (issue 4's categories):
    the case, its assessment and plan are casework, so that team finds no case at all."""
    team, manager = front_door
    factories.ReferralFactory(child=child, to_team=team)
    assert access_basis(manager, child.pk) == "open referral to your team"
    assert selectors.cases_for_child(grant=grant_for(manager, child.pk, "referral")) == []
    with pytest.raises(NotFound):
        selectors.case_get(actor=manager, case_id=case.pk, purpose="referral")
    with pytest.raises(NotFound):
        services.plan_goal_add(
            actor=manager, case_id=case.pk, text="x", in_childs_words=False, purpose="referral"
        )


def test_an_involved_partner_sees_the_case(case, child, school_nurse):
    factories.InvolvementFactory(child=child, team=school_nurse.team, kind="involved")
    cases = selectors.cases_for_child(grant=grant_for(school_nurse, child.pk, "direct_work"))
    assert [c.pk for c in cases] == [case.pk]
    assert selectors.case_get(actor=school_nurse, case_id=case.pk, purpose="direct_work")
