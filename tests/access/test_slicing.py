"""Field slicing on every channel (page, API, list, chronology, search): what a practitioner sees
of a child follows their basis, their partner, their purpose and the agreements in force, and
changes in the same request cycle as the agreement, the consent or the referral behind it."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access import services
from tandem.access.categories import Category
from tandem.access.models import InvolvementKind, LawfulBasis, RestrictionKind, SharingPurpose
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Event
from tests import factories
from tests.api.support import ApiClient
from tests.grants import categories_for
from tests.signing_in import VerifiedClient as Client
from tests.web.support import audit_rows, text_of

pytestmark = pytest.mark.django_db

HEALTH_NOTE = "Seen at A&E with a sprained wrist"
POLICE_NOTE = "Named as a witness to a domestic incident"
SCHOOL_NOTE = "Attendance fell to 80 per cent this term"
ADDRESS = "12 Example Street"


@pytest.fixture
def w():
    """A child the council owns; a school involved for early help; the NHS trust and the police
    each involved and each with a line in the chronology; an IG lead at each partner."""
    la, school, nhs, police = (
        factories.PartnerFactory(name=name, kind=kind)
        for name, kind in [
            ("Council", PartnerKind.LOCAL_AUTHORITY),
            ("School", PartnerKind.SCHOOL),
            ("NHS trust", PartnerKind.NHS_TRUST),
            ("Police", PartnerKind.POLICE),
        ]
    )
    teams = {p: factories.TeamFactory(partner=p) for p in (la, school, nhs, police)}
    child = factories.ChildFactory(address=ADDRESS, postcode="ZZ99 3AA", nhs_number="9434765919")
    factories.InvolvementFactory(child=child, team=teams[la], kind=InvolvementKind.OWNING_TEAM)
    for p in (school, nhs, police):
        factories.InvolvementFactory(child=child, team=teams[p], kind=InvolvementKind.INVOLVED)
    now = timezone.now()
    for partner, kind, summary in [
        (nhs, "ae_attendance", HEALTH_NOTE),
        (police, "domestic_abuse_incident", POLICE_NOTE),
        (school, "attendance_concern", SCHOOL_NOTE),
    ]:
        Event.objects.create(
            person=child, partner=partner, kind=kind, occurred_at=now, summary=summary
        )
    users = {
        "social_worker": factories.UserFactory(role=Role.SOCIAL_WORKER, team=teams[la]),
        "dsl": factories.UserFactory(role=Role.SCHOOL_DSL, team=teams[school]),
    }
    for p in (la, school, nhs, police):
        users[f"ig_{p.kind}"] = factories.UserFactory(role=Role.IG_LEAD, team=teams[p])
    return {"child": child, "users": users, "school": school, "nhs": nhs, "la": la}


def _health_agreement(w, lawful_basis=LawfulBasis.PUBLIC_TASK):
    """The NHS trust shares health with the school for early help; the school accepts."""
    users = w["users"]
    agreement = services.agreement_create(
        actor=users["ig_nhs_trust"], title="Early help ISA", starts_on=dt.date(2026, 1, 1)
    )
    services.grant_add(
        actor=users["ig_nhs_trust"],
        agreement_id=agreement.pk,
        to_partner_id=w["school"].pk,
        category=Category.HEALTH,
        purpose=SharingPurpose.EARLY_HELP,
        lawful_basis=lawful_basis,
        schedule1_condition="safeguarding",
    )
    services.agreement_accept(actor=users["ig_school"], agreement_id=agreement.pk)
    return agreement


def _page(user, child):
    client = Client()
    client.force_login(user)
    return text_of(client.get(f"/children/{child.pk}/chronology"))


def test_owning_team_sees_every_partner_s_lines(w):
    text = _page(w["users"]["social_worker"], w["child"])
    assert HEALTH_NOTE in text
    assert POLICE_NOTE in text
    assert SCHOOL_NOTE in text


def test_involved_school_sees_its_own_and_education_not_health_or_police(w):
    dsl, child = w["users"]["dsl"], w["child"]
    text = _page(dsl, child)
    assert SCHOOL_NOTE in text
    assert HEALTH_NOTE not in text
    assert POLICE_NOTE not in text
    body = ApiClient(dsl).get(f"/api/children/{child.pk}/chronology").content.decode()
    assert SCHOOL_NOTE in body
    assert HEALTH_NOTE not in body
    assert POLICE_NOTE not in body
    rows = audit_rows(person_id=child.pk, action="view")
    assert ("view", child.pk, "direct_work", "web", "chronology") in rows
    assert ("view", child.pk, "direct_work", "api", "chronology") in rows


def test_a_grant_in_force_opens_its_category_and_ending_the_agreement_closes_it_at_once(w):
    dsl, child = w["users"]["dsl"], w["child"]
    agreement = _health_agreement(w)
    assert HEALTH_NOTE in _page(dsl, child)
    assert POLICE_NOTE not in _page(dsl, child)  # not granted
    services.agreement_end(actor=w["users"]["ig_nhs_trust"], agreement_id=agreement.pk)
    assert HEALTH_NOTE not in _page(dsl, child)
    body = ApiClient(dsl).get(f"/api/children/{child.pk}/chronology").content.decode()
    assert HEALTH_NOTE not in body


def test_an_agreement_not_accepted_by_the_receiving_partner_gives_nothing(w):
    _health_agreement(w)
    services.agreement_withdraw(actor=w["users"]["ig_school"], agreement_id=_first_agreement())
    assert HEALTH_NOTE not in _page(w["users"]["dsl"], w["child"])


def _first_agreement():
    from tandem.access.models import Agreement

    return Agreement.objects.get().pk


def test_a_consent_grant_follows_consent_and_its_withdrawal(w):
    dsl, child, sw = w["users"]["dsl"], w["child"], w["users"]["social_worker"]
    _health_agreement(w, lawful_basis=LawfulBasis.CONSENT)
    assert HEALTH_NOTE not in _page(dsl, child)
    consent = services.consent_record(
        actor=sw, child_id=child.pk, purpose=SharingPurpose.EARLY_HELP, given_by="Mother"
    )
    assert HEALTH_NOTE in _page(dsl, child)
    services.consent_withdraw(actor=sw, consent_id=consent.pk, note="Mother withdrew it")
    assert HEALTH_NOTE not in _page(dsl, child)


def test_a_sensitive_grant_needs_its_schedule_1_condition(w):
    from django.core.exceptions import ValidationError

    agreement = services.agreement_create(
        actor=w["users"]["ig_police"], title="MASH ISA", starts_on=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as e:
        services.grant_add(
            actor=w["users"]["ig_police"],
            agreement_id=agreement.pk,
            to_partner_id=w["school"].pk,
            category=Category.POLICE_INTELLIGENCE,
            purpose=SharingPurpose.EARLY_HELP,
            lawful_basis=LawfulBasis.PUBLIC_TASK,
        )
    assert "schedule1_condition" in e.value.message_dict


@pytest.fixture
def referred(w):
    """The child referred by the school to a front door that does not otherwise know it."""
    door = factories.TeamFactory(partner=w["la"], receives_referrals=True)
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=door)
    referral = factories.ReferralFactory(child=w["child"], to_team=door, made_by=w["users"]["dsl"])
    return manager, referral


def test_front_door_sees_identity_only_until_granted(w, referred):
    manager, _ = referred
    child = w["child"]
    body = ApiClient(manager).get(f"/api/children/{child.pk}").json()
    assert body["given_name"] == child.given_name
    assert body["nhs_number"] == "9434765919"  # identity
    assert (body["address"], body["postcode"]) == ("", "")
    assert body["withheld"] == ["address", "postcode"]
    client = Client()
    client.force_login(manager)
    text = text_of(client.get(f"/children/{child.pk}"))
    assert ADDRESS not in text
    assert "Not shared with you" in text
    assert SCHOOL_NOTE not in _page(manager, child)


def test_closing_the_referral_ends_the_front_door_s_access_at_once(w, referred):
    manager, referral = referred
    api = ApiClient(manager)
    assert api.get(f"/api/children/{w['child'].pk}").status_code == 200
    referral.status = "closed"
    referral.save()
    assert api.get(f"/api/children/{w['child'].pk}").status_code == 404


def test_front_door_cannot_change_a_field_it_may_not_see(w, referred):
    manager, _ = referred
    response = ApiClient(manager).send(
        "patch", f"/api/children/{w['child'].pk}", {"address": "somewhere"}
    )
    assert response.status_code == 403
    assert "address" in response.json()["detail"]
    w["child"].refresh_from_db()
    assert w["child"].address == ADDRESS


def test_list_and_search_are_sliced_without_more_queries_per_child(
    w, referred, django_assert_max_num_queries
):
    manager, _ = referred
    door = manager.team
    for _ in range(5):
        other = factories.ChildFactory(address=ADDRESS)
        factories.ReferralFactory(child=other, to_team=door)
    api = ApiClient(manager)
    with django_assert_max_num_queries(16):  # the same for 1 child or 100
        body = api.get("/api/children").json()
    assert body["total"] == 6
    assert {item["postcode"] for item in body["items"]} == {""}


# --- Restrictions ----------------------------------------------------------------------------
def test_protected_address_is_shown_only_to_named_people_and_never_matched_on(w):
    child, users = w["child"], w["users"]
    named = users["social_worker"]
    colleague = factories.UserFactory(role=Role.SOCIAL_WORKER, team=named.team)
    services.restriction_add(
        actor=users["ig_local_authority"],
        child_id=child.pk,
        kind=RestrictionKind.PROTECTED_ADDRESS,
        reason="Mother and child in a refuge",
        named_people=[named],
    )
    assert Category.PROTECTED_ADDRESS in categories_for(named, child.pk)
    assert ApiClient(named).get(f"/api/children/{child.pk}").json()["address"] == ADDRESS
    body = ApiClient(colleague).get(f"/api/children/{child.pk}").json()
    assert (body["address"], body["postcode"]) == ("", "")
    # Search by postcode: the named worker finds the child, the colleague does not.
    found = ApiClient(named).get("/api/children", {"postcode": "ZZ99"}).json()
    assert found["total"] == 1
    found = ApiClient(colleague).get("/api/children", {"postcode": "ZZ99"}).json()
    assert found["total"] == 0
    assert "ZZ99" not in str(ApiClient(colleague).get("/api/children").json())
    # The page, too.
    client = Client()
    client.force_login(colleague)
    assert ADDRESS not in text_of(client.get(f"/children/{child.pk}"))


def test_restricted_record_is_invisible_to_all_but_named_people(w):
    child, users = w["child"], w["users"]
    named = users["social_worker"]
    colleague = factories.UserFactory(role=Role.SOCIAL_WORKER, team=named.team)
    services.restriction_add(
        actor=users["ig_local_authority"],
        child_id=child.pk,
        kind=RestrictionKind.RESTRICTED_RECORD,
        reason="Child of a member of staff",
        named_people=[named],
    )
    assert ApiClient(named).get(f"/api/children/{child.pk}").status_code == 200
    api = ApiClient(colleague)
    assert api.get(f"/api/children/{child.pk}").status_code == 404
    assert api.get(f"/api/children/{child.pk}/chronology").status_code == 404
    assert api.get("/api/children").json()["total"] == 0
    client = Client()
    client.force_login(colleague)
    assert client.get(f"/children/{child.pk}").status_code == 404
    assert audit_rows(action="denied", person_id=child.pk)
    # "Known to other partners?" still works for a safeguarding check, and names no address.
    response = api.post("/api/known", {"nhs_number": "9434765919"}).content.decode()
    assert ADDRESS not in response


def test_the_demo_agreement_opens_ordinary_categories_to_every_partner(w):
    from tandem.access.demo import demo_agreement_create

    dsl, child = w["users"]["dsl"], w["child"]
    assert HEALTH_NOTE not in _page(dsl, child)
    demo_agreement_create(w["users"]["ig_local_authority"])
    text = _page(dsl, child)
    assert HEALTH_NOTE in text
    assert POLICE_NOTE not in text  # sensitive: never in the demo agreement


# --- Leaks the channel sweep found (tests/access/test_channel_sweep.py) -----------------------
def test_a_household_is_the_family_category_and_its_address_the_contact_category(w, referred):
    """The front door sees who the child is, not who they live with nor where."""
    from tandem.people.models import HouseholdMember

    manager, _ = referred
    household = factories.HouseholdFactory(name="The Sample household", address="4 Elm Row")
    HouseholdMember.objects.create(household=household, person=w["child"])
    HouseholdMember.objects.create(
        household=household, person=factories.AdultFactory(given_name="Housemate")
    )
    url = f"/api/households/{household.pk}"
    assert ApiClient(manager).get(url).status_code == 404
    body = ApiClient(w["users"]["dsl"]).get(url).json()  # involved: family and address
    assert "Housemate" in str(body)
    assert body["address"] == "4 Elm Row"


def test_a_front_door_does_not_see_its_own_partner_s_lines_beyond_its_categories(w, referred):
    """The council's front door shares its partner with the owning social workers: their casework
    and sensitive notes are not the front door's to read while it decides a referral."""
    from tandem.access.models import SensitiveNote

    manager, _ = referred
    child, sw = w["child"], w["users"]["social_worker"]
    now = timezone.now()
    Event.objects.create(
        person=child, partner=w["la"], kind="home_visit", occurred_at=now, summary="Visited home"
    )
    SensitiveNote.objects.create(
        child=child, partner=w["la"], category=Category.ADOPTION, summary="Adoption note",
        occurred_at=now, recorded_by=sw,
    )  # fmt: skip
    for text in (
        _page(manager, child),
        ApiClient(manager).get(f"/api/children/{child.pk}/chronology").content.decode(),
    ):
        assert "Visited home" not in text
        assert "Adoption note" not in text
    assert "Adoption note" in _page(sw, child)  # the owning team sees it


