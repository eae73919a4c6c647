"""No decision about me without me: every kind of decision is refused, whole, without the
child's and the parent's or carer's view (or why each was not gathered), naming the field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tandem.casework import services
from tandem.casework.models import (
    Assessment,
    CaseTransition,
    Closure,
    DecisionRecord,
    PlanHistory,
    Review,
)
from tandem.casework.voice import Views, views_errors
from tandem.referrals.models import ThresholdDecision
from tandem.referrals.services import referral_decide
from tests import factories
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db

NO_CHILD_VIEW = Views(parent_view="We need help with mornings.", parent_view_how="phone_or_video")
NO_PARENT_VIEW = Views(child_not_gathered="too_young")


@pytest.mark.parametrize(
    ("views", "field", "message"),
    [
        (
            Views(),
            "child_view",
            "Record the child's view in their words, or why it was not gathered",
        ),
        (
            NO_CHILD_VIEW,
            "child_view",
            "Record the child's view in their words, or why it was not gathered",
        ),
        (
            NO_PARENT_VIEW,
            "parent_view",
            "Record the parent's or carer's view in their words, or why it was not gathered",
        ),
        (
            Views(child_view="Fine", parent_not_gathered="declined"),
            "child_view_how",
            "Choose how the child's view was gathered",
        ),
        (
            Views(
                child_view="Fine",
                child_view_how="in_person",
                child_not_gathered="declined",
                parent_not_gathered="declined",
            ),
            "child_view",
            "Record the child's view or why it was not gathered, not both",
        ),
        (
            Views(child_not_gathered="too_young", parent_not_gathered="too_young"),
            "parent_not_gathered",
            "A parent or carer cannot be too young to ask",
        ),
        (
            Views(child_not_gathered="busy", parent_not_gathered="declined"),
            "child_not_gathered",
            "Choose why the child's view was not gathered",
        ),
    ],
)
def test_views_errors_name_the_field(views, field, message):
    assert views_errors(views)[field] == message


def test_good_views_have_no_errors():
    assert views_errors(VIEWS) == {}
    assert views_errors(Views(child_not_gathered="not_safe", parent_not_gathered="not_safe")) == {}


NOT_ASKED = Views(child_not_gathered="not_asked_yet", parent_not_gathered="not_asked_yet")


def test_not_asked_yet_is_honest_only_at_the_front_door():
    assert views_errors(NOT_ASKED, "threshold") == {}
    errors = views_errors(NOT_ASKED, "assessment_outcome")
    assert set(errors) == {"child_not_gathered", "parent_not_gathered"}
    assert "only for a front door's decision" in errors["child_not_gathered"]


def test_threshold_decision_may_say_not_asked_yet(front_door):
    team, manager = front_door
    referral = factories.ReferralFactory(to_team=team)
    referral_decide(
        actor=manager,
        referral_id=referral.pk,
        decision="early_help",
        reasons="Needs support",
        views=NOT_ASKED,
        purpose="referral",
    )
    record = DecisionRecord.objects.get()
    assert (record.child_not_gathered, record.parent_not_gathered) == ("not_asked_yet",) * 2


def _refused(call, field):
    with pytest.raises(ValidationError) as e:
        call()
    assert field in e.value.message_dict
    return e.value.message_dict[field]


BAD = [(NO_CHILD_VIEW, "child_view"), (NO_PARENT_VIEW, "parent_view")]


@pytest.mark.parametrize(("views", "field"), BAD)
def test_threshold_decision_without_a_view_saves_nothing(front_door, views, field):
    team, manager = front_door
    referral = factories.ReferralFactory(to_team=team)
    _refused(
        lambda: referral_decide(
            actor=manager,
            referral_id=referral.pk,
            decision="early_help",
            reasons="Needs support",
            views=views,
            purpose="referral",
        ),
        field,
    )
    referral.refresh_from_db()
    assert referral.status == "submitted"
    assert not ThresholdDecision.objects.exists()
    assert not DecisionRecord.objects.exists()
    assert not referral.child.involvements.exists()


def test_threshold_decision_keeps_the_views(front_door):
    team, manager = front_door
    referral = factories.ReferralFactory(to_team=team)
    referral_decide(
        actor=manager,
        referral_id=referral.pk,
        decision="early_help",
        reasons="Needs support",
        views=VIEWS,
        purpose="referral",
    )
    record = DecisionRecord.objects.get()
    assert (record.kind, record.referral_id, record.team_id) == ("threshold", referral.pk, team.pk)
    assert record.child_view == VIEWS.child_view
    assert record.parent_not_gathered == "declined"


@pytest.mark.parametrize(("views", "field"), [*BAD, (NOT_ASKED, "child_not_gathered")])
def test_assessment_outcome_without_a_view_saves_nothing(
    social_worker, case, teacher, views, field
):
    assessment = services.assessment_start(
        actor=social_worker, case_id=case.pk, purpose="direct_work"
    )
    services.assessment_factor_add(
        actor=social_worker,
        case_id=case.pk,
        assessment_id=assessment.pk,
        area="education",
        rating="some_need",
        evidence="Attendance 82% this term",
        source_partner_id=teacher.team.partner_id,
        purpose="direct_work",
    )
    _refused(
        lambda: services.assessment_submit(
            actor=social_worker,
            case_id=case.pk,
            assessment_id=assessment.pk,
            level="early_help",
            summary="Early help plan",
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    assessment = Assessment.objects.get()
    assert (assessment.status, assessment.level, assessment.outcome) == ("draft", "", None)
    assert not DecisionRecord.objects.exists()


@pytest.mark.parametrize(("views", "field"), BAD)
def test_plan_agreement_without_a_view_saves_nothing(social_worker, case, goal, views, field):
    _refused(
        lambda: services.plan_agree(
            actor=social_worker,
            case_id=case.pk,
            summary="Agreed",
            views=views,
            review_every_weeks=6,
            purpose="direct_work",
        ),
        field,
    )
    case.plan.refresh_from_db()
    assert (case.plan.status, case.plan.next_review_on) == ("draft", None)
    assert not DecisionRecord.objects.exists()
    assert not PlanHistory.objects.filter(decision__isnull=False).exists()


@pytest.mark.parametrize(("views", "field"), BAD)
def test_plan_change_without_a_view_saves_nothing(social_worker, agreed_plan, views, field):
    case = agreed_plan.case
    services.plan_goal_add(
        actor=social_worker,
        case_id=case.pk,
        text="Sleep better",
        in_childs_words=False,
        purpose="direct_work",
    )
    _refused(
        lambda: services.plan_agree(
            actor=social_worker,
            case_id=case.pk,
            summary="Changed",
            views=views,
            review_every_weeks=4,
            purpose="direct_work",
        ),
        field,
    )
    agreed_plan.refresh_from_db()
    assert agreed_plan.has_unagreed_changes
    assert agreed_plan.review_every_weeks == 6
    assert DecisionRecord.objects.filter(kind="plan_changed").count() == 0


@pytest.mark.parametrize(("views", "field"), BAD)
def test_review_without_a_view_saves_nothing(social_worker, agreed_plan, views, field):
    before = agreed_plan.next_review_on
    _refused(
        lambda: services.review_record(
            actor=social_worker,
            case_id=agreed_plan.case_id,
            summary="Going well",
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    agreed_plan.refresh_from_db()
    assert agreed_plan.next_review_on == before
    assert not Review.objects.exists()
    assert not DecisionRecord.objects.filter(kind="review_outcome").exists()


@pytest.mark.parametrize("to_level", ["statutory"])
@pytest.mark.parametrize(("views", "field"), BAD)
def test_step_up_without_a_view_saves_nothing(social_worker, case, views, field, to_level):
    _refused(
        lambda: services.case_step(
            actor=social_worker,
            case_id=case.pk,
            to_level=to_level,
            summary="Escalating",
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    case.refresh_from_db()
    assert case.level == "early_help"
    assert not CaseTransition.objects.exists()
    assert not DecisionRecord.objects.exists()


@pytest.mark.parametrize(("views", "field"), BAD)
def test_step_down_without_a_view_saves_nothing(social_worker, case, views, field):
    services.case_step(
        actor=social_worker,
        case_id=case.pk,
        to_level="statutory",
        summary="Up",
        views=VIEWS,
        purpose="direct_work",
    )
    _refused(
        lambda: services.case_step(
            actor=social_worker,
            case_id=case.pk,
            to_level="early_help",
            summary="Down",
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    case.refresh_from_db()
    assert case.level == "statutory"
    assert CaseTransition.objects.count() == 1


@pytest.mark.parametrize(("views", "field"), BAD)
def test_closure_without_a_view_saves_nothing(social_worker, agreed_plan, goal, views, field):
    case = agreed_plan.case
    _refused(
        lambda: services.case_close(
            actor=social_worker,
            case_id=case.pk,
            reason="Goals met",
            outcomes={goal.pk: ("achieved", "")},
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    case.refresh_from_db()
    assert case.status == "open"
    assert not Closure.objects.exists()


@pytest.mark.parametrize(("views", "field"), BAD)
def test_reopening_without_a_view_saves_nothing(social_worker, agreed_plan, goal, views, field):
    case = agreed_plan.case
    services.case_close(
        actor=social_worker,
        case_id=case.pk,
        reason="Goals met",
        outcomes={goal.pk: ("achieved", "")},
        views=VIEWS,
        purpose="direct_work",
    )
    _refused(
        lambda: services.case_reopen(
            actor=social_worker,
            case_id=case.pk,
            reason="New worries",
            views=views,
            purpose="direct_work",
        ),
        field,
    )
    case.refresh_from_db()
    assert case.status == "closed"
    assert not DecisionRecord.objects.filter(kind="reopening").exists()


def test_the_database_refuses_a_decision_without_views(social_worker, case):
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRecord.objects.create(
            kind="closure",
            child_id=case.child_id,
            case=case,
            team=social_worker.team,
            decided_by=social_worker,
            decided_at=dt.datetime.now(dt.UTC),
            summary="x",
            parent_not_gathered="declined",
        )
