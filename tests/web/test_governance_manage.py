"""The IG lead's pages for agreements, legal holds and restricted records, and consent on a
child's record: each form names the wrong field in the error summary and saves nothing; each
change goes through the service (audited); ending an agreement stops its shares at once."""

import datetime as dt

import pytest

from tandem.access.models import (
    Agreement,
    AgreementAcceptance,
    Consent,
    Grant,
    LegalHold,
    Restriction,
)
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tests import factories
from tests.access.test_slicing import HEALTH_NOTE, _page, w  # noqa: F401 - the fixture
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


def _client(signed_in, user):
    return signed_in(user)


def _make_agreement(client, title="Early help ISA"):
    response = client.post(
        "/governance/agreements/new",
        {
            "title": title,
            "summary": "",
            "starts_on-day": "1",
            "starts_on-month": "1",
            "starts_on-year": "2026",
        },
    )
    assert response.status_code == 302, error_summary(response)
    return Agreement.objects.get(title=title)


HEALTH_GRANT = {
    "category": "health",
    "purpose": "early_help",
    "lawful_basis": "public_task",
    "schedule1_condition": "health_social_care",
}


def test_agreement_pages_are_for_ig_leads_only(signed_in, social_worker):
    client = signed_in(social_worker)
    for url in ("/governance/agreements", "/governance/agreements/new"):
        assert client.get(url).status_code == 403
    assert client.post("/governance/agreements/new", {"title": "x"}).status_code == 403
    assert not Agreement.objects.exists()


def test_making_an_agreement_names_each_missing_field(signed_in):
    client = signed_in(factories.UserFactory(role=Role.IG_LEAD))
    response = client.post("/governance/agreements/new", {})
    assert [href for href, _ in error_summary(response)] == ["#title", "#starts_on-day"]
    assert not Agreement.objects.exists()


def test_the_whole_agreement_journey_through_the_pages(signed_in, w):  # noqa: F811
    """The NHS trust's IG lead makes the agreement and shares health with the school; the
    school's IG lead accepts; the school's DSL sees the health line; ending it hides the line
    on the very next request."""
    nhs_ig, school_ig, dsl, child = (
        w["users"]["ig_nhs_trust"],
        w["users"]["ig_school"],
        w["users"]["dsl"],
        w["child"],
    )
    nhs = signed_in(nhs_ig)
    agreement = _make_agreement(nhs)
    page = f"/governance/agreements/{agreement.pk}"
    assert "Nothing is shared under this agreement yet" in text_of(nhs.get(page))

    # Each missing choice named; nothing saved.
    response = nhs.post(page, {})
    assert [href for href, _ in error_summary(response)] == [
        "#to_partner",
        "#category",
        "#purpose",
        "#lawful_basis",
    ]
    # A sensitive category without its Schedule 1 condition: the service's error, on its field.
    response = nhs.post(
        page,
        {
            **HEALTH_GRANT,
            "to_partner": str(w["school"].pk),
            "category": "police_intelligence",
            "schedule1_condition": "",
        },
    )
    assert error_summary(response) == [
        (
            "#schedule1_condition",
            "Choose the Schedule 1 condition for sharing this sensitive category",
        )
    ]
    assert not Grant.objects.exists()
    response = nhs.post(page, {**HEALTH_GRANT, "to_partner": str(w["school"].pk)})
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.from_partner, grant.to_partner, grant.category) == (
        nhs_ig.team.partner,
        w["school"],
        "health",
    )
    assert HEALTH_NOTE not in _page(dsl, child)  # the school has not accepted yet

    school = signed_in(school_ig)
    assert "Accept for School" in text_of(school.get(page))
    assert school.post(f"{page}/accept").status_code == 302
    assert AgreementAcceptance.objects.get().partner == w["school"]
    assert HEALTH_NOTE in _page(dsl, child)

    # Only the owner's IG lead ends it.
    assert school.post(f"{page}/end").status_code == 403
    assert HEALTH_NOTE in _page(dsl, child)
    nhs = signed_in(nhs_ig)
    assert nhs.post(f"{page}/end").status_code == 302
    assert HEALTH_NOTE not in _page(dsl, child)
    text = text_of(nhs.get(page))
    assert "Ended" in text
    assert "Share something under this agreement" not in text
    events = AccessEvent.objects.filter(record_type__in=["agreement", "grant"]).values_list(
        "record_type", "action", "actor_username"
    )
    assert list(events.order_by("id")) == [
        ("agreement", "create", nhs_ig.username),
        ("grant", "create", nhs_ig.username),
        ("agreement", "update", school_ig.username),
        ("agreement", "update", nhs_ig.username),
    ]