def test_a_front_door_sees_the_referral_to_it_not_the_child_s_other_referrals(w, referred):
    """Another team's referral of the same child (its concerns, its decision) is casework."""
    manager, mine = referred
    earlier = factories.ReferralFactory(
        child=w["child"], concerns="Earlier concerns about neglect", status="closed"
    )
    client = Client()
    client.force_login(manager)
    assert client.get(f"/referrals/{earlier.pk}").status_code == 404
    assert ApiClient(manager).get(f"/api/referrals/{earlier.pk}").status_code == 404
    listed = ApiClient(manager).get(f"/api/children/{w['child'].pk}/referrals").json()
    assert [r["id"] for r in listed] == [str(mine.pk)]
    page = text_of(client.get(f"/children/{w['child'].pk}/referrals"))
    assert earlier.to_team.name not in page
    assert client.get(f"/referrals/{mine.pk}").status_code == 200
    # The owning team sees both.
    owner = ApiClient(w["users"]["social_worker"])
    assert "Earlier concerns" in owner.get(f"/api/referrals/{earlier.pk}").content.decode()
    assert len(owner.get(f"/api/children/{w['child'].pk}/referrals").json()) == 2


def test_a_postcode_search_matches_only_an_address_the_viewer_sees(w, referred):
    """A match by postcode says where the child lives: the front door (identity only) finds the
    child by name, not by postcode, until a grant gives it the address."""
    manager, _ = referred
    api = ApiClient(manager)
    client = Client()
    client.force_login(manager)

    def found() -> tuple[int, bool]:
        total = api.get("/api/children", {"postcode": "ZZ99"}).json()["total"]
        page = text_of(client.post("/children/find", {"postcode": "ZZ99 3AA"}))
        return total, w["child"].given_name in page

    assert api.get("/api/children", {"name": w["child"].given_name}).json()["total"] == 1
    assert found() == (0, False)
    assert (
        ApiClient(w["users"]["dsl"]).get("/api/children", {"postcode": "ZZ99"}).json()["total"]
        == 1
    )  # involved: the address is theirs to see
    agreement = services.agreement_create(
        actor=w["users"]["ig_school"], title="Front door ISA", starts_on=dt.date(2026, 1, 1)
    )
    services.grant_add(
        actor=w["users"]["ig_school"],
        agreement_id=agreement.pk,
        to_partner_id=w["la"].pk,
        category=Category.CONTACT,
        purpose=SharingPurpose.REFERRAL_TRIAGE,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
    )
    services.agreement_accept(actor=w["users"]["ig_local_authority"], agreement_id=agreement.pk)
    assert found() == (1, True)


