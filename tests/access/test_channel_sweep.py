"""The channel sweep: one child with a sentinel in every category of its record, and five viewers
walking every classified page and API operation (tests/test_routes.py), the searches (by name and
by postcode), the lists and the worklist.

- A viewer with no right to the child gets 404 on every child-scoped route, also when a nested id
  of this child is put under a parent of their own; no list or search shows them any sentinel.
- A viewer with a right to the child sees a category's sentinel nowhere unless the policy
  (`access.sharing.categories_for`) gives them that category.
"""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from tandem.access import services as access_services
from tandem.access.categories import Category
from tandem.access.models import (
    InvolvementKind,
    LawfulBasis,
    RestrictionKind,
    SensitiveNote,
    SharingPurpose,
)
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Event, HouseholdMember, Relationship
from tests import factories
from tests.api.support import ApiClient
from tests.grants import categories_for, grant_for
from tests.signing_in import VerifiedClient
from tests.test_routes import (
    API,
    CHILD,
    PORTAL,
    PUBLIC,
    SIGNING_IN,
    WEB,
    _casework,
    _consent,
    _linkage,
    _routes,
    _service,
    _spell,
    _web_url,
)

pytestmark = pytest.mark.django_db

POSTCODE = "ZX1 7QQ"  # the child's own postcode: a contact sentinel, and a search term
# One token per category, each in a place of the record that belongs to that category.
SENTINELS: dict[Category, list[str]] = {
    Category.CONTACT: ["Sntlcontact Road", "ZX1 7QQ", "Sntlhousehold Lane"],
    Category.FAMILY: ["Sntlfamilyhousehold", "Sntlrelative", "Sntlhousemate"],
    Category.EDUCATION: ["SNTL-EDUCATION"],
    Category.HEALTH: ["SNTL-HEALTH"],
    Category.CASEWORK: ["SNTL-CASEWORK"],
    Category.POLICE_INTELLIGENCE: ["SNTL-POLICE"],
    Category.SEXUAL_HEALTH: ["SNTL-SEXUAL-HEALTH"],
    Category.GENDER_IDENTITY: ["SNTL-GENDER-IDENTITY"],
    Category.ADOPTION: ["SNTL-ADOPTION"],
}
IDENTITY = "Sntlidentity"  # the child's given name

# Changes a signed-in viewer could make by a bare POST (no form fields): never sent in the sweep,
# which reads; the no-right viewer still gets them, for the 404.
CHANGES = {"web:sign-out"}


def _partners():
    return {
        kind: factories.PartnerFactory(name=f"{kind} partner", kind=kind)
        for kind in (
            PartnerKind.LOCAL_AUTHORITY,
            PartnerKind.SCHOOL,
            PartnerKind.NHS_TRUST,
            PartnerKind.POLICE,
        )
    }


def _record(child, owner_team) -> dict:
    """Everything around the child that routes take ids of, as in tests/test_routes.py."""
    adult = factories.AdultFactory(given_name="Sntlrelative")
    a, b = sorted([adult, child], key=lambda p: str(p.pk))
    relationship = Relationship.objects.create(person_a=a, person_b=b, kind="other")
    household = factories.HouseholdFactory(
        name="Sntlfamilyhousehold", address="1 Sntlhousehold Lane", postcode=POSTCODE
    )
    HouseholdMember.objects.create(household=household, person=child)
    HouseholdMember.objects.create(
        household=household, person=factories.AdultFactory(given_name="Sntlhousemate")
    )
    return {
        **_casework(child, owner_team),
        **_linkage(owner_team, child),
        "child_id": child.pk,
        "relationship_id": relationship.pk,
        "household_id": household.pk,
        "consent_id": _consent(child, owner_team),
        # Outcomes (issue 23): a service the child receives, and the aggregate routes' names
        "service_id": (service := _service(f"Sntlservice {child.pk}")).pk,
        "spell_id": _spell(service, child).pk,
        "outcome": "care-12",
        "code": "edge-of-care",
        # Planning (issue 24): aggregate tables' names
        "table": "months",
        "fmt": "csv",
    }


