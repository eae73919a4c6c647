"""Emergency (break-glass) access: a reason, a time limit, the owning team and the IG lead told,
a review queue, and every step audited."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

import tandem.config.urls  # noqa: F401 - builds the API's schemas before any clock is frozen
from tandem.access import services
from tandem.access.categories import STANDARD, Category
from tandem.access.errors import NotFound
from tandem.access.models import BreakGlass, InvolvementKind, Notification, RestrictionKind
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tests import factories
from tests.grants import categories_for
from tests.signing_in import VerifiedClient as Client
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db

REASON = "Child found alone at A&E at night, need to know who has parental responsibility"
NHS = "9434765919"


@pytest.fixture
def scene():
    owner_team = factories.TeamFactory()
    child = factories.ChildFactory(nhs_number=NHS, address="1 Quiet Lane")
    factories.InvolvementFactory(child=child, team=owner_team, kind=InvolvementKind.OWNING_TEAM)
    owner = factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team)
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER)
    ig = factories.UserFactory(role=Role.IG_LEAD)
    return {"child": child, "owner": owner, "nurse": nurse, "ig": ig}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_reason_is_required(scene):
    with pytest.raises(ValidationError) as e:
        services.break_glass_open(actor=scene["nurse"], child_id=scene["child"].pk, reason="x")
    assert "reason" in e.value.message_dict
    assert not BreakGlass.objects.exists()


def test_access_lasts_the_configured_hours_then_ends(scene, settings):
    nurse, child = scene["nurse"], scene["child"]
    assert categories_for(nurse, child.pk) == frozenset()
    with freeze_time("2026-11-23 10:00:00+00:00"):
        services.break_glass_open(actor=nurse, child_id=child.pk, reason=REASON)
        assert categories_for(nurse, child.pk) == STANDARD
        assert Category.POLICE_INTELLIGENCE not in categories_for(nurse, child.pk)
    with freeze_time("2026-11-23 13:59:59+00:00"):
        assert _client(nurse).get(f"/children/{child.pk}").status_code == 200
    with freeze_time("2026-11-23 14:00:00+00:00"):
        assert _client(nurse).get(f"/children/{child.pk}").status_code == 404
    settings.TANDEM_BREAK_GLASS_HOURS = 1
    with freeze_time("2026-11-24 10:00:00+00:00"):
        grant = services.break_glass_open(actor=nurse, child_id=child.pk, reason=REASON)
    assert grant.expires_at - grant.started_at == dt.timedelta(hours=1)


def test_owning_team_and_ig_leads_of_both_partners_are_told_and_it_is_audited(scene):
    def ig_lead_of(user):
        return factories.UserFactory(
            role=Role.IG_LEAD, team=factories.TeamFactory(partner=user.team.partner)
        )

    owners_ig, nurses_ig = ig_lead_of(scene["owner"]), ig_lead_of(scene["nurse"])
    bystander = factories.UserFactory(role=Role.SOCIAL_WORKER)
    grant = services.break_glass_open(
        actor=scene["nurse"], child_id=scene["child"].pk, reason=REASON
    )
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    # Not scene["ig"], an IG lead of a partner with no part in this.
    assert told == {scene["owner"].pk, owners_ig.pk, nurses_ig.pk}
    assert bystander.pk not in told
    row = AccessEvent.objects.get(record_type="breakglass")
    assert (row.action, row.person_id, row.actor_id) == (
        "create",
        scene["child"].pk,
        grant.user_id,
    )
    # The reason is on the emergency access (for its review), not in the audit trail, which
    # outlives the record and must hold no name.
    assert grant.reason == REASON
    assert "reason" not in row.detail
    # The owning team is told whose record, and its link (who looked) is one it may open.
    owner = _client(scene["owner"])
    page = owner.get("/notifications")
    assert f"Emergency access to {scene['child'].full_name}'s record" in text_of(page)
    link = re.search(r'href="(/children/[^"]+/who-looked)"', page.content.decode())[1]
    assert owner.get(link).status_code == 200
    # An IG lead is sent to the review, which is theirs to open.
    ig = _client(owners_ig)
    review = re.search(r'href="(/governance/break-glass/[^"]+)"', ig.get("/notifications")
                       .content.decode())[1]  # fmt: skip
    assert ig.get(review).status_code == 200


def test_with_no_ig_lead_at_either_partner_every_ig_lead_is_told(scene):
    services.break_glass_open(actor=scene["nurse"], child_id=scene["child"].pk, reason=REASON)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {scene["owner"].pk, scene["ig"].pk}


def test_a_restricted_record_cannot_be_opened_by_break_glass(scene):
    services.restriction_add(
        actor=scene["ig"],
        child_id=scene["child"].pk,
        kind=RestrictionKind.RESTRICTED_RECORD,
        reason="High-profile case",
        named_people=[],
    )
    with pytest.raises(NotFound):
        services.break_glass_open(actor=scene["nurse"], child_id=scene["child"].pk, reason=REASON)


def test_the_page_asks_for_a_number_and_a_reason_and_names_the_fields(scene):
    """Every error at once: what identifies the child, and the reason."""
    client = _client(scene["nurse"])
    response = client.post("/emergency-access", {"nhs_number": "", "reason": "Too short"})
    assert error_summary(response) == [
        ("#given_name", "Enter the child's first name, or their NHS number or UPN"),
        ("#family_name", "Enter the child's last name"),
        ("#date_of_birth-day", "Enter the child's date of birth"),
        ("#reason", "Say why you need emergency access to this record (at least 20 characters)"),
    ]
    response = client.post("/emergency-access", {"nhs_number": "401 023 2137", "reason": REASON})
    assert ("#nhs_number", "No child with these details is on the shared record") in (
        error_summary(response)
    )
    assert not BreakGlass.objects.exists()


def test_a_child_without_a_number_is_found_by_name_and_date_of_birth(scene):
    child = scene["child"]
    born = child.date_of_birth
    form = {
        "given_name": child.given_name.upper(),
        "family_name": child.family_name,
        "date_of_birth-day": str(born.day),
        "date_of_birth-month": str(born.month),
        "date_of_birth-year": str(born.year),
        "reason": REASON,
    }
    response = _client(scene["nurse"]).post("/emergency-access", form)
    assert response.status_code == 302
    assert BreakGlass.objects.get().child == child
    twin = factories.ChildFactory(
        given_name=child.given_name, family_name=child.family_name, date_of_birth=born
    )
    assert twin.pk != child.pk
    again = _client(factories.UserFactory(role=Role.HEALTH_PRACTITIONER))
    assert ("#given_name", "More than one child has these details: use the NHS number or UPN") in (
        error_summary(again.post("/emergency-access", form))
    )


def test_the_page_opens_the_record_and_the_ig_lead_reviews_it(scene):
    child = scene["child"]
    nurse = _client(scene["nurse"])
    response = nurse.post("/emergency-access", {"nhs_number": NHS, "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/children/{child.pk}"
    assert child.given_name in text_of(nurse.get(f"/children/{child.pk}"))
    grant = BreakGlass.objects.get()
    # The queue, for IG leads only.
    assert nurse.get("/governance/break-glass").status_code == 403
    ig = _client(scene["ig"])
    assert REASON[:40] in text_of(ig.get("/governance/break-glass"))
    review_url = f"/governance/break-glass/{grant.pk}"
    assert ("#note", "Say why the access was inappropriate") in error_summary(
        ig.post(review_url, {"outcome": "inappropriate", "note": ""})
    )
    response = ig.post(review_url, {"outcome": "inappropriate", "note": "No emergency: refer"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.review, grant.reviewed_by_id) == ("inappropriate", scene["ig"].pk)
    # An inappropriate access ends at once.
    assert nurse.get(f"/children/{child.pk}").status_code == 404
    assert "No emergency access is waiting for review" in text_of(
        ig.get("/governance/break-glass")
    )
    assert AccessEvent.objects.filter(
        record_type="breakglass", action="update", detail__review="inappropriate"
    ).exists()


def test_emergency_access_reads_and_says_so_until_it_ends(scene):
    """A lasting warning with the time it ends on every page of the record; nothing offered
    that would change the record (and a change refused if tried); no "who looked"."""
    from tests.web.support import text_of

    nurse, child = scene["nurse"], scene["child"]
    grant = services.break_glass_open(actor=nurse, child_id=child.pk, reason=REASON)
    client = _client(nurse)
    summary = client.get(f"/children/{child.pk}")
    text = text_of(summary)
    assert "You have emergency access to this record until" in text
    assert "You opened this record in an emergency" in text
    for offered in ("Change details", "Who looked at this record", "Consent to share"):
        assert offered not in text, offered
    chronology = text_of(client.get(f"/children/{child.pk}/chronology"))
    assert "You have emergency access to this record until" in chronology
    assert "Add to chronology" not in chronology
    for tab in ("referrals", "household", "casework", "care"):
        page = text_of(client.get(f"/children/{child.pk}/{tab}"))
        for offered in ("Make a referral", "Open a case", "Record a new episode", "Add"):
            assert f" {offered} " not in f" {page} ", (tab, offered)
    assert client.get(f"/children/{child.pk}/edit").status_code == 403
    assert client.post(f"/children/{child.pk}/chronology/new", {}).status_code == 403
    assert grant.expires_at > grant.started_at
