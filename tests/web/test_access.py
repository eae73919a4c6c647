"""Who reaches which page: anonymous users sign in first, and a practitioner who may use a page
in general still gets 404 for a child or referral that is not theirs (never a 403, never a hint
that it exists)."""

import uuid

import pytest
from django.urls import URLPattern, get_resolver, reverse

from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.people.models import Event, Person, Relationship
from tandem.referrals.models import Referral, ThresholdDecision
from tests import factories
from tests.voices import VIEWS_FORM
from tests.web.support import child_of_team, text_of

pytestmark = pytest.mark.django_db

# Every page is one of these; a new page that is not listed fails `test_every_page_is_classified`.
PUBLIC = {"sign-in", "start"}
POST_ONLY = {"sign-out"}


def web_patterns() -> list[URLPattern]:
    web = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "web")
    return list(web.url_patterns)


def example_url(pattern: URLPattern) -> str:
    kwargs = {name: uuid.uuid4() for name in pattern.pattern.converters}
    return reverse(f"web:{pattern.name}", kwargs=kwargs)


def test_every_page_is_classified():
    names = {p.name for p in web_patterns()}
    assert names >= PUBLIC | POST_ONLY
    assert len(names) > 10


@pytest.mark.parametrize("pattern", web_patterns(), ids=lambda p: p.name)
def test_anonymous_users_are_sent_to_sign_in(client, pattern):
    url = example_url(pattern)
    if pattern.name in PUBLIC:
        assert client.get(url).status_code in (200, 302)
        if pattern.name == "start":
            assert client.get(url)["Location"] == reverse("web:sign-in")
        return
    if pattern.name in POST_ONLY:
        assert client.get(url).status_code == 405
        assert client.post(url)["Location"] == reverse("web:sign-in")
        return
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('web:sign-in')}?next=")
    assert not AccessEvent.objects.exists()


CHILD_PAGES = [
    "child",
    "child-household",
    "child-referrals",
    "child-chronology",
    "child-edit",
    "event-new",
    "relationship-new",
]


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_a_child_that_is_not_yours_is_not_found(signed_in, stranger, child, name):
    client = signed_in(stranger)
    url = reverse(f"web:{name}", kwargs={"child_id": child.pk})
    missing = reverse(f"web:{name}", kwargs={"child_id": uuid.uuid4()})
    response = client.get(url)
    assert response.status_code == 404
    # The same page as for an id that does not exist: nothing tells the two apart.
    assert text_of(response) == text_of(client.get(missing))
    assert (
        client.post(
            url,
            {
                "given_name": "X",
                "family_name": "Y",
                "sex": "U",
                "kind": "note",
                "summary": "x",
                "person": "new",
                "adult_given_name": "A",
                "adult_family_name": "B",
            },
        ).status_code
        == 404
    )
    assert child.full_name not in response.content.decode()
    # Nothing read or written: only the refusals, for the IG lead (GET, POST, and the missing id).
    assert set(AccessEvent.objects.values_list("action", flat=True)) == {"denied"}
    assert AccessEvent.objects.filter(person_id=child.pk, actor=stranger).count() == 2
    assert not Event.objects.exists()
    assert Person.objects.count() == 1


def test_a_referral_for_a_child_that_is_not_yours_is_not_found(signed_in, stranger, child):
    response = signed_in(stranger).get(f"{reverse('web:referral-new')}?child={child.pk}")
    assert response.status_code == 404
    assert (
        signed_in(stranger).get(f"{reverse('web:referral-new')}?child=not-a-uuid").status_code
        == 404
    )
    assert not AccessEvent.objects.filter(person_id=child.pk).exists()


