"""Subject access: the one-month deadline, item-by-item redaction with reasons, and the JSON and
PDF responses, in which a redacted item's text never appears."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from freezegun import freeze_time

import tandem.config.urls  # noqa: F401 - builds the API's schemas before any clock is frozen
from tandem.access import subject_access as sar_
from tandem.access.models import SarExemption
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.people.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
THIRD_PARTY = "Neighbour Mrs Ada Example reported shouting next door"
OWN = "Attended the health visit with her mother"


@pytest.fixture
def ig():
    return factories.UserFactory(role=Role.IG_LEAD)


@pytest.fixture
def sar(ig, child):
    partner = factories.PartnerFactory(name="Health trust")
    for summary in (THIRD_PARTY, OWN):
        Event.objects.create(
            person=child, partner=partner, kind="note", occurred_at=timezone.now(), summary=summary
        )
    return sar_.sar_log(
        actor=ig, person_id=child.pk, requester="The young person", received_on=dt.date.today()
    )


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 1), dt.date(2026, 4, 1)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert sar_.one_month_after(received) == due


def test_only_ig_leads_log_requests(social_worker, child):
    with pytest.raises(PermissionDenied):
        sar_.sar_log(
            actor=social_worker,
            person_id=child.pk,
            requester="Mother",
            received_on=dt.date.today(),
        )


def test_deadlines_approaching_and_missed(ig, child):
    def log(requester):
        return sar_.sar_log(
            actor=ig, person_id=child.pk, requester=requester, received_on=dt.date.today()
        )

    with freeze_time("2026-10-01"):
        late = log("A")  # due 1 November
    with freeze_time("2026-10-28"):
        soon = log("B")  # due 28 November
    with freeze_time("2026-11-23"):
        ok = log("C")
        rows = sar_.sars_open(actor=ig)
    assert [(r["sar"].pk, r["state"]) for r in rows] == [
        (late.pk, "overdue"),
        (soon.pk, "due soon"),
        (ok.pk, "on time"),
    ]


def _item_key(ig, sar, text):
    return next(i.key for i in sar_.sar_items(actor=ig, sar_id=sar.pk) if text in i.text)


def test_a_redaction_needs_a_reason_and_a_real_item(ig, sar):
    with pytest.raises(ValidationError) as e:
        sar_.sar_redact(actor=ig, sar_id=sar.pk, item_key="event:nope", reason="")
    assert set(e.value.message_dict) == {"item_key", "reason"}


def test_a_redacted_item_is_in_neither_the_json_nor_the_pdf(ig, sar, child):
    key = _item_key(ig, sar, THIRD_PARTY)
    sar_.sar_redact(actor=ig, sar_id=sar.pk, item_key=key, reason="Names the neighbour")
    data = json.loads(sar_.sar_export_json(actor=ig, sar_id=sar.pk))
    by_key = {i["key"]: i for i in data["items"]}
    assert by_key[key] == {
        "key": key,
        "section": "Chronology",
        "redacted": True,
        "exemption": SarExemption.THIRD_PARTY.label,
    }
    text = json.dumps(data)
    assert THIRD_PARTY not in text
    assert "Mrs Ada Example" not in text
    assert OWN in text
    assert child.given_name in text
    pdf = sar_.sar_export_pdf(actor=ig, sar_id=sar.pk)
    assert pdf.startswith(b"%PDF")
    assert b"Mrs Ada Example" not in pdf
    assert b"Withheld. Exemption: Information about another person" in pdf
    # The IG lead's own reason stays in the file: the requester never sees it.
    assert b"Names the neighbour" not in pdf
    assert "Names the neighbour" not in text
    assert OWN.encode() in pdf
    exports = AccessEvent.objects.filter(action="export", record_type="subject_access_request")
    assert sorted(e.detail["format"] for e in exports) == ["json", "pdf"]
    assert {e.person_id for e in exports} == {child.pk}
    assert {e.detail["lawful_basis"] for e in exports} == {"legal_obligation"}


def test_plans_assessments_decisions_and_consents_are_in_the_response_and_redaction_holds(
    ig, sar, child, team
):
    """Everything held: the plan's goals and actions, the assessment's evidence, the decisions
    made (with the views gathered), the consents, as well as the record, chronology and audit.
    A redacted assessment item is in neither the JSON nor the PDF."""
    from tandem.access.services import consent_record
    from tandem.casework import services as cw
    from tandem.casework.models import Case
    from tests.test_routes import _casework
    from tests.voices import VIEWS

    ids = _casework(child, team)
    lead = Case.objects.get().lead_professional
    cw.assessment_factor_add(
        actor=lead,
        case_id=ids["case_id"],
        assessment_id=ids["assessment_id"],
        area="health",
        rating="some_need",
        evidence="Uncle Bob Sample drinks heavily at weekends",
        source_partner_id=team.partner_id,
        purpose="direct_work",
    )
    cw.case_step(
        actor=lead, case_id=ids["case_id"], to_level="statutory",
        summary="Stepped up after the assessment", views=VIEWS, purpose="direct_work",
    )  # fmt: skip
    consent_record(actor=lead, child_id=child.pk, purpose="early_help", given_by="Her mother")

    data = json.loads(sar_.sar_export_json(actor=ig, sar_id=sar.pk))
    sections = {i["section"] for i in data["items"]}
    assert {
        "Your details", "Chronology", "Plans", "Assessments", "Decisions", "Consents",
        "Who saw or changed your record",
    } <= sections  # fmt: skip
    text = json.dumps(data)
    for expected in (
        "Goal: Go to school",
        "Action: Walk to school",
        "Uncle Bob Sample drinks heavily",
        "Stepped up after the assessment",
        VIEWS.child_view,
        "given by Her mother",
    ):
        assert expected in text
    pdf = sar_.sar_export_pdf(actor=ig, sar_id=sar.pk)
    for expected in (b"Plans", b"Assessments", b"Decisions", b"Consents", b"Walk to school",
                     b"Stepped up after the assessment", b"given by Her mother"):  # fmt: skip
        assert expected in pdf

    key = _item_key(ig, sar, "Uncle Bob Sample")
    sar_.sar_redact(actor=ig, sar_id=sar.pk, item_key=key, reason="About a third party")
    assert "Uncle Bob Sample" not in sar_.sar_export_json(actor=ig, sar_id=sar.pk)
    pdf = sar_.sar_export_pdf(actor=ig, sar_id=sar.pk)
    assert b"Uncle Bob Sample" not in pdf
    assert b"Withheld. Exemption:" in pdf
    assert b"About a third party" not in pdf
    assert b"Walk to school" in pdf


@pytest.fixture
def family_sar(ig, child, team):
    """A mother asks for her child's record. The child lives with her and a half-sister at a
    refuge address protected from the father; the father and the mother's partner are recorded;
    a decision records the mother's own view."""
    from tandem.access.models import RestrictionKind
    from tandem.access.services import restriction_add
    from tandem.people.models import HouseholdMember, Relationship

    child.address, child.postcode = "9 Sntlrefuge Close", "ZX9 9RF"
    child.save()
    home = factories.HouseholdFactory(name="Refuge", address="9 Sntlrefuge Close")
    mother = factories.AdultFactory(given_name="Sntlmother")
    sister = factories.ChildFactory(given_name="Sntlsister")
    for person in (child, mother, sister):
        HouseholdMember.objects.create(household=home, person=person)
    for other, kind in ((mother, "parent"), (factories.AdultFactory(given_name="Sntlfather"),
                                              "parent")):  # fmt: skip
        a, b = sorted([other, child], key=lambda p: str(p.pk))
        Relationship.objects.create(person_a=a, person_b=b, kind=kind if a == other else "child")
    restriction_add(
        actor=ig, child_id=sister.pk, kind=RestrictionKind.PROTECTED_ADDRESS,
        reason="Fled the father", named_people=[],
    )  # fmt: skip
    return sar_.sar_log(
        actor=ig, person_id=child.pk, requester="Her mother", received_on=dt.date.today()
    )


