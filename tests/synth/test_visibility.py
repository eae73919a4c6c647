"""Every child is visible to at least one practitioner, through the real access policy."""

from django.utils import timezone

from tandem.access.models import Involvement
from tandem.access.policies import visible_children_q
from tandem.partners.models import Role, User
from tandem.people.models import Person


def test_every_child_is_visible_to_some_practitioner(make_partnership):
    make_partnership(children=400)
    children = set(Person.objects.filter(is_child=True).values_list("pk", flat=True))
    seen = set()
    for user in User.objects.exclude(
        role__in=[Role.PARTNERSHIP_ANALYST, Role.IG_LEAD, Role.SYSTEM_ADMIN]
    ):
        seen |= set(Person.objects.filter(visible_children_q(user)).values_list("pk", flat=True))
    assert seen == children


def test_no_adult_is_listed_as_a_visible_child(make_partnership):
    make_partnership(children=200)
    user = User.objects.filter(role=Role.HEALTH_PRACTITIONER, team__name="Health visiting").first()
    assert not Person.objects.filter(visible_children_q(user), is_child=False).exists()


def test_caseloads_are_fifteen_to_twenty_five(make_partnership):
    make_partnership(children=2000, seed=5)
    today = timezone.localdate()
    for team in ("Children in need team", "Child protection team", "Early help hub"):
        workers = User.objects.filter(
            team__name=team, role__in=[Role.SOCIAL_WORKER, Role.FAMILY_SUPPORT_WORKER]
        )
        open_cases = (
            Involvement.objects.filter(kind="allocated", team__name=team, practitioner__in=workers)
            .exclude(ended_on__lte=today)
            .count()
        )
        assert 10 <= open_cases / workers.count() <= 30, team