def test_an_ended_agreement_cannot_be_accepted_or_added_to(signed_in, w):  # noqa: F811
    nhs = signed_in(w["users"]["ig_nhs_trust"])
    agreement = _make_agreement(nhs)
    nhs.post(f"/governance/agreements/{agreement.pk}/end")
    school = signed_in(w["users"]["ig_school"])
    response = school.post(f"/governance/agreements/{agreement.pk}/accept", follow=True)
    assert "This agreement has ended" in text_of(response)
    assert not AgreementAcceptance.objects.exists()
    response = signed_in(w["users"]["ig_nhs_trust"]).post(
        f"/governance/agreements/{agreement.pk}",
        {**HEALTH_GRANT, "to_partner": str(w["school"].pk)},
    )
    assert response.status_code == 200
    assert "This agreement has ended" in text_of(response)
    assert not Grant.objects.exists()


def test_a_partner_that_has_not_accepted_cannot_grant(signed_in, w):  # noqa: F811
    agreement = _make_agreement(signed_in(w["users"]["ig_nhs_trust"]))
    police = signed_in(w["users"]["ig_police"])
    response = police.post(
        f"/governance/agreements/{agreement.pk}",
        {**HEALTH_GRANT, "to_partner": str(w["school"].pk)},
    )
    assert response.status_code == 200
    assert "must accept this agreement" in text_of(response)
    assert not Grant.objects.exists()


def test_an_unknown_agreement_is_404(signed_in):
    import uuid

    client = signed_in(factories.UserFactory(role=Role.IG_LEAD))
    assert client.get(f"/governance/agreements/{uuid.uuid4()}").status_code == 404
    assert client.post(f"/governance/agreements/{uuid.uuid4()}/accept").status_code == 404
    assert client.post(f"/governance/agreements/{uuid.uuid4()}/end").status_code == 404


def test_the_agreement_list_costs_the_same_for_many(signed_in, w, django_assert_max_num_queries):  # noqa: F811
    nhs = signed_in(w["users"]["ig_nhs_trust"])
    for n in range(5):
        _make_agreement(nhs, title=f"ISA {n}")
    with django_assert_max_num_queries(12):
        text = text_of(nhs.get("/governance/agreements"))
    assert "ISA 4" in text


def test_a_big_agreement_reads_grouped_filtered_and_paged(signed_in):
    """The demo's agreement holds thousands of grants: alike ones share a line, a partner
    narrows them, and the lines page."""
    ig = factories.UserFactory(role=Role.IG_LEAD)
    partners = [
        ig.team.partner,
        *(factories.PartnerFactory(name=f"Partner {n}") for n in range(7)),
    ]
    agreement = Agreement.objects.create(
        title="Big ISA", owner=ig.team.partner, starts_on=dt.date(2026, 1, 1)
    )
    Grant.objects.bulk_create(
        Grant(agreement=agreement, from_partner=a, to_partner=b, category=category,
              purpose=purpose, lawful_basis="public_task")
        for a in partners for b in partners if a != b
        for category in ("identity", "contact", "education")
        for purpose in ("early_help", "child_protection")
    )  # fmt: skip
    client = signed_in(ig)
    page = f"/governance/agreements/{agreement.pk}"
    text = text_of(client.get(page))
    assert "336 shares in all" in text
    # 8 x 7 pairs x 2 purposes = 112 lines, the three categories on each.
    assert "Showing 1 to 25 of 112 lines" in text
    assert "Address and postcode, Education, Identity (name" in text
    narrowed = text_of(client.get(page, {"from_partner": "Partner 3", "to_partner": "Partner 5"}))
    assert "2 lines." in narrowed
    assert narrowed.count("Partner 3 Partner 5") == 2


# -- legal holds -------------------------------------------------------------------------------


