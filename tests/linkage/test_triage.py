"""The triage worklist: flagged children the viewer may see and nobody has referred, each with
its evidence; decisions with reasons join the chronology; nobody sees a child they have no
right to (hacker tests on the page, the API and the services)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.access.errors import NotFound
from tandem.audit.models import AccessEvent, AuditAction
from tandem.linkage.models import Flag, FlagStatus, LinkedPerson
from tandem.linkage.triage import Filters, flag_decide, worklist
from tandem.partners.models import Role
from tandem.people.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


def _flag(child, *, rule="overlapping_risks", latest=dt.date(2026, 2, 1), partners=("Police",)):
    evidence = [
        {
            "indicator": "missing",
            "event_type": "Missing episode",
            "partner": partner,
            "date": (latest - dt.timedelta(days=i)).isoformat(),
            "record": str(i),
        }
        for i, partner in enumerate(partners)
    ]
    return Flag.objects.create(
        linked_person=LinkedPerson.objects.create(person=child),
        rule=rule,
        title=f"The {rule} rule",
        evidence=evidence,
        partners=len(set(partners)),
        latest_on=latest,
        raised_on=dt.date(2026, 3, 2),
    )


@pytest.fixture
def flagged(child):
    return _flag(child, partners=("Hamley Police", "Hamley School", "Hamley Police"))


def test_the_worklist_lists_flagged_children_the_viewer_may_see(social_worker, child, flagged):
    assert worklist(actor=social_worker) == [flagged]
    listed = AccessEvent.objects.get(action=AuditAction.LIST, record_type="flag")
    assert listed.person_id == child.pk
    assert listed.actor == social_worker


def test_nobody_sees_a_child_they_have_no_right_to(stranger, flagged):
    assert worklist(actor=stranger) == []
    with pytest.raises(NotFound):
        flag_decide(actor=stranger, flag_id=flagged.pk, decision="refer", reasons="Worried.")
    assert Flag.objects.get(pk=flagged.pk).status == FlagStatus.OPEN
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=flagged_team(flagged))
    with pytest.raises(PermissionDenied):  # not a practitioner: no worklist at all
        worklist(actor=analyst)


def flagged_team(flag):
    return flag.linked_person.person.involvements.first().team


def test_children_already_referred_or_unknown_to_tandem_are_not_listed(social_worker, child):
    _flag(child)
    factories.ReferralFactory(child=child, status="submitted")
    assert worklist(actor=social_worker) == []
    Flag.objects.create(
        linked_person=LinkedPerson.objects.create(person=None),
        rule="r",
        title="t",
        evidence=[],
        partners=1,
        latest_on=dt.date(2026, 1, 1),
        raised_on=dt.date(2026, 1, 1),
    )
    assert worklist(actor=social_worker) == []


def test_filters_and_sorting(social_worker, team):
    def visible_child():
        c = factories.ChildFactory()
        factories.InvolvementFactory(child=c, team=team)
        return c

    old = _flag(visible_child(), rule="online_grooming", latest=dt.date(2025, 6, 1))
    new = _flag(visible_child(), latest=dt.date(2026, 2, 1), partners=("Police", "School"))
    assert worklist(actor=social_worker) == [new, old]
    assert worklist(actor=social_worker, filters=Filters(sort="oldest")) == [old, new]
    assert worklist(actor=social_worker, filters=Filters(rule="online_grooming")) == [old]
    assert worklist(actor=social_worker, filters=Filters(since=dt.date(2026, 1, 1))) == [new]
    assert worklist(actor=social_worker, filters=Filters(until=dt.date(2025, 12, 31))) == [old]


def test_a_decision_needs_reasons_and_joins_the_chronology(social_worker, child, flagged):
    with pytest.raises(ValidationError) as e:
        flag_decide(actor=social_worker, flag_id=flagged.pk, decision="refer", reasons="  ")
    assert e.value.message_dict == {"reasons": ["Enter the reasons for the decision"]}
    with pytest.raises(ValidationError) as e:
        flag_decide(actor=social_worker, flag_id=flagged.pk, decision="maybe", reasons="x")
    assert "decision" in e.value.message_dict
    flag_decide(
        actor=social_worker,
        flag_id=flagged.pk,
        decision="early_help",
        reasons="Mother agrees to family support.",
    )
    flag = Flag.objects.get(pk=flagged.pk)
    assert (flag.status, flag.decision) == ("decided", "early_help")
    assert flag.decided_by == social_worker
    event = Event.objects.get(person=child)
    assert "Offer early help" in event.summary
    assert "Hamley School: Missing episode on 31 January 2026" in event.summary
    assert "Mother agrees to family support." in event.summary
    assert worklist(actor=social_worker) == []  # decided: off the worklist
    with pytest.raises(ValidationError):  # and not decided twice
        flag_decide(actor=social_worker, flag_id=flagged.pk, decision="refer", reasons="x")


def test_the_worklist_reads_in_a_fixed_number_of_queries(
    social_worker, team, django_assert_max_num_queries
):
    for _ in range(15):
        c = factories.ChildFactory()
        factories.InvolvementFactory(child=c, team=team)
        _flag(c)
    with django_assert_max_num_queries(8):
        assert len(worklist(actor=social_worker)) == 15


def test_the_record_check_still_hides_a_child_should_the_query_let_one_through(
    monkeypatch, stranger, social_worker, flagged, caplog
):
    """The database filters with `visible_child_q`; every flag it returns is checked again with
    `basis_of` on the facts of one query, so a fault in the query hides, never shows."""
    from django.db.models import Q

    from tandem.linkage import triage

    monkeypatch.setattr(triage, "visible_child_q", lambda *a, **k: Q())  # a broken filter
    assert worklist(actor=stranger) == []
    assert "disagree on 1 flags" in caplog.text
    assert not AccessEvent.objects.filter(actor=stranger, record_type="flag").exists()
    assert worklist(actor=social_worker) == [flagged]


def test_the_partner_filter_needs_a_record_and_an_indicator_of_that_partner(
    social_worker, child, flagged
):
    from tandem.linkage.models import ExtractRecord, ExtractUpload

    def record_from(name):
        upload = ExtractUpload.objects.create(
            partner=factories.PartnerFactory(name=name),
            extract_type="police",
            uploaded_by=social_worker,
            file_name="x.csv",
            stored_at="x",
            spec={},
        )
        ExtractRecord.objects.create(
            upload=upload,
            row=2,
            record_id="1",
            given_name="A",
            family_name="B",
            date_of_birth=dt.date(2012, 1, 1),
            linked_person=flagged.linked_person,
        )

    police = Filters(partner="Hamley Police")
    assert worklist(actor=social_worker, filters=police) == []  # no record of theirs yet
    record_from("Hamley Police")
    assert worklist(actor=social_worker, filters=police) == [flagged]
    record_from("Hamley Health")  # a record, but none of the flag's indicators
    assert worklist(actor=social_worker, filters=Filters(partner="Hamley Health")) == []


# --- The page and the API -------------------------------------------------------------------


def test_the_page_shows_the_evidence_and_records_a_decision(client, social_worker, flagged):
    client.force_login(social_worker)
    page = client.get("/worklist").content.decode()
    assert flagged.linked_person.person.full_name in page
    assert "Hamley School: Missing episode on 31 January 2026" in page
    assert AccessEvent.objects.filter(action=AuditAction.LIST, actor=social_worker).exists()
    form = client.get(f"/worklist/{flagged.pk}").content.decode()
    assert "The overlapping_risks rule" in form
    response = client.post(f"/worklist/{flagged.pk}", {"decision": "refer"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert 'href="#reasons"' in response.content.decode()
    response = client.post(f"/worklist/{flagged.pk}", {"decision": "refer", "reasons": "Risk."})
    # A decision to refer goes on to the referral's form, for this child.
    assert response["Location"] == f"/referrals/new?child={flagged.linked_person.person_id}"
    assert Flag.objects.get(pk=flagged.pk).decision == "refer"


def test_the_page_is_a_404_for_a_stranger(client, stranger, flagged):
    client.force_login(stranger)
    assert flagged.linked_person.person.full_name not in client.get("/worklist").content.decode()
    assert client.get(f"/worklist/{flagged.pk}").status_code == 404
    response = client.post(f"/worklist/{flagged.pk}", {"decision": "refer", "reasons": "x"})
    assert response.status_code == 404
    assert Flag.objects.get(pk=flagged.pk).status == FlagStatus.OPEN


def test_the_api_lists_and_decides(client, social_worker, stranger, child, flagged):
    client.force_login(social_worker)
    body = client.get("/api/worklist?sort=partners").json()
    assert [f["id"] for f in body] == [str(flagged.pk)]
    assert body[0]["child_id"] == str(child.pk)
    assert body[0]["indicators"][0]["partner"] == "Hamley Police"
    client.force_login(stranger)
    assert client.get("/api/worklist").json() == []
    url = f"/api/worklist/{flagged.pk}/decision"
    decision = {"decision": "no_action", "reasons": "Known and supported."}
    assert client.post(url, decision, content_type="application/json").status_code == 404
    client.force_login(social_worker)
    missing = client.post(url, {"decision": "no_action"}, content_type="application/json")
    assert missing.status_code == 422
    done = client.post(url, decision, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["decision"] == "no_action"


def test_the_page_shows_fifty_at_a_time(client, social_worker, team):
    for _ in range(51):
        c = factories.ChildFactory()
        factories.InvolvementFactory(child=c, team=team)
        _flag(c)
    client.force_login(social_worker)
    first = client.get("/worklist?sort=oldest").content.decode()
    assert len(re.findall(r"href=\"/worklist/[0-9a-f-]{36}\"", first)) == 50
    assert 'href="?sort=oldest&amp;page=2"' in first
    second = client.get("/worklist?sort=oldest&page=2").content.decode()
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_a_page_or_offset_beyond_any_list_is_an_empty_page_not_an_error(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/worklist?page=901735134645571158016").status_code == 200
    assert client.get("/api/worklist?offset=901735134645571158016").status_code == 422
    assert client.get("/api/worklist?offset=1000000").json() == []


def test_indicators_outside_the_viewers_categories_are_withheld_and_counted(
    social_worker, child, flagged
):
    """Issue 4's categories on the worklist: an involved school sees the school's indicator,
    not the police's, and is told how many are withheld; the owning team sees them all. The
    decision's chronology line holds only what the decider could see."""
    from tandem.partners.models import PartnerKind

    factories.PartnerFactory(name="Hamley Police", kind=PartnerKind.POLICE)
    school = factories.PartnerFactory(name="Hamley School", kind=PartnerKind.SCHOOL)
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL, team=factories.TeamFactory(partner=school))
    factories.InvolvementFactory(child=child, team=dsl.team, kind="involved")

    [seen] = worklist(actor=dsl)
    assert [e["partner"] for e in seen.evidence] == ["Hamley School"]
    assert seen.withheld == 2
    [whole] = worklist(actor=social_worker)
    assert (len(whole.evidence), whole.withheld) == (3, 0)

    flag_decide(actor=dsl, flag_id=flagged.pk, decision="early_help", reasons="Talk to mum.")
    line = Event.objects.get(person=child).summary
    assert "Hamley School" in line
    assert "Hamley Police" not in line
    assert len(Flag.objects.get(pk=flagged.pk).evidence) == 3  # withholding is never saved
