import datetime as dt

import pytest

from tandem.casework import services
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.grants import grant_for


@pytest.fixture
def school_nurse():
    team = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.NHS_TRUST))
    return factories.UserFactory(role=Role.HEALTH_PRACTITIONER, team=team)


@pytest.fixture
def teacher():
    team = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.SCHOOL))
    return factories.UserFactory(role=Role.SCHOOL_DSL, team=team)


@pytest.fixture
def manager(team):
    return factories.UserFactory(role=Role.TEAM_MANAGER, team=team)


@pytest.fixture
def case(social_worker, child):
    return services.case_open(
        grant=grant_for(social_worker, child.pk, "direct_work"),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )


@pytest.fixture
def goal(social_worker, case):
    return services.plan_goal_add(
        actor=social_worker,
        case_id=case.pk,
        text="I want to go to school every day",
        in_childs_words=True,
        purpose="direct_work",
    )


@pytest.fixture
def agreed_plan(social_worker, case, goal, teacher):
    from tests.voices import VIEWS

    services.plan_action_add(
        actor=social_worker,
        case_id=case.pk,
        goal_id=goal.pk,
        text="Meet every Monday to plan the week",
        owner_id=teacher.pk,
        due_on=dt.date.today() + dt.timedelta(days=3),
        purpose="direct_work",
    )
    services.plan_agree(
        actor=social_worker,
        case_id=case.pk,
        summary="Plan agreed at the meeting at home",
        views=VIEWS,
        review_every_weeks=6,
        purpose="direct_work",
    )
    return case.plan
