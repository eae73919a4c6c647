"""'Who looked' at one child (IG leads and the owning team only) and the partnership-wide audit
search by user, child, date and partner, with its CSV export; each look is itself audited."""

import csv
import io

import pytest

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tests import factories
from tests.signing_in import VerifiedClient as Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def looked():
    """A child owned by a council team; a police officer and a school DSL have each looked."""
    owner_team = factories.TeamFactory()
    child = factories.ChildFactory()
    factories.InvolvementFactory(child=child, team=owner_team, kind=InvolvementKind.OWNING_TEAM)
    police = factories.TeamFactory(partner=factories.PartnerFactory(name="Example Police"))
    officer = factories.UserFactory(
        role=Role.POLICE_SAFEGUARDING_OFFICER, team=police, username="officer"
    )
    involved_team = factories.TeamFactory()
    factories.InvolvementFactory(child=child, team=involved_team, kind=InvolvementKind.INVOLVED)
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=involved_team, username="dsl")
    factories.InvolvementFactory(child=child, team=police, kind=InvolvementKind.INVOLVED)
    for user in (officer, dsl):
        client = Client()
        client.force_login(user)
        assert client.get(f"/children/{child.pk}").status_code == 200
    return {
        "child": child,
        "owner": factories.UserFactory(role=Role.SOCIAL_WORKER, team=owner_team),
        "dsl": dsl,
        "ig": factories.UserFactory(role=Role.IG_LEAD),
    }


def _as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("ig", 200), ("dsl", 404)])
def test_who_looked_is_for_the_owning_team_and_ig_leads(looked, who, status):
    child = looked["child"]
    response = _as(looked[who]).get(f"/children/{child.pk}/who-looked")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "officer" in page
        assert "Example Police" in page
        assert "dsl" in page
        row = AccessEvent.objects.filter(record_type="who_looked").get()
        assert (row.person_id, row.actor_id, row.purpose) == (
            child.pk,
            looked[who].pk,
            "audit_review",
        )
    else:
        assert AccessEvent.objects.filter(action="denied", person_id=child.pk).exists()


def test_audit_search_by_partner(looked):
    response = _as(looked["ig"]).get("/audit", {"partner": "example police"})
    page = response.content.decode()
    assert "officer" in page
    assert ">dsl<" not in page


def test_csv_export_holds_the_search_and_is_itself_audited(looked):
    child = looked["child"]
    response = _as(looked["ig"]).get("/audit/export.csv", {"child_id": str(child.pk)})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    # The export's own audit row is written before the first line leaves, so it is in the file.
    assert {r["actor_username"] for r in rows} == {"officer", "dsl", looked["ig"].username}
    assert {r["person_id"] for r in rows} == {str(child.pk)}
    export = AccessEvent.objects.get(action="export")
    assert (export.actor_id, export.person_id, export.detail["rows"]) == (
        looked["ig"].pk,
        child.pk,
        # counted before the export's own row: the two reads, and the IG lead's own page
        # views of the record's who-looked and audit trail in this test
        AccessEvent.objects.filter(person_id=child.pk).count() - 1,
    )


def test_csv_export_is_for_ig_leads_only(looked):
    assert _as(looked["owner"]).get("/audit/export.csv").status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()
