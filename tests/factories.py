"""factory_boy factories for the shared record. Synthetic data only."""

import datetime as dt

import factory
from django.utils import timezone

from tandem.access.models import Involvement, InvolvementKind
from tandem.partners.models import Partner, PartnerKind, Role, Team, User
from tandem.people.models import Household, HouseholdMember, Person
from tandem.referrals.models import Referral

PASSWORD = "correct-horse-battery-staple"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = PartnerKind.LOCAL_AUTHORITY
    contact_name = "Safeguarding hub"
    contact_email = factory.Sequence(lambda n: f"hub{n}@partner.example")
    contact_phone = "01632 960000"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    receives_referrals = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Worker{n}")
    role = Role.SOCIAL_WORKER
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    is_child = True
    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Example"
    date_of_birth = dt.date(2012, 5, 17)
    sex = "F"
    ethnicity = "WBRI"
    postcode = "ZZ99 3AA"


class AdultFactory(ChildFactory):
    is_child = False
    given_name = factory.Sequence(lambda n: f"Adult{n}")
    date_of_birth = dt.date(1985, 1, 2)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = "The Example household"
    postcode = "ZZ99 3AA"


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(ChildFactory)


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    child = factory.SubFactory(ChildFactory)
    team = factory.SubFactory(TeamFactory)
    kind = InvolvementKind.OWNING_TEAM
    started_on = dt.date(2024, 1, 1)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    child = factory.SubFactory(ChildFactory)
    made_by = factory.SubFactory(UserFactory, role=Role.SCHOOL_DSL)
    from_team = factory.SelfAttribute("made_by.team")
    source = "2A"
    to_team = factory.SubFactory(TeamFactory, receives_referrals=True)
    received_at = factory.LazyFunction(timezone.now)
    concerns = "Attendance has dropped and she seems withdrawn."
    family_aware = "yes"
