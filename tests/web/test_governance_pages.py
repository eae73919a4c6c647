"""The IG lead's pages: subject access deadlines, redaction item by item, the downloads."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tandem.access import subject_access
from tandem.access.models import SarRedaction
from tandem.partners.models import Role
from tandem.people.models import Event
from tests import factories
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db
THIRD_PARTY = "Uncle Bob Example was drunk at the visit"
# Ten days ago, so the one-month deadline is always ahead of whenever the suite runs.
RECEIVED = dt.date.today() - dt.timedelta(days=10)


@pytest.fixture
def ig():
    return factories.UserFactory(role=Role.IG_LEAD)


@pytest.fixture
def sar(ig, child):
    Event.objects.create(
        person=child,
        partner=factories.PartnerFactory(),
        kind="home_visit",
        occurred_at=timezone.now(),
        summary=THIRD_PARTY,
    )
    return subject_access.sar_log(
        actor=ig, person_id=child.pk, requester="Young person", received_on=RECEIVED
    )


def test_home_shows_deadlines_and_is_for_ig_leads(signed_in, ig, sar, social_worker):
    text = text_of(signed_in(ig).get("/governance"))
    assert "Young person" in text
    due = subject_access.one_month_after(RECEIVED)
    assert f"{due.day} {due:%B %Y}" in text
    assert "On time" in text or "Due soon" in text
    assert signed_in(social_worker).get("/governance").status_code == 403


def test_log_a_request_names_each_missing_field(signed_in, ig):
    response = signed_in(ig).post("/governance/subject-access/new", {})
    assert [href for href, _ in error_summary(response)] == [
        "#person_id",
        "#requester",
        "#received_on-day",
    ]


def test_redact_an_item_then_download_without_it(signed_in, ig, sar):
    client = signed_in(ig)
    page = f"/governance/subject-access/{sar.pk}"
    assert THIRD_PARTY in text_of(client.get(page))
    key = next(
        i.key for i in subject_access.sar_items(actor=ig, sar_id=sar.pk) if THIRD_PARTY in i.text
    )
    response = client.post(page, {"item_key": key, "reason": ""})
    assert error_summary(response) == [
        ("#reason", "Say why this item is withheld (for example, it is about someone else)")
    ]
    assert not SarRedaction.objects.exists()
    response = client.post(page, {"item_key": key, "reason": "About a relative"})
    assert response.status_code == 302
    assert THIRD_PARTY not in text_of(client.get(page))
    body = client.get(f"{page}/response.json")
    assert THIRD_PARTY not in body.content.decode()
    assert json.loads(body.content)["items"]
    pdf = client.get(f"{page}/response.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"Uncle Bob" not in pdf.content


def test_retention_run_from_the_page_makes_a_certificate(
    signed_in, ig, django_capture_on_commit_callbacks
):
    from tandem.access.models import DestructionCertificate, InvolvementKind

    old = factories.ChildFactory(given_name="Old", date_of_birth=dt.date(2000, 1, 1))
    factories.InvolvementFactory(
        child=old,
        kind=InvolvementKind.OWNING_TEAM,
        started_on=dt.date(2001, 1, 1),
        ended_on=dt.date(2010, 1, 1),
    )
    client = signed_in(ig)
    assert "1 record is due for destruction" in text_of(client.get("/governance"))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/governance/retention/run")
    job_id = response["Location"].rsplit("/", 1)[1]
    from tandem.jobs.models import Job
    from tandem.jobs.services import job_run

    job_run(Job.objects.get(pk=job_id))
    assert DestructionCertificate.objects.get().total == 1
    assert "0 records are due" in text_of(client.get("/governance"))


def test_release_a_relative_who_starts_withheld_from_the_page(signed_in, ig, sar, child):
    from tandem.people.models import Relationship

    aunt = factories.AdultFactory(given_name="Sntlaunt")
    a, b = sorted([aunt, child], key=lambda p: str(p.pk))
    Relationship.objects.create(person_a=a, person_b=b, kind="other")
    client = signed_in(ig)
    page = f"/governance/subject-access/{sar.pk}"
    assert "Sntlaunt" in text_of(client.get(page))  # the IG lead sees it, to decide
    download = f"/governance/subject-access/{sar.pk}/response.json"
    assert "Sntlaunt" not in client.get(download).content.decode()
    key = next(
        i.key for i in subject_access.sar_items(actor=ig, sar_id=sar.pk) if "Sntlaunt" in i.text
    )
    refused = client.post(page, {"item_key": key, "decision": "release", "reason": ""})
    assert error_summary(refused) == [
        ("#reason", "Say why this item may be released (for example, they consented)")
    ]
    to_release = text_of(client.get(page, {"show": "to_release"}))
    assert "Withheld unless you release them (1)" in to_release
    assert "Sntlaunt" in to_release
    assert THIRD_PARTY not in to_release  # the other items wait under "Everything held"
    released = client.post(
        f"{page}?show=to_release",
        {"item_key": key, "decision": "release", "reason": "She consented"},
    )
    # Back where the IG lead was: the same view, at the item just decided.
    assert released["Location"] == f"{page}?show=to_release#{key.replace(':', '-')}"
    assert f'id="{key.replace(":", "-")}"' in client.get(page).content.decode()
    assert "Sntlaunt" in client.get(download).content.decode()
    assert "Sntlaunt" in text_of(client.get(page, {"show": "going"}))
    assert "Sntlaunt" not in text_of(client.get(page, {"show": "to_release"}))


def test_the_ig_lead_finds_a_person_by_name_and_acts_on_them_by_name(signed_in, ig, child):
    """No record ids: a finder (audited, for governance), and each form shows whom it is about."""
    from tandem.access.services import restriction_add
    from tandem.audit.models import AccessEvent

    hidden = factories.ChildFactory(given_name="Sntlhidden", family_name=child.family_name)
    restriction_add(
        actor=factories.UserFactory(role=Role.IG_LEAD), child_id=hidden.pk,
        kind="restricted_record", reason="Witness", named_people=[],
    )  # fmt: skip
    client = signed_in(ig)
    found = client.post("/governance/people", {"name": child.family_name})
    text = text_of(found)
    assert child.full_name in text
    assert "Sntlhidden" not in text  # a restricted record the IG lead is not named on
    assert AccessEvent.objects.filter(
        actor=ig, action="search", record_type="person", person_id=child.pk
    ).exists()
    page = text_of(client.get("/governance/subject-access/new", {"person": str(child.pk)}))
    assert f"Whose information is asked for {child.full_name} Change" in page
    response = client.post(
        "/governance/subject-access/new",
        {
            "person_id": str(child.pk),
            "requester": "Her mother",
            "received_on-day": str(RECEIVED.day),
            "received_on-month": str(RECEIVED.month),
            "received_on-year": str(RECEIVED.year),
        },
    )
    assert response.status_code == 302
    assert child.full_name in text_of(client.get(response["Location"]))
    assert child.full_name in text_of(client.get("/governance"))
    missing = client.post("/governance/subject-access/new", {"requester": "x"})
    assert ("#person_id", "Find the person who asked, or whom the request is about, first") in (
        error_summary(missing)
    )