def _events(child, partners, sensitive_by):
    now = timezone.now()
    la = partners[PartnerKind.LOCAL_AUTHORITY]
    for partner, kind, summary in [
        (partners[PartnerKind.SCHOOL], "attendance_concern", "SNTL-EDUCATION"),
        (partners[PartnerKind.NHS_TRUST], "ae_attendance", "SNTL-HEALTH"),
        (la, "home_visit", "SNTL-CASEWORK"),
        (partners[PartnerKind.POLICE], "domestic_abuse_incident", "SNTL-POLICE"),
    ]:
        Event.objects.create(
            person=child, partner=partner, kind=kind, occurred_at=now, summary=summary
        )
    for category in (Category.SEXUAL_HEALTH, Category.GENDER_IDENTITY, Category.ADOPTION):
        SensitiveNote.objects.create(
            child=child,
            partner=la,
            category=category,
            summary=f"SNTL-{category.value.upper().replace('_', '-')}",
            occurred_at=now,
            recorded_by=sensitive_by,
        )


def _care_record(child, la) -> uuid.UUID:
    """A part of the looked-after record in each of three categories (the record's fields are
    DfE codes, not free text: the check below is on which parts come back)."""
    from tandem.care.models import AnnualHealth, CareEpisode, MissingEpisode

    episode = CareEpisode.objects.create(
        child=child, local_authority=la, started_on=dt.date(2025, 5, 1), reason_new="S",
        legal_status="C2", category_of_need="N1", placement_type="U4", placement_provider="PR1",
        home_postcode=POSTCODE, placement_postcode=POSTCODE,
    )  # fmt: skip
    MissingEpisode.objects.create(child=child, kind="M", started_on=dt.date(2025, 6, 1))
    AnnualHealth.objects.create(child=child, year="2025-26", sdq_score=12)
    return episode.pk


@pytest.fixture(params=[False, True], ids=["address", "protected-address"])
def sweep(request):
    """The child, owned by the council; a school and the NHS trust and the police involved; an
    NHS grant of health to the school; an open referral to the council's front door. With
    `protected-address`, the child's address is a refuge's, named to nobody who sweeps."""
    partners = _partners()
    la = partners[PartnerKind.LOCAL_AUTHORITY]
    teams = {kind: factories.TeamFactory(partner=p) for kind, p in partners.items()}
    owner_team = teams[PartnerKind.LOCAL_AUTHORITY]
    child = factories.ChildFactory(
        given_name=IDENTITY, address="3 Sntlcontact Road", postcode=POSTCODE
    )
    factories.InvolvementFactory(child=child, team=owner_team, kind=InvolvementKind.OWNING_TEAM)
    for kind in (PartnerKind.SCHOOL, PartnerKind.NHS_TRUST, PartnerKind.POLICE):
        factories.InvolvementFactory(child=child, team=teams[kind], kind=InvolvementKind.INVOLVED)
    owner = factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team)
    ids = _record(child, owner_team)
    _events(child, partners, owner)
    ids["episode_id"] = _care_record(child, la)

    ig = {
        kind: factories.UserFactory(role=Role.IG_LEAD, team=teams[kind])
        for kind in (PartnerKind.LOCAL_AUTHORITY, PartnerKind.SCHOOL, PartnerKind.NHS_TRUST)
    }
    agreement = access_services.agreement_create(
        actor=ig[PartnerKind.NHS_TRUST], title="Early help ISA", starts_on=dt.date(2026, 1, 1)
    )
    access_services.grant_add(
        actor=ig[PartnerKind.NHS_TRUST],
        agreement_id=agreement.pk,
        to_partner_id=partners[PartnerKind.SCHOOL].pk,
        category=Category.HEALTH,
        purpose=SharingPurpose.EARLY_HELP,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        schedule1_condition="safeguarding",
    )
    access_services.agreement_accept(actor=ig[PartnerKind.SCHOOL], agreement_id=agreement.pk)

    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=teams[PartnerKind.SCHOOL])
    door = factories.TeamFactory(partner=la, receives_referrals=True, name="MASH")
    mash = factories.UserFactory(role=Role.TEAM_MANAGER, team=door)
    referral = factories.ReferralFactory(child=child, to_team=door, made_by=dsl)
    ids["referral_id"] = referral.pk
    # An earlier referral, by the police to the owning team: casework, not the front door's.
    earlier = factories.ReferralFactory(
        child=child,
        to_team=owner_team,
        made_by=factories.UserFactory(
            role=Role.POLICE_SAFEGUARDING_OFFICER, team=teams[PartnerKind.POLICE]
        ),
        concerns="SNTL-CASEWORK: an earlier referral's concerns",
    )
    ids["earlier_referral_id"] = earlier.pk
    ids["agreement_id"] = agreement.pk
    # Ids of things nobody in the sweep owns: their routes answer 404 or 403 to everyone here.
    for key in (
        "job_id", "break_glass_id", "sar_id", "hold_id", "restriction_id", "forecast_id",
        "scenario_id",
    ):  # fmt: skip
        ids[key] = uuid.uuid4()

    # The viewer with no right: a manager (allowed every action) of another partner, with a child
    # and a whole record of their own, whose ids the nested-id check puts this child's under.
    stranger_team = factories.TeamFactory(receives_referrals=True)
    stranger = factories.UserFactory(role=Role.TEAM_MANAGER, team=stranger_team)
    own_child = factories.ChildFactory(given_name="Ownchild")
    factories.InvolvementFactory(
        child=own_child, team=stranger_team, kind=InvolvementKind.OWNING_TEAM
    )
    own_ids = _record(own_child, stranger_team)
    own_ids["referral_id"] = factories.ReferralFactory(child=own_child, to_team=stranger_team).pk

    named = factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team)
    if request.param:
        access_services.restriction_add(
            actor=ig[PartnerKind.LOCAL_AUTHORITY],
            child_id=child.pk,
            kind=RestrictionKind.PROTECTED_ADDRESS,
            reason="Mother and child in a refuge",
            named_people=[named],
        )
    return {
        "child": child,
        "ids": ids,
        "own_ids": own_ids,
        "protected": request.param,
        "viewers": {
            "no_right": stranger,
            "some_categories": dsl,
            "owning_team": owner,
            "ig_lead": ig[PartnerKind.LOCAL_AUTHORITY],
            "front_door": mash,
            "named_on_address": named,  # the owning team's worker the refuge address names
        },
    }


