"""The work tray: what is due for one practitioner, most urgent first, in a fixed number of
queries, with one audit row per child shown."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent
from tandem.casework import selectors, services
from tandem.casework.models import Plan
from tandem.portal.services import portal_invite, portal_message_send
from tandem.referrals.models import ThresholdDecision
from tests import factories
from tests.grants import grant_for
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db
WORK = "direct_work"


def _cases(worker, team, teacher, n):
    today = timezone.localdate()
    for i in range(n):
        child = factories.ChildFactory()
        factories.InvolvementFactory(child=child, team=team, kind=InvolvementKind.OWNING_TEAM)
        case = services.case_open(
            grant=grant_for(worker, child.pk, WORK),
            level="early_help",
            lead_professional_id=worker.pk,
        )
        goal = services.plan_goal_add(
            actor=worker, case_id=case.pk, text="Goal", in_childs_words=False, purpose=WORK
        )
        for owner, days in ((worker, i - 1), (teacher, 0), (worker, 30)):
            services.plan_action_add(
                actor=worker,
                case_id=case.pk,
                goal_id=goal.pk,
                text=f"Action {i} in {days}",
                owner_id=owner.pk,
                due_on=today + dt.timedelta(days=days),
                purpose=WORK,
            )
        services.plan_agree(
            actor=worker,
            case_id=case.pk,
            summary="Agreed",
            views=VIEWS,
            review_every_weeks=1,
            purpose=WORK,
        )
        invitation = portal_invite(actor=worker, case_id=case.pk, who="young_person", purpose=WORK)
        portal_message_send(account=invitation.account, text=f"Message {i}")
        referral = factories.ReferralFactory(child=child, to_team=team, status="decided")
        ThresholdDecision.objects.create(
            referral=referral,
            decision="early_help",
            reasons="x",
            decided_by=worker,
            decided_at=timezone.now(),
        )


def test_the_tray_lists_what_is_due_most_urgent_first(
    social_worker, team, teacher, django_assert_max_num_queries
):
    _cases(social_worker, team, teacher, 3)
    with django_assert_max_num_queries(8):
        tray = selectors.work_tray(actor=social_worker, purpose=WORK)
    assert [a["text"] for a in tray.actions] == [
        "Action 0 in -1",
        "Action 1 in 0",
        "Action 2 in 1",
    ]
    assert tray.reviews.total == 3
    assert tray.messages.total == 3
    assert tray.feedback_owed.total == 3
    assert tray.total == 12
    listed = AccessEvent.objects.filter(action="list", record_type="work_tray")
    assert listed.count() == 3  # one row per child, however many times each child appears
    teacher_tray = selectors.work_tray(actor=teacher, purpose=WORK)
    assert teacher_tray.actions.total == 3
    assert (teacher_tray.reviews.total, teacher_tray.messages.total) == (0, 0)
    assert not teacher_tray.decides_referrals


def test_the_tray_shows_the_most_urgent_and_counts_the_rest(
    social_worker, team, teacher, django_assert_max_num_queries
):
    _cases(social_worker, team, teacher, 4)
    Plan.objects.update(next_review_on=timezone.localdate())
    with django_assert_max_num_queries(12):
        tray = selectors.work_tray(actor=social_worker, purpose=WORK, limit=2)
    assert len(tray.actions.rows) == 2
    assert tray.actions.total == 4
    assert tray.reviews.total == 4
    assert len(tray.messages.rows) == 2


def test_closed_cases_and_replied_messages_leave_the_tray(social_worker, team, teacher):
    _cases(social_worker, team, teacher, 1)
    case = Plan.objects.get().case
    message = case.portal.get().messages.get()
    from tandem.portal.services import portal_message_reply

    portal_message_reply(
        actor=social_worker, case_id=case.pk, message_id=message.pk, reply="Thanks", purpose=WORK
    )
    assert selectors.work_tray(actor=social_worker, purpose=WORK).messages.total == 0
    goals = {g.pk: ("achieved", "") for g in case.plan.goals.all()}
    services.case_close(
        actor=social_worker,
        case_id=case.pk,
        reason="Done",
        outcomes=goals,
        views=VIEWS,
        purpose=WORK,
    )
    tray = selectors.work_tray(actor=social_worker, purpose=WORK)
    assert (tray.actions.total, tray.reviews.total) == (0, 0)
