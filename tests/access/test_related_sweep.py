"""The related-records sweep (issue 21): markers sit on the people around a child, not only on
the child, and every page, API read, search (GET and POST), look-up, export, download and work
tray is walked by viewers with each kind of basis, each signed in for real (password, code,
notice). No marker may appear where the policy does not allow it:

- a sibling's refuge (protected) address: only to the people named on it;
- a restricted sibling, and a restricted parent: absent for anyone not named on them.

A sweep that signs in only half-way fails loudly: a request that lands on a sign-in step is an
error, never a page that happens to show nothing.
"""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client

from tandem.access import services as access_services
from tandem.access import subject_access
from tandem.access.models import InvolvementKind, RestrictionKind
from tandem.casework import services as casework
from tandem.linkage.models import ExtractRecord, ExtractUpload, LinkedPerson, MatchPair
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import HouseholdMember, Relationship
from tandem.portal import services as portal
from tests import factories
from tests.grants import grant_for
from tests.signing_in import sign_in_for_real
from tests.test_routes import (
    API,
    PORTAL,
    PUBLIC,
    SIGNING_IN,
    WEB,
    _care_episode,
    _casework,
    _consent,
    _linkage,
    _service,
    _web_url,
)

pytestmark = pytest.mark.django_db

REFUGE, REFUGE_POSTCODE = "4 Sntlrefuge Row", "ZR9 9ZZ"
HIDDEN_SIBLING, HIDDEN_PARENT = "Sntlhiddensib", "Sntlhiddenmum"
HIDDEN_NHS = "9434765919"
MARKERS = (REFUGE.split()[1], REFUGE_POSTCODE, HIDDEN_SIBLING, HIDDEN_PARENT)
# Pages that would change something on a bare POST, or end the session: read, never posted.
NOT_POSTED = {"web:sign-out", "web:retention-run"}
NO_BASIS = {"ig_lead", "analyst", "referrer", "no_right"}


class HalfSignedIn(AssertionError):
    """A request of the sweep landed on a sign-in step: its answer says nothing of leaks."""


class SweepClient(Client):
    """A browser signed in for real, which refuses to go on if any request is sent back to a
    sign-in step (the password, the code, the authenticator set-up, the notice)."""

    STEPS = ("/sign-in", "/acceptable-use")

    def request(self, **request):
        response = super().request(**request)
        location = response.get("Location", "") if response.status_code in (301, 302) else ""
        if location.startswith(self.STEPS):
            raise HalfSignedIn(f"{request['PATH_INFO']} was sent to {location}")
        return response


def _real_sign_in(user) -> SweepClient:
    """`sign_in_for_real` walks the steps with a plain client; the sweep client takes over its
    session cookie once every step is passed."""
    plain = Client()
    answer = sign_in_for_real(plain, user)
    assert answer.status_code == 302, answer
    accepted = plain.post("/acceptable-use", {"accept": "yes", "next": "/caseload"})
    assert accepted.status_code == 302, accepted
    client = SweepClient()
    client.cookies = plain.cookies
    return client


def _relate(a, b, kind):
    """`a` is `kind` of `b`, stored once per pair, lower id first."""
    from tandem.people.codes import INVERSE_RELATIONSHIP

    if str(a.pk) > str(b.pk):
        a, b, kind = b, a, INVERSE_RELATIONSHIP[kind]
    return Relationship.objects.create(person_a=a, person_b=b, kind=kind)