def test_other_people_and_protected_addresses_start_withheld(ig, family_sar):
    data = json.loads(sar_.sar_export_json(actor=ig, sar_id=family_sar.pk))
    text = json.dumps(data)
    for marker in ("Sntlrefuge", "ZX9 9RF", "Sntlmother", "Sntlsister", "Sntlfather"):
        assert marker not in text, marker
    withheld = {i["section"] for i in data["items"] if i.get("redacted")}
    assert {"Your details", "Where you live", "Your family"} <= withheld
    exemptions = {i["exemption"] for i in data["items"] if i.get("redacted")}
    assert exemptions == {SarExemption.THIRD_PARTY.label, SarExemption.SERIOUS_HARM.label}
    pdf = sar_.sar_export_pdf(actor=ig, sar_id=family_sar.pk)
    assert b"Sntlrefuge" not in pdf
    assert b"Sntlfather" not in pdf
    # The IG lead sees each item to decide it.
    assert any("Sntlfather" in i.text for i in sar_.sar_items(actor=ig, sar_id=family_sar.pk))


def test_the_ig_lead_releases_an_item_with_a_reason(ig, family_sar):
    key = _item_key(ig, family_sar, "Sntlmother")
    with pytest.raises(ValidationError) as e:
        sar_.sar_release(actor=ig, sar_id=family_sar.pk, item_key=key, reason=" ")
    assert list(e.value.message_dict) == ["reason"]
    sar_.sar_release(actor=ig, sar_id=family_sar.pk, item_key=key, reason="She is the requester")
    text = sar_.sar_export_json(actor=ig, sar_id=family_sar.pk)
    assert "Sntlmother" in text
    assert "Sntlfather" not in text
    # Only what starts withheld is released; an ordinary item is withheld, not released.
    own = _item_key(ig, family_sar, "First name")
    with pytest.raises(ValidationError) as e:
        sar_.sar_release(actor=ig, sar_id=family_sar.pk, item_key=own, reason="x")
    assert list(e.value.message_dict) == ["item_key"]
    assert AccessEvent.objects.filter(detail__item=key, detail__released=True).exists()