def test_a_relationship_of_another_child_is_not_found(signed_in, social_worker, team):
    """The nested id must belong to its parent: a relationship of child B under child A's
    address is refused, even though the user may see both children."""
    first, second = child_of_team(team), child_of_team(team)
    parent = factories.AdultFactory()
    theirs = Relationship.objects.create(person_a=parent, person_b=second, kind="parent")
    client = signed_in(social_worker)
    url = reverse(
        "web:relationship-remove", kwargs={"child_id": first.pk, "relationship_id": theirs.pk}
    )
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Relationship.objects.filter(pk=theirs.pk).exists()
    # Under its own child it is found.
    own = reverse(
        "web:relationship-remove", kwargs={"child_id": second.pk, "relationship_id": theirs.pk}
    )
    assert client.get(own).status_code == 200


def test_removing_a_relationship_of_a_child_that_is_not_yours_is_not_found(
    signed_in, stranger, child
):
    parent = factories.AdultFactory()
    relationship = Relationship.objects.create(person_a=parent, person_b=child, kind="parent")
    url = reverse(
        "web:relationship-remove",
        kwargs={"child_id": child.pk, "relationship_id": relationship.pk},
    )
    assert signed_in(stranger).post(url).status_code == 404
    assert Relationship.objects.filter(pk=relationship.pk).exists()


@pytest.fixture
def referral(front_door):
    team, _ = front_door
    return factories.ReferralFactory(to_team=team)


@pytest.mark.parametrize(
    "name", ["referral", "referral-sent", "referral-decision", "referral-feedback"]
)
def test_a_referral_that_is_not_yours_is_not_found(signed_in, referral, name):
    outsider = factories.UserFactory(role=Role.TEAM_MANAGER)  # decides referrals, but not this one
    client = signed_in(outsider)
    url = reverse(f"web:{name}", kwargs={"referral_id": referral.pk})
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {**VIEWS_FORM, "decision": "nfa", "reasons": "x", "message": "x"}
        ).status_code
        == 404
    )
    assert not ThresholdDecision.objects.exists()
    assert not AccessEvent.objects.filter(person_id=referral.child_id).exists()


@pytest.mark.parametrize("name", ["referral-decision", "referral-feedback"])
def test_only_the_receiving_team_decides_even_when_it_can_see_the_child(signed_in, referral, name):
    """A social worker whose team works with the child sees the referral in full, but the
    decision belongs to the team it was sent to."""
    other = factories.TeamFactory()
    factories.InvolvementFactory(child=referral.child, team=other)
    client = signed_in(factories.UserFactory(role=Role.SOCIAL_WORKER, team=other))
    assert (
        client.get(reverse("web:referral", kwargs={"referral_id": referral.pk})).status_code == 200
    )
    url = reverse(f"web:{name}", kwargs={"referral_id": referral.pk})
    assert client.post(url, {**VIEWS_FORM, "decision": "nfa", "reasons": "x"}).status_code == 404
    assert not ThresholdDecision.objects.exists()


def test_a_role_that_does_not_decide_gets_403_on_the_queue(signed_in, front_door):
    team, _ = front_door
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=team)
    referral = factories.ReferralFactory(to_team=team)
    client = signed_in(dsl)
    assert client.get(reverse("web:referrals-received")).status_code == 403
    url = reverse("web:referral-decision", kwargs={"referral_id": referral.pk})
    assert client.post(url, {**VIEWS_FORM, "decision": "nfa", "reasons": "x"}).status_code == 403
    assert Referral.objects.get().status == "submitted"


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.SYSTEM_ADMIN, Role.IG_LEAD])
@pytest.mark.parametrize(
    "name", ["caseload", "child-find", "referral-new", "referrals-made", "known"]
)
def test_roles_without_practitioner_work_get_403(signed_in, role, name):
    team = None if role == Role.SYSTEM_ADMIN else factories.TeamFactory()
    client = signed_in(factories.UserFactory(role=role, team=team))
    assert client.get(reverse(f"web:{name}")).status_code == 403


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PARTNERSHIP_ANALYST])
def test_only_ig_leads_read_the_audit_trail(signed_in, role):
    client = signed_in(factories.UserFactory(role=role))
    assert client.get(reverse("web:audit")).status_code == 403
    assert list(AccessEvent.objects.values_list("action", "detail__reason")) == [
        ("denied", "role")
    ]