@pytest.fixture
def world():
    la, school, nhs, police = (
        factories.PartnerFactory(name=f"{kind} partner", kind=kind)
        for kind in (
            PartnerKind.LOCAL_AUTHORITY,
            PartnerKind.SCHOOL,
            PartnerKind.NHS_TRUST,
            PartnerKind.POLICE,
        )
    )
    owner_team = factories.TeamFactory(partner=la)
    school_team = factories.TeamFactory(partner=school)
    door = factories.TeamFactory(partner=la, receives_referrals=True, name="MASH")
    child = factories.ChildFactory(given_name="Cara", address=REFUGE, postcode=REFUGE_POSTCODE)
    factories.InvolvementFactory(child=child, team=owner_team, kind=InvolvementKind.OWNING_TEAM)
    factories.InvolvementFactory(child=child, team=school_team, kind=InvolvementKind.INVOLVED)

    # The family: a sibling at the refuge, a restricted sibling, a restricted mother.
    sibling = factories.ChildFactory(given_name="Pippa", address=REFUGE, postcode=REFUGE_POSTCODE)
    hidden_sibling = factories.ChildFactory(given_name=HIDDEN_SIBLING, nhs_number=HIDDEN_NHS)
    mother = factories.AdultFactory(given_name=HIDDEN_PARENT, address=REFUGE)
    home = factories.HouseholdFactory(name="Cara's home", address=REFUGE, postcode=REFUGE_POSTCODE)
    for person in (child, sibling, hidden_sibling, mother):
        HouseholdMember.objects.create(household=home, person=person)
    relationship = _relate(sibling, child, "sibling")
    _relate(hidden_sibling, child, "sibling")
    _relate(mother, child, "parent")
    for kid in (sibling, hidden_sibling):
        factories.InvolvementFactory(child=kid, team=owner_team, kind=InvolvementKind.OWNING_TEAM)

    ids = {
        **_casework(child, owner_team),
        **_linkage(owner_team, child),
        "child_id": child.pk,
        "relationship_id": relationship.pk,
        "household_id": home.pk,
        "consent_id": _consent(child, owner_team),
        "episode_id": _care_episode(child, owner_team),
        # Outcomes (issue 23): the child, the restricted sibling and the mother received a
        # service; its outcome lists name only whom the viewer may see.
        "service_id": (service := _service_received_by(child, hidden_sibling, mother)).pk,
        "spell_id": service.spells.get(person=child).pk,
        "outcome": "breakdown-12",
        "code": "edge-of-care",
        # Planning (issue 24): aggregate tables' names
        "table": "months",
        "fmt": "csv",
    }
    owner = factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team)
    named = factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team)
    # The mother was invited to the portal on Cara's case, and the restricted sibling has a
    # case the owning team's worker leads, before the restrictions were made.
    from tandem.casework.models import Case

    case = Case.objects.get(pk=ids["case_id"])
    portal.portal_invite(
        actor=case.lead_professional, case_id=case.pk, who="parent_carer", person_id=mother.pk,
        purpose="direct_work",
    )  # fmt: skip
    casework.case_open(
        grant=grant_for(owner, hidden_sibling.pk), level="early_help",
        lead_professional_id=owner.pk,
    )  # fmt: skip

    # The front door has referrals about Cara and the restricted sibling; another school made
    # Cara's.
    mash = factories.UserFactory(role=Role.TEAM_MANAGER, team=door)
    referrer = factories.UserFactory(
        role=Role.SCHOOL_DSL, team=factories.TeamFactory(partner=factories.PartnerFactory(
            kind=PartnerKind.SCHOOL))
    )  # fmt: skip
    ids["referral_id"] = factories.ReferralFactory(child=child, to_team=door, made_by=referrer).pk
    factories.ReferralFactory(child=hidden_sibling, to_team=door)

    # A pair under review whose records are the restricted sibling's.
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=owner_team)
    upload = ExtractUpload.objects.get(pk=ids["upload_id"])
    linked = LinkedPerson.objects.create(person=hidden_sibling)
    left, right = (
        ExtractRecord.objects.create(
            upload=upload,
            row=10 + i,
            record_id=f"h{i}",
            given_name=HIDDEN_SIBLING,
            family_name="Example",
            date_of_birth=dt.date(2014, 2, 2),
            linked_person=linked,
        )  # fmt: skip
        for i in (1, 2)
    )
    MatchPair.objects.create(left=left, right=right, match_probability=0.6, match_weight=1,
                             status="review")  # fmt: skip

    # Governance: an IG lead makes the restrictions (and so is named), and logs a SAR for Cara.
    maker = factories.UserFactory(role=Role.IG_LEAD, team=owner_team)
    for person, kind in (
        (sibling, RestrictionKind.PROTECTED_ADDRESS),
        (hidden_sibling, RestrictionKind.RESTRICTED_RECORD),
        (mother, RestrictionKind.RESTRICTED_RECORD),
    ):
        access_services.restriction_add(
            actor=maker, child_id=person.pk, kind=kind, reason="Fled", named_people=[named]
        )
    ids["sar_id"] = subject_access.sar_log(
        actor=maker, person_id=child.pk, requester="Her father", received_on=dt.date.today()
    ).pk
    ids["job_id"] = ids["break_glass_id"] = ids["agreement_id"] = uuid.uuid4()
    ids["hold_id"] = ids["restriction_id"] = uuid.uuid4()
    ids["forecast_id"] = ids["scenario_id"] = uuid.uuid4()

    nurse = factories.UserFactory(
        role=Role.HEALTH_PRACTITIONER, team=factories.TeamFactory(partner=nhs)
    )
    access_services.break_glass_open(
        actor=nurse, child_id=child.pk, reason="Unconscious at A&E, need the next of kin"
    )
    officer = factories.UserFactory(
        role=Role.POLICE_SAFEGUARDING_OFFICER, team=factories.TeamFactory(partner=police)
    )
    casework.case_member_add(
        actor=case.lead_professional, case_id=case.pk, practitioner_id=officer.pk,
        purpose="direct_work",
    )  # fmt: skip
    viewers = {
        "owning_team": owner,
        "involved": factories.UserFactory(role=Role.SCHOOL_DSL, team=school_team),
        "team_around_the_family": officer,
        "front_door": mash,
        "break_glass": nurse,
        "ig_lead": factories.UserFactory(role=Role.IG_LEAD, team=owner_team),
        "analyst": analyst,
        "referrer": referrer,
        "no_right": factories.UserFactory(role=Role.TEAM_MANAGER),
        "named": named,
    }
    return {"ids": ids, "viewers": viewers, "child": child}


def _service_received_by(*people):
    from tandem.outcomes.models import ServiceSpell

    service = _service()
    recorder = factories.UserFactory()
    for person in people:
        ServiceSpell.objects.create(
            service=service, person=person, started_on=dt.date(2024, 1, 8), recorded_by=recorder
        )
    return service