def test_a_parent_s_own_view_on_a_decision_starts_withheld(ig, sar, child, team):
    from tandem.casework import services as cw
    from tandem.casework.models import Case
    from tandem.casework.voice import Views
    from tests.test_routes import _casework

    ids = _casework(child, team)
    views = Views(
        child_view="I want to stay at my school.",
        child_view_how="in_person",
        parent_view="Sntlparent: her father must not know where we are",
        parent_view_how="in_person",
    )
    cw.case_step(
        actor=Case.objects.get().lead_professional, case_id=ids["case_id"],
        to_level="statutory", summary="Stepped up", views=views, purpose="direct_work",
    )  # fmt: skip
    items = sar_.sar_items(actor=ig, sar_id=sar.pk)
    parent = [i for i in items if i.key.startswith("decision-parent:")]
    assert parent
    assert all(i.redacted and i.releasable for i in parent)
    text = sar_.sar_export_json(actor=ig, sar_id=sar.pk)
    assert "Sntlparent" not in text
    assert "I want to stay at my school." in text


def test_services_received_and_questionnaires_are_in_the_response(ig, sar, child):
    """Issue 23: the spells of services, the SDQ scores (never the licensed questions) and the
    Outcomes Star readings are the person's information too."""
    from tandem.outcomes.models import SdqRecord, Service, ServiceSpell, ServiceType, StarReading

    kind = ServiceType.objects.get(pk="family-support")
    service = Service.objects.create(name="Family help", service_type=kind, aim=kind.aim)
    ServiceSpell.objects.create(
        service=service, person=child, started_on=dt.date(2025, 1, 6),
        ended_on=dt.date(2025, 6, 30), end_reason="completed", recorded_by=ig,
    )  # fmt: skip
    SdqRecord.objects.create(
        person=child, informant="parent", completed_on=dt.date(2025, 2, 1), emotional=4,
        conduct=2, hyperactivity=5, peer=3, prosocial=8, total=14, recorded_by=ig,
    )  # fmt: skip
    StarReading.objects.create(
        person=child, star="family-star-plus", area="family-routine", reading=4,
        read_on=dt.date(2025, 1, 6), recorded_by=ig,
    )  # fmt: skip
    items = {i.section: i.text for i in sar_.sar_items(actor=ig, sar_id=sar.pk)}
    assert items["Services received"] == (
        "Family help, from 6 January 2025, ended 30 June 2025 (completed the service)"
    )
    data = sar_.sar_export_json(actor=ig, sar_id=sar.pk)
    assert "Strengths and Difficulties Questionnaire (parent): total difficulties 14" in data
    assert "Outcomes Star (family-star-plus), family routine: 4 of 10" in data