def _expected(sweep) -> dict[str, set[Category]]:
    everything = set(SENTINELS) | {Category.IDENTITY}
    contact = set() if sweep["protected"] else {Category.CONTACT}
    return {
        "no_right": set(),
        "some_categories": {
            Category.IDENTITY,
            Category.FAMILY,
            Category.CASEWORK,
            Category.EDUCATION,
            Category.HEALTH,
        }
        | contact,
        "owning_team": (everything - {Category.CONTACT}) | contact,
        "ig_lead": set(),
        "front_door": {Category.IDENTITY},
    }


def _leaks(body: str, allowed: frozenset) -> list[str]:
    leaks = [
        f"{category.value}: {token}"
        for category, tokens in SENTINELS.items()
        if category not in allowed
        for token in tokens
        if token.lower() in body.lower()
    ]
    if Category.IDENTITY not in allowed and IDENTITY.lower() in body.lower():
        leaks.append(f"identity: {IDENTITY}")
    return leaks


def _web_requests(ids):
    """(label, method, url, data) for every classified page: GET, and for a form its empty POST;
    and the searches, by name and by postcode."""
    for name, kind in sorted(WEB.items()):
        if kind in (PUBLIC, PORTAL) or name in SIGNING_IN:
            continue
        url = _web_url(name, ids)
        yield name, "get", url, None
        if name not in CHANGES:
            yield name, "post", url, {}
    yield "earlier referral", "get", f"/referrals/{ids['earlier_referral_id']}", None
    yield "search by name", "post", "/children/find", {"name": IDENTITY}
    yield "search by postcode", "post", "/children/find", {"postcode": POSTCODE}
    yield "search by postcode area", "post", "/children/find", {"postcode": POSTCODE.split()[0]}


def _api_requests(ids):
    for (method, path), _kind in sorted(API.items()):
        yield f"{method} {path}", method.lower(), path.format(**ids)
    yield "earlier referral", "get", f"/api/referrals/{ids['earlier_referral_id']}"
    yield "search by name", "get", f"/api/children?name={IDENTITY}"
    yield "search by postcode", "get", f"/api/children?postcode={POSTCODE.replace(' ', '+')}"
    yield "search by postcode area", "get", f"/api/children?postcode={POSTCODE.split()[0]}"