def _requests(ids):
    """(label, method, url, data): every classified page (GET, and a bare POST), every API read,
    the searches and look-ups by the hidden people's names, numbers and the refuge postcode,
    and the downloads."""
    for name, kind in sorted(WEB.items()):
        if kind in (PUBLIC, PORTAL) or name in SIGNING_IN:
            continue
        url = _web_url(name, ids)
        yield name, "get", url, None
        if name not in NOT_POSTED:
            yield name, "post", url, {}
    for (method, path), _kind in sorted(API.items()):
        if method == "GET":
            yield f"{method} {path}", "get", path.format(**ids), None
    for term in (HIDDEN_SIBLING, HIDDEN_PARENT):
        yield "search by name", "post", "/children/find", {"name": term}
        yield "search by name", "get", "/api/children", {"name": term}
    for term in (REFUGE_POSTCODE, REFUGE_POSTCODE.split()[0]):
        yield "search by postcode", "post", "/children/find", {"postcode": term}
        yield "search by postcode", "get", "/api/children", {"postcode": term}
    yield "known by number", "post", "/known", {"nhs_number": HIDDEN_NHS}
    yield "known by number", "api", "/api/known", {"nhs_number": HIDDEN_NHS}
    yield "known by name", "api", "/api/known", {
        "given_name": HIDDEN_SIBLING, "family_name": "Example", "date_of_birth": "2014-02-02",
    }  # fmt: skip
    yield "audit export", "get", "/audit/export.csv", {"child_id": str(ids["child_id"])}
    yield "audit export", "get", "/audit/export.csv", None
    yield "referrals received, all", "get", "/referrals/received", {"show": "all"}
    yield "referrals received, all", "get", "/api/referrals/received", {"include_closed": "true"}


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    # What the viewer typed into a search form is shown back to them: not a leak.
    return re.sub(r'value="[^"]*"', "", raw.decode("utf-8", "replace"))


def _walk(client, ids):
    import json

    for label, method, url, data in _requests(ids):
        if method == "api":
            response = client.post(url, json.dumps(data), content_type="application/json")
        else:
            response = getattr(client, method)(url, data or {})
        yield f"{method.upper()} {label} {url}", response.status_code, _body(response)


@pytest.mark.parametrize(
    "viewer",
    [
        "owning_team",
        "involved",
        "team_around_the_family",
        "front_door",
        "break_glass",
        "ig_lead",
        "analyst",
        "referrer",
        "no_right",
    ],
)
def test_no_related_marker_on_any_channel(world, viewer):
    client = _real_sign_in(world["viewers"][viewer])
    answers = list(_walk(client, world["ids"]))
    leaks = [
        (label, status, marker)
        for label, status, body in answers
        for marker in MARKERS
        if marker.lower() in body.lower()
    ]
    assert not leaks, "\n".join(map(str, leaks))
    # Not a walk past closed doors: every viewer reads many pages, and one with a basis for
    # Cara reads her household.
    assert sum(status == 200 for _, status, _ in answers) > 20
    household = next(s for label, s, _ in answers if label.startswith("GET web:child-household"))
    assert (household in (403, 404)) if viewer in NO_BASIS else household == 200


def test_the_people_named_see_them_a_fair_control(world):
    """The markers are there to be found: the social worker named on every restriction sees the
    refuge address and both restricted people on Cara's household page."""
    client = _real_sign_in(world["viewers"]["named"])
    page = _body(client.get(f"/children/{world['child'].pk}/household"))
    for marker in MARKERS:
        assert marker.lower() in page.lower(), marker


def test_a_sweep_signed_in_half_way_fails_loudly(world):
    """Password only: the first request that is sent to the code page stops the sweep."""
    from tests.signing_in import device_of

    device_of(world["viewers"]["owning_team"])  # set up: the code page is next
    client = SweepClient()
    response = client.post(
        "/sign-in",
        {"username": world["viewers"]["owning_team"].username, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    with pytest.raises(HalfSignedIn, match="sign-in/code"):
        list(_walk(client, world["ids"]))


def test_a_sweep_that_skips_the_notice_fails_loudly(world):
    plain = Client()
    sign_in_for_real(plain, world["viewers"]["owning_team"])
    client = SweepClient()
    client.cookies = plain.cookies
    with pytest.raises(HalfSignedIn, match="acceptable-use"):
        list(_walk(client, world["ids"]))


def test_the_viewers_have_each_kind_of_basis(world):
    from tests.grants import access_basis

    child = world["child"].pk
    basis = {name: access_basis(user, child) for name, user in world["viewers"].items()}
    assert basis == {
        "owning_team": "team owns or is involved in the case",
        "involved": "team owns or is involved in the case",
        "team_around_the_family": "team owns or is involved in the case",
        "front_door": "open referral to your team",
        "break_glass": "emergency access (break-glass)",
        "ig_lead": None,
        "analyst": None,
        "referrer": None,
        "no_right": None,
        "named": "team owns or is involved in the case",
    }