def test_the_audit_row_of_a_read_names_the_agreement_grant_it_was_seen_under(w):
    """Who looked, and under which agreement: the school sees health only through the NHS
    trust's grant, and its reads say so; the owning team's reads name no grant."""
    from tandem.access.models import Grant
    from tandem.audit.models import AccessEvent

    dsl, child = w["users"]["dsl"], w["child"]
    agreement = _health_agreement(w)
    grant = Grant.objects.get()
    _page(dsl, child)
    ApiClient(dsl).get(f"/api/children/{child.pk}")
    rows = AccessEvent.objects.filter(
        actor=dsl, person_id=child.pk, record_type__in=["chronology", "child"]
    )
    assert rows.count() >= 3  # the page's child read and chronology, the API's child read
    for row in rows:
        assert row.detail["shared_under"] == [
            {
                "agreement_id": str(agreement.pk),
                "grant_id": str(grant.pk),
                "category": "health",
                "purpose": "early_help",
                "lawful_basis": "public_task",
            }
        ]
    # The who-looked page says so in words.
    ig = Client()
    ig.force_login(w["users"]["ig_local_authority"])
    who = text_of(ig.get(f"/children/{child.pk}/who-looked"))
    assert "health shared for early help (Public task (Article 6(1)(e)))" in who
    _page(w["users"]["social_worker"], child)
    owner_row = AccessEvent.objects.filter(
        actor=w["users"]["social_worker"], record_type="chronology"
    ).get()
    assert "shared_under" not in owner_row.detail
    # Once the agreement ends, the next read is under no grant (and sees no health).
    services.agreement_end(actor=w["users"]["ig_nhs_trust"], agreement_id=agreement.pk)
    _page(dsl, child)
    last = AccessEvent.objects.filter(actor=dsl, record_type="chronology").latest("id")
    assert "shared_under" not in last.detail
