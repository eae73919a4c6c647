"""A demo case, so that `tandem demo` shows casework: the charity's family support worker leads
the team around one of their families, with actions for themselves and for the school, an agreed
plan and a review coming up. Made through the services, as a practitioner would. Synthetic only.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.access.grants import child_grant
from tandem.access.policies import visible_children_q
from tandem.casework import services
from tandem.casework.voice import Views
from tandem.partners.models import User
from tandem.people.models import Person

WORK = "direct_work"


@transaction.atomic
def demo_case_create(*, lead: User, partner_worker: User):
    """Open a case for the lead's youngest school-age child and agree a plan with two actions."""
    ten_years_ago = timezone.localdate() - dt.timedelta(days=365 * 10)
    child = (
        Person.objects.filter(visible_children_q(lead), date_of_birth__lte=ten_years_ago)
        .exclude(cases__status="open")  # the synthetic partnership has casework of its own
        .order_by("-date_of_birth", "pk")
        .first()
    )
    if child is None:
        return None
    grant = child_grant(actor=lead, child_id=child.pk, purpose=WORK)
    case = services.case_open(grant=grant, level="early_help", lead_professional_id=lead.pk)
    goal = services.plan_goal_add(
        actor=lead,
        case_id=case.pk,
        text="I want to get to school on time and not miss my mates",
        in_childs_words=True,
        purpose=WORK,
    )
    today = timezone.localdate()
    for owner, text, days in (
        (lead, "Help with a morning routine: visit twice a week before school", 7),
        (partner_worker, "Check attendance each Friday and tell the family support worker", 5),
    ):
        services.plan_action_add(
            actor=lead,
            case_id=case.pk,
            goal_id=goal.pk,
            text=text,
            owner_id=owner.pk,
            due_on=today + dt.timedelta(days=days),
            purpose=WORK,
        )
    services.plan_agree(
        actor=lead,
        case_id=case.pk,
        summary="Plan agreed at the first team around the family meeting",
        views=Views(
            child_view="Mornings are hard because I look after my little brother.",
            child_view_how="in_person",
            parent_view="I want help in the mornings, not someone checking up on me.",
            parent_view_how="in_person",
        ),
        review_every_weeks=6,
        purpose=WORK,
    )
    return case