def test_legal_holds_place_and_lift(signed_in, child):
    ig = factories.UserFactory(role=Role.IG_LEAD)
    client = signed_in(ig)
    response = client.post("/governance/legal-holds", {"child_id": "not-an-id", "reason": ""})
    assert [href for href, _ in error_summary(response)] == ["#child_id", "#reason"]
    import uuid

    response = client.post(
        "/governance/legal-holds", {"child_id": str(uuid.uuid4()), "reason": "Court case"}
    )
    assert error_summary(response) == [("#child_id", "No child with this record id")]
    # The IG lead finds the child by name and comes back with them chosen.
    found = client.post("/governance/people", {"name": child.given_name})
    assert f"/governance/legal-holds?person={child.pk}" in found.content.decode()
    chosen = text_of(client.get("/governance/legal-holds", {"person": str(child.pk)}))
    assert f"Whose record must be kept {child.full_name} Change" in chosen
    assert not LegalHold.objects.exists()
    response = client.post(
        "/governance/legal-holds", {"child_id": str(child.pk), "reason": "Court case 123"}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.child_id, hold.placed_by) == (child.pk, ig)
    text = text_of(client.get("/governance/legal-holds"))
    assert child.full_name in text  # names, never a bare record id
    assert str(child.pk) not in text
    assert client.post(f"/governance/legal-holds/{hold.pk}/lift").status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert "No record is on legal hold" in text_of(client.get("/governance/legal-holds"))


def test_legal_holds_are_for_ig_leads_only(signed_in, social_worker, child):
    client = signed_in(social_worker)
    assert client.get("/governance/legal-holds").status_code == 403
    response = client.post("/governance/legal-holds", {"child_id": str(child.pk), "reason": "x"})
    assert response.status_code == 403
    assert not LegalHold.objects.exists()


# -- restricted records ------------------------------------------------------------------------


def test_restricting_a_record_names_who_may_see_it(signed_in, child, social_worker):
    ig = factories.UserFactory(username="ig.lead", role=Role.IG_LEAD)
    client = signed_in(ig)
    form = {
        "child_id": str(child.pk),
        "kind": "restricted_record",
        "reason": "Child of a member of staff",
        "named_people": "nobody.here\n" + social_worker.username,
    }
    response = client.post("/governance/restrictions", form)
    assert error_summary(response) == [
        ("#named_people", "No active user with the username nobody.here")
    ]
    assert not Restriction.objects.exists()
    response = client.post(
        "/governance/restrictions", {**form, "named_people": social_worker.username}
    )
    assert response.status_code == 302
    restriction = Restriction.objects.get()
    assert set(restriction.named_people.all()) == {ig, social_worker}
    # The owning team's manager (not named) no longer sees the child; the named worker does.
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=social_worker.team)
    assert signed_in(manager).get(f"/children/{child.pk}").status_code == 404
    assert signed_in(social_worker).get(f"/children/{child.pk}").status_code == 200
    client = signed_in(ig)
    assert client.post(f"/governance/restrictions/{restriction.pk}/end").status_code == 302
    assert signed_in(manager).get(f"/children/{child.pk}").status_code == 200


def test_restriction_form_names_each_missing_field(signed_in):
    client = signed_in(factories.UserFactory(role=Role.IG_LEAD))
    response = client.post("/governance/restrictions", {})
    assert [href for href, _ in error_summary(response)] == [
        "#child_id",
        "#kind",
        "#reason",
        "#named_people",
    ]


# -- consent -----------------------------------------------------------------------------------


