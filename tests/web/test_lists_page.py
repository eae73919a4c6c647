"""Every list that can grow past a page pages, with its total (issue 21): nothing hides behind
an arbitrary cut-off."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access.models import BreakGlass, Notification, Restriction
from tandem.jobs.models import Job
from tandem.partners.models import Role
from tests import factories
from tests.signing_in import VerifiedClient
from tests.web.support import text_of

pytestmark = pytest.mark.django_db


def _client(user):
    client = VerifiedClient()
    client.force_login(user)
    return client


def test_governance_lists_page_with_their_totals():
    ig = factories.UserFactory(role=Role.IG_LEAD)
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER)
    now = timezone.now()
    for i in range(30):
        child = factories.ChildFactory()
        BreakGlass.objects.create(
            user=nurse, child=child, reason="x" * 20, started_at=now - dt.timedelta(minutes=i),
            expires_at=now + dt.timedelta(hours=1),
        )  # fmt: skip
        restriction = Restriction.objects.create(
            child=child, kind="restricted_record", reason="r", made_by=ig, made_at=now
        )
        restriction.named_people.set([ig])
        Notification.objects.create(recipient=ig, message=f"Note {i}", created_at=now)
    client = _client(ig)
    for url, noun in (
        ("/governance/break-glass", "emergency accesses"),
        ("/governance/restrictions", "restrictions in force"),
        ("/notifications", "notifications, newest first"),
    ):
        first = text_of(client.get(url))
        assert f"Showing 1 to 25 of 30 {noun}" in first, url
        assert f"Showing 26 to 30 of 30 {noun}" in text_of(client.get(url, {"page": "2"})), url


def test_your_jobs_page():
    user = factories.UserFactory()
    for i in range(27):
        Job.objects.create(owner=user, kind="k", title=f"Job {i}")
    page = text_of(_client(user).get("/jobs", {"page": "2"}))
    assert "Showing 26 to 27 of 27 jobs, newest first" in page