def _page(response) -> str:
    """The answer, without what the viewer typed themselves (a search form shows its terms)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    if response.get("Content-Type") == "application/pdf":
        return response.content.decode("latin-1")  # a report's PDF (only aggregates)
    return re.sub(r'value="[^"]*"', "", response.content.decode())


def _reads(user, ids):
    """Every answer the viewer gets: (label, status, body). Only GETs for the API: its writes are
    proved to 404 by the no-right walk below and by tests/test_routes.py."""
    client = VerifiedClient()
    client.force_login(user)
    for label, method, url, data in _web_requests(ids):
        response = getattr(client, method)(url, data or {})
        yield f"{method.upper()} {label} {url}", response.status_code, _page(response)
    api = ApiClient(user)
    for label, method, url in _api_requests(ids):
        if method != "get":
            continue
        response = api.get(url)
        yield label, response.status_code, response.content.decode()


@pytest.mark.parametrize(
    "viewer", ["some_categories", "owning_team", "ig_lead", "front_door", "no_right"]
)
def test_no_category_leaks_on_any_channel(sweep, viewer):
    user = sweep["viewers"][viewer]
    allowed = categories_for(user, sweep["child"].pk)
    assert set(allowed) == _expected(sweep)[viewer], "the sweep's viewers are not as designed"
    if viewer == "ig_lead":
        # Who a child is, by name, on the governance pages (holds, requests, the audit trail),
        # read for governance and audited: never anything of the record.
        allowed = allowed | {Category.IDENTITY}
    leaks = [
        (label, status, leak)
        for label, status, body in _reads(user, sweep["ids"])
        for leak in _leaks(body, allowed)
    ]
    assert not leaks, "\n".join(map(str, leaks))


@pytest.mark.parametrize(
    "viewer", ["some_categories", "owning_team", "front_door", "named_on_address"]
)
def test_a_postcode_search_matches_only_for_a_viewer_who_sees_the_address(sweep, viewer):
    """Finding a child by postcode says where they live: a viewer without the child's address
    (front door; a protected address the viewer is not named on) must not find them by it."""
    user = sweep["viewers"][viewer]
    sees_address = Category.CONTACT in categories_for(user, sweep["child"].pk)
    client = VerifiedClient()
    client.force_login(user)
    api = ApiClient(user)
    for term in (POSTCODE, POSTCODE.split()[0]):
        page = _page(client.post("/children/find", {"postcode": term}))
        assert (IDENTITY in page) == sees_address, (term, sees_address)
        found = api.get("/api/children", {"postcode": term}).json()
        assert (found["total"] == 1) == sees_address, (term, found)


@pytest.mark.parametrize(
    "viewer", ["some_categories", "owning_team", "ig_lead", "front_door", "no_right"]
)
def test_the_looked_after_record_follows_the_categories(sweep, viewer):
    """The care-record read: each part only with its category (the page is swept above)."""
    from django.core.exceptions import PermissionDenied

    from tandem.access.errors import NotFound
    from tandem.care.selectors import care_record_get

    user, child = sweep["viewers"][viewer], sweep["child"]
    allowed = categories_for(user, child.pk)
    if not allowed:
        with pytest.raises((NotFound, PermissionDenied)):
            care_record_get(grant=grant_for(user, child.pk, "direct_work"))
        return
    record = care_record_get(grant=grant_for(user, child.pk, "direct_work"))
    assert bool(record.episodes) == (Category.CASEWORK in allowed)
    assert bool(record.missing) == (Category.POLICE_INTELLIGENCE in allowed)
    assert bool(record.annual_health) == (Category.HEALTH in allowed)
    for episode in record.episodes:
        shown = {episode.home_postcode, episode.placement_postcode} - {""}
        assert bool(shown) == (Category.CONTACT in allowed)


def _child_scoped_web():
    return sorted(name for name, kind in WEB.items() if kind == CHILD)


def _child_scoped_api():
    return sorted(key for key, kind in API.items() if kind == CHILD)


def test_no_right_gets_404_on_every_child_route(sweep):
    stranger, ids = sweep["viewers"]["no_right"], sweep["ids"]
    client = VerifiedClient()
    client.force_login(stranger)
    wrong = []
    for name in _child_scoped_web():
        url = _web_url(name, ids)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status != 404:
                wrong.append((method, url, status))
    api = ApiClient(stranger)
    for method, path in _child_scoped_api():
        status = _call(api, method, path.format(**ids)).status_code
        if status not in (404, 422):  # a body failing its schema may be refused first
            wrong.append((method, path, status))
    assert not wrong


# A form valid enough to reach the nested record (an invalid one is refused before it is read).
NESTED_FORMS = {"web:action-status": {"status": "done"}}


def _call(api, method, url):
    return api.get(url) if method.lower() == "get" else api.send(method, url, {})


def _nested(pattern: str) -> list[str]:
    return re.findall(r"<uuid:(\w+)>|\{(\w+)\}", pattern)


def test_no_right_gets_404_with_a_nested_id_of_the_child_under_a_parent_of_their_own(sweep):
    """Their own child's (or case's) id first, this child's nested id after it."""
    stranger, ids, own = sweep["viewers"]["no_right"], sweep["ids"], sweep["own_ids"]
    client = VerifiedClient()
    client.force_login(stranger)
    api = ApiClient(stranger)
    tried, wrong = 0, []
    for pattern, name in _routes():
        names = [a or b for a, b in _nested(pattern)]
        if WEB.get(name) != CHILD or len(names) < 2:
            continue
        mixed = {**ids, names[0]: own[names[0]]}
        url = _web_url(name, mixed)
        for method in ("get", "post"):
            tried += 1
            response = getattr(client, method)(url, NESTED_FORMS.get(name, {}))
            status = response.status_code
            # A POST-only page may refuse a GET (405), or send it back to the viewer's own parent
            # page (302), before it reads anything.
            refused = status == 405 or (
                status == 302 and str(ids[names[1]]) not in response["Location"]
            )
            if status != 404 and not (method == "get" and refused):
                wrong.append((method, url, status))
    for method, path in _child_scoped_api():
        names = [b for _, b in _nested(path)]
        if len(names) < 2:
            continue
        tried += 1
        url = path.format(**{**ids, names[0]: own[names[0]]})
        status = _call(api, method, url).status_code
        if status not in (404, 422):
            wrong.append((method, url, status))
    assert tried > 10
    assert not wrong, "\n".join(map(str, wrong))


