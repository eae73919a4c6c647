"""The performance team's returns page: build, check, follow a failure, download."""

import pytest

from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.care.models import CareReview
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.partners.models import Role
from tests import factories
from tests.returns.conftest import child_looked_after, performance_officer
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def la_team():
    return factories.TeamFactory(name="Children in care")


@pytest.fixture
def officer(signed_in, la_team):
    return signed_in(performance_officer(la_team))


@pytest.fixture
def looked_after(la_team):
    return child_looked_after(la_team)


def build(client, kind="returns.ssda903", ending="2026"):
    response = client.post("/returns", {"kind": kind, "ending": ending})
    job = Job.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}"
    return job_run(job)


def test_the_officer_builds_the_return_and_follows_a_failure_to_the_record(
    officer,
    looked_after,
    settings,
    tmp_path,
):
    settings.VAR_DIR = tmp_path
    CareReview.objects.update(participation="PN9")
    job = build(officer)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["url"] == f"/returns/{job.pk}"
    page = officer.get(job.result["url"])
    text = text_of(page)
    assert "Data entry for participation is invalid or blank." in text
    link = f"/returns/{job.pk}/children/{looked_after.pk}"
    assert f'href="{link}"' in page.content.decode()
    assert "episodes.csv" in text
    before = AccessEvent.objects.count()
    child_page = officer.get(link)
    assert child_page.status_code == 200
    shown = text_of(child_page)
    assert "167: Data entry for participation is invalid or blank." in shown
    assert "PN9" in shown  # the row as the return has it
    assert "Children in care" in shown  # who can fix it
    (event,) = AccessEvent.objects.order_by("-id")[: AccessEvent.objects.count() - before]
    assert (event.action, event.purpose, event.record_type, event.person_id) == (
        AuditAction.VIEW,
        Purpose.STATUTORY_RETURN,
        "return_child",
        looked_after.pk,
    )


def test_a_download_is_the_file_and_is_audited(officer, looked_after, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer)
    response = officer.get(f"/returns/{job.pk}/download?file=episodes.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("CHILD,DECOM,RNE,LS,CIN,PLACE")
    event = AccessEvent.objects.get(record_type="return_file")
    assert (event.action, event.record_id, event.detail["file"]) == (
        AuditAction.EXPORT,
        str(job.pk),
        "episodes.csv",
    )


def test_a_file_the_job_did_not_write_is_not_found(officer, looked_after, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer)
    assert officer.get(f"/returns/{job.pk}/download?file=../../secret_key").status_code == 404


def test_the_cin_census_is_built_from_the_same_page(officer, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer, kind="returns.cin")
    assert job.status == JobStatus.SUCCEEDED
    assert "cin.xml" in text_of(officer.get(f"/returns/{job.pk}"))


def test_the_latest_year_is_chosen_to_begin_with(officer):
    import re

    from tandem.care import codelists

    latest = max(y.ending for y in codelists.all_years())
    page = officer.get("/returns").content.decode()
    assert re.search(rf'name="ending" type="radio" value="{latest}" checked', page)


def test_a_form_without_choices_shows_the_error_summary(officer):
    response = officer.post("/returns", {})
    assert error_summary(response) == [
        ("#kind", "Choose which return to build"),
        ("#ending", "Choose the collection year"),
    ]
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.IG_LEAD])
def test_the_page_is_for_the_performance_team_only(signed_in, role):
    client = signed_in(factories.UserFactory(role=role))
    assert client.get("/returns").status_code == 403


def test_the_performance_team_starts_on_the_returns_page(officer):
    response = officer.get("/")
    assert (response.status_code, response["Location"]) == (302, "/returns")


def test_the_child_page_holds_only_what_the_return_holds(
    officer, looked_after, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    job = build(officer)
    shown = text_of(officer.get(f"/returns/{job.pk}/children/{looked_after.pk}"))
    assert looked_after.family_name not in shown  # the return holds no names
    assert "TW1 2DA" in shown  # a placement postcode, a field of the return


def test_the_cin_census_failures_link_to_the_child_too(officer, la_team, settings, tmp_path):
    import datetime as dt

    from tests.returns.test_cin import referral

    settings.VAR_DIR = tmp_path
    child = factories.ChildFactory(upn=None, date_of_birth=dt.date(2010, 1, 1))
    r = referral(la_team, child, dt.date(2025, 5, 1), "nfa")
    type(r).objects.filter(pk=r.pk).update(source="ZZ")  # as an old import might have left it
    job = build(officer, kind="returns.cin")
    assert job.result["failures"] == {"8866": 1}
    page = officer.get(f"/returns/{job.pk}")
    link = f"/returns/{job.pk}/children/{child.pk}"
    assert f'href="{link}"' in page.content.decode()
    shown = text_of(officer.get(link))
    assert "8866: Source of Referral is missing or an invalid code" in shown
    assert "ZZ" in shown


class TestHackers:
    """Nobody but the officer who built the return sees a child through it, and only a child
    in it: every other try is a 404, the same as for a child who does not exist."""

    @pytest.fixture
    def built(self, officer, looked_after, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        return build(officer)

    def test_another_authoritys_analyst(self, client, built, looked_after):
        elsewhere = factories.TeamFactory(name="Performance elsewhere")  # another partner
        client.force_login(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=elsewhere))
        assert client.get(f"/returns/{built.pk}/children/{looked_after.pk}").status_code == 404

    def test_another_analyst_of_the_same_authority(self, client, built, looked_after):
        colleague = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=built.owner.team)
        client.force_login(colleague)
        assert client.get(f"/returns/{built.pk}/children/{looked_after.pk}").status_code == 404

    def test_a_child_not_in_the_return(self, officer, built):
        stranger = factories.ChildFactory()
        assert officer.get(f"/returns/{built.pk}/children/{stranger.pk}").status_code == 404
        assert not AccessEvent.objects.filter(
            record_type="return_child", person_id=stranger.pk
        ).exists()

    def test_another_partners_analyst_with_their_own_return(
        self, client, built, looked_after, settings
    ):
        elsewhere = factories.TeamFactory(name="Performance elsewhere")
        analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=elsewhere)
        client.force_login(analyst)
        client.post("/returns", {"kind": "returns.ssda903", "ending": "2026"})
        theirs = job_run(Job.objects.filter(owner=analyst).get())
        assert theirs.status == JobStatus.SUCCEEDED  # their own authority's (empty) return
        assert client.get(f"/returns/{theirs.pk}/children/{looked_after.pk}").status_code == 404