def test_record_and_withdraw_consent_on_the_child_s_record(worker_client, child, social_worker):
    page = f"/children/{child.pk}/consent"
    response = worker_client.post(page, {})
    assert [href for href, _ in error_summary(response)] == [
        "#purpose",
        "#given_by",
        "#given_on-day",
    ]
    assert not Consent.objects.exists()
    response = worker_client.post(
        page,
        {
            "purpose": "early_help",
            "given_by": "Mother",
            "given_on-day": "3",
            "given_on-month": "11",
            "given_on-year": "2026",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.given_by, consent.recorded_by, consent.given_at.date()) == (
        "Mother",
        social_worker,
        dt.date(2026, 11, 3),
    )
    listed = AccessEvent.objects.filter(record_type="consent", action="list", person_id=child.pk)
    before = listed.count()
    assert "Mother" in text_of(worker_client.get(page))
    assert listed.count() == before + 1  # reading the consents is audited

    withdraw = f"{page}/{consent.pk}/withdraw"
    response = worker_client.post(withdraw, {})
    assert error_summary(response) == [("#note", "Say who withdrew consent and how")]
    response = worker_client.post(withdraw, {"note": "Mother phoned on 20 November"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_note == "Mother phoned on 20 November"


def test_a_consent_of_another_child_is_404(worker_client, child, team, social_worker):
    from tandem.access.services import consent_record

    other = factories.ChildFactory()
    factories.InvolvementFactory(child=other, team=team)
    theirs = consent_record(
        actor=social_worker, child_id=other.pk, purpose="early_help", given_by="Father"
    )
    response = worker_client.post(
        f"/children/{child.pk}/consent/{theirs.pk}/withdraw", {"note": "swapped id"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


# -- the share / no-share decision log ---------------------------------------------------------


def test_record_a_decision_not_to_share_and_a_share_on_the_child_s_record(
    worker_client, child, social_worker
):
    from tandem.access.models import ShareDecision

    page = f"/children/{child.pk}/sharing"
    response = worker_client.get(page)
    assert "No sharing decision has been recorded" in text_of(response)
    listed = AccessEvent.objects.filter(
        record_type="sharedecision", action="list", person_id=child.pk
    )
    assert listed.count() == 1  # reading the log is audited

    response = worker_client.post(page, {})
    assert [href for href, _ in error_summary(response)] == ["#shared", "#purpose"]
    # Not sharing without reasons: the service names the field.
    response = worker_client.post(page, {"shared": "no", "purpose": "early_help"})
    assert error_summary(response) == [("#reasons", "Say why you decided not to share")]
    # Sharing sensitive information: the lawful basis and the Schedule 1 condition are needed.
    response = worker_client.post(
        page,
        {"shared": "yes", "purpose": "early_help", "categories": ["police_intelligence"],
         "reasons": "Planning the safety plan"},
    )  # fmt: skip
    assert [href for href, _ in error_summary(response)] == [
        "#lawful_basis",
        "#schedule1_condition",
    ]
    # On consent, with no consent standing: refused by the service.
    response = worker_client.post(
        page,
        {"shared": "yes", "purpose": "early_help", "lawful_basis": "consent",
         "reasons": "To plan early help"},
    )  # fmt: skip
    assert [href for href, _ in error_summary(response)] == ["#lawful_basis"]
    assert not ShareDecision.objects.exists()

    response = worker_client.post(
        page,
        {"shared": "no", "purpose": "early_help",
         "reasons": "Sharing would tell the father where the family lives"},
    )  # fmt: skip
    assert response.status_code == 302
    partner = factories.PartnerFactory(name="Oakfield Academy")
    response = worker_client.post(
        page,
        {"shared": "yes", "purpose": "early_help", "with_partner": str(partner.pk),
         "categories": ["education", "police_intelligence"], "lawful_basis": "public_task",
         "schedule1_condition": "safeguarding", "reasons": "Safety plan with the school"},
    )  # fmt: skip
    assert response.status_code == 302
    refused, shared = ShareDecision.objects.order_by("decided_at")
    assert (refused.shared, refused.decided_by) == (False, social_worker)
    assert (shared.with_partner, shared.categories, shared.schedule1_condition) == (
        partner,
        ["education", "police_intelligence"],
        "safeguarding",
    )
    created = AccessEvent.objects.filter(
        record_type="sharedecision", action="create", person_id=child.pk
    )
    assert sorted(e.record_id for e in created) == sorted([str(refused.pk), str(shared.pk)])
    text = text_of(worker_client.get(page))
    assert "Sharing would tell the father where the family lives" in text
    assert "Oakfield Academy" in text
    assert "Paragraph 18" in text


def test_the_sharing_page_of_a_child_you_cannot_see_is_404(signed_in, child, stranger):
    from tandem.access.models import ShareDecision

    client = signed_in(stranger)
    page = f"/children/{child.pk}/sharing"
    assert client.get(page).status_code == 404
    response = client.post(page, {"shared": "no", "purpose": "early_help", "reasons": "x"})
    assert response.status_code == 404
    assert not ShareDecision.objects.exists()