def test_the_stranger_s_own_record_is_a_fair_control(sweep):
    """The nested-id check means something: the stranger opens their own child's routes."""
    stranger, own = sweep["viewers"]["no_right"], sweep["own_ids"]
    client = VerifiedClient()
    client.force_login(stranger)
    assert client.get(_web_url("web:child", own)).status_code == 200
    assert client.get(_web_url("web:case", own)).status_code == 200


@pytest.mark.parametrize(
    ("viewer", "sees"), [("owning_team", True), ("some_categories", True), ("front_door", False)]
)
def test_the_chronology_tells_of_care_only_to_a_viewer_who_sees_casework(sweep, viewer, sees):
    client = VerifiedClient()
    client.force_login(sweep["viewers"][viewer])
    response = client.get(_web_url("web:child-chronology", sweep["ids"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Started to be looked after" in body) == sees
    assert ("Full care order (C2)" in body) == sees
    # The missing episode is police information, as on the looked-after page.
    assert ("Not back yet." in body) == (viewer == "owning_team")


@pytest.mark.parametrize(("viewer", "sees"), [("owning_team", True), ("some_categories", False)])
def test_an_episode_s_adoption_codes_follow_the_adoption_category(sweep, viewer, sees):
    """A placement order and a placement for adoption say the child is being adopted: on the
    looked-after page and in the chronology only for a viewer who sees adoption."""
    from tandem.care.models import CareEpisode

    CareEpisode.objects.filter(pk=sweep["ids"]["episode_id"]).update(
        legal_status="E1", placement_type="A6"
    )
    client = VerifiedClient()
    client.force_login(sweep["viewers"][viewer])
    for name in ("web:child-care", "web:child-chronology"):
        body = client.get(_web_url(name, sweep["ids"])).content.decode()
        assert ("Placement order granted (E1)" in body) == sees, name
        assert ("Placed for adoption" in body) == sees, name
        assert ("ot shared with you" in body) == (not sees), name


@pytest.mark.parametrize(
    "viewer", ["some_categories", "owning_team", "ig_lead", "front_door", "no_right"]
)
def test_the_sdq_follows_the_health_category(sweep, viewer):
    """Issue 23: a child's SDQs are health information, answered only to a viewer who sees it."""
    from tandem.outcomes.models import SdqRecord

    user, child = sweep["viewers"][viewer], sweep["child"]
    SdqRecord.objects.create(
        person=child,
        informant="parent",
        completed_on=dt.date(2025, 1, 1),
        emotional=9,
        recorded_by=sweep["viewers"]["owning_team"],
    )
    answer = ApiClient(user).get(f"/api/children/{child.pk}/sdq")
    allowed = categories_for(user, child.pk)
    if Category.HEALTH in allowed:
        assert answer.status_code == 200
        assert answer.json()[0]["emotional"] == 9
    else:
        assert answer.status_code in (403, 404)
        assert '"emotional"' not in answer.content.decode()
