"""The looked-after pages: the child's episodes of care (read through the care selector, sliced
and audited), and recording a new episode or the end of one, with GOV.UK errors naming the field
and nothing saved on a bad form."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent, AuditAction
from tandem.care.models import CareEpisode, MissingEpisode
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.care.test_services import start
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


def care_url(child):
    return reverse("web:child-care", kwargs={"child_id": child.pk})


def chronology_url(child):
    return reverse("web:child-chronology", kwargs={"child_id": child.pk})


def new_url(child):
    return reverse("web:care-episode-new", kwargs={"child_id": child.pk})


def end_url(child, episode):
    return reverse("web:care-episode-end", kwargs={"child_id": child.pk, "episode_id": episode.pk})


def form(**changes) -> dict:
    data = {
        "started_on-day": "1",
        "started_on-month": "9",
        "started_on-year": "2025",
        "reason_new": "P",
        "legal_status": "C2",
        "category_of_need": "N1",
        "placement_type": "U6",
        "placement_provider": "PR4",
        "placement_postcode": "ls7 1aa",
        "home_postcode": "LS1 4AP",
        "urn": "",
        "reason_place_change": "CARPL",
    }
    return {**data, **changes}


def test_the_page_shows_the_episodes_in_words_and_audits_the_read(
    worker_client, social_worker, child
):
    start(social_worker, child)
    MissingEpisode.objects.create(child=child, kind="M", started_on=dt.date(2025, 6, 1))
    AccessEvent.objects.all().delete()
    response = worker_client.get(care_url(child))
    assert response.status_code == 200
    text = text_of(response)
    assert "Looked after since 1 May 2025: Full care order (C2)" in text
    assert "Foster placement with other foster carer, long term (U4)" in text
    assert "LS6 2AB" in text
    assert "Missing or away from placement" in text
    assert 'aria-current="page">Looked after' in response.content.decode()
    assert "Record a new episode" in text
    assert "End the open episode" in text
    read = AccessEvent.objects.get(record_type="care_record")
    assert (read.action, read.person_id, read.actor) == (AuditAction.VIEW, child.pk, social_worker)


def test_the_chronology_tells_the_story_of_care(worker_client, social_worker, child):
    first = start(social_worker, child)
    worker_client.post(new_url(child), form())
    moved = CareEpisode.objects.get(child=child, ended_on__isnull=True)
    ended = {"ended_on-day": "1", "ended_on-month": "3", "ended_on-year": "2026"}
    worker_client.post(end_url(child, moved), {**ended, "reason_ended": "E13"})
    text = text_of(worker_client.get(chronology_url(child)))
    story = [
        "Ceased to be looked after",
        "Change of placement and carer only",
        "Started to be looked after",
    ]  # newest first
    assert [text.index(s) for s in story] == sorted(text.index(s) for s in story)
    assert "Legal status: Full care order (C2)" in text
    assert (
        "Left care to live with parents, relatives or others, no parental responsibility" in text
    )
    assert "X1" not in text  # the move's end is the new episode's start, not an end of care
    assert first.pk != moved.pk


def test_a_child_never_looked_after_says_so(worker_client, child):
    text = text_of(worker_client.get(care_url(child)))
    assert "Not looked after now." in text
    assert "Nothing of care is recorded" in text
    assert "End the open episode" not in text


def test_a_placement_move_is_recorded_and_ends_the_open_episode(
    worker_client, social_worker, child
):
    first = start(social_worker, child)
    response = worker_client.post(new_url(child), form())
    assert response.status_code == 302
    assert response["Location"] == care_url(child)
    first.refresh_from_db()
    assert (first.ended_on, first.reason_ended, first.reason_place_change) == (
        dt.date(2025, 9, 1),
        "X1",
        "CARPL",
    )
    moved = CareEpisode.objects.get(child=child, ended_on__isnull=True)
    assert (moved.placement_type, moved.placement_postcode) == ("U6", "LS7 1AA")
    assert moved.local_authority == social_worker.team.partner
    page = text_of(worker_client.get(care_url(child)))
    assert "The new episode has been recorded" in page
    assert "Change to or implementation of care plan (CARPL)" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"legal_status": "ZZ"}, "legal_status", "Choose the legal status"),
        ({"reason_new": ""}, "reason_new", "Choose the reason for the new episode"),
        ({"started_on-day": "", "started_on-month": "", "started_on-year": ""}, "started_on",
         "Enter the start date"),
        ({"started_on-month": "13"}, "started_on", "Start date must be a real date"),
        ({"started_on-year": "2999"}, "started_on", "Start date must be today or in the past"),
        ({"reason_place_change": ""}, "reason_place_change",
         "Give the reason the child's placement changed"),
        ({"started_on-year": "2024"}, "started_on", "The new episode starts before the open one"),
    ],
)  # fmt: skip
def test_a_bad_form_names_the_field_and_saves_nothing(
    worker_client, social_worker, child, changes, field, message
):
    first = start(social_worker, child)
    response = worker_client.post(new_url(child), form(**changes))
    assert response.status_code == 200
    hrefs = dict(error_summary(response))
    assert any(href.startswith(f"#{field}") for href in hrefs), hrefs
    assert message in hrefs.values()
    assert CareEpisode.objects.filter(child=child).count() == 1
    first.refresh_from_db()
    assert first.ended_on is None


def test_an_episode_ends_with_a_reason(worker_client, social_worker, child):
    episode = start(social_worker, child)
    bad = worker_client.post(
        end_url(child, episode),
        {"ended_on-day": "1", "ended_on-month": "2", "ended_on-year": "2026", "reason_ended": ""},
    )
    assert ("#reason_ended", "Choose why the episode ended") in error_summary(bad)
    episode.refresh_from_db()
    assert episode.ended_on is None
    ok = worker_client.post(
        end_url(child, episode),
        {
            "ended_on-day": "1",
            "ended_on-month": "2",
            "ended_on-year": "2026",
            "reason_ended": "E13",
        },
    )
    assert ok["Location"] == care_url(child)
    episode.refresh_from_db()
    assert (episode.ended_on, episode.reason_ended) == (dt.date(2026, 2, 1), "E13")
    assert "Not looked after now." in text_of(worker_client.get(care_url(child)))
    # An ended episode cannot be ended again.
    assert worker_client.get(end_url(child, episode)).status_code == 404


def test_a_stranger_gets_404_everywhere_and_nothing_is_written(
    signed_in, stranger, social_worker, child
):
    episode = start(social_worker, child)
    client = signed_in(stranger)
    for url in (care_url(child), new_url(child), end_url(child, episode)):
        assert client.get(url).status_code == 404, url
        assert client.post(url, form()).status_code == 404, url
    assert CareEpisode.objects.count() == 1
    assert not AccessEvent.objects.filter(actor=stranger).exclude(action="denied").exists()


def test_an_episode_of_another_child_is_not_found_under_this_child(
    worker_client, social_worker, child, team
):
    other = factories.ChildFactory()
    factories.InvolvementFactory(child=other, team=team, kind=InvolvementKind.OWNING_TEAM)
    theirs = start(social_worker, other)
    assert worker_client.get(end_url(child, theirs)).status_code == 404
    mixed = reverse(
        "web:care-episode-end", kwargs={"child_id": child.pk, "episode_id": uuid.uuid4()}
    )
    assert worker_client.get(mixed).status_code == 404
    theirs.refresh_from_db()
    assert theirs.ended_on is None


def test_a_role_that_does_not_record_care_reads_but_cannot_record(signed_in, team, child):
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER, team=team)
    client = signed_in(nurse)
    page = client.get(care_url(child))
    assert page.status_code == 200
    assert "Record a new episode" not in text_of(page)
    assert client.get(new_url(child)).status_code == 403
    assert client.post(new_url(child), form()).status_code == 403
    assert not CareEpisode.objects.exists()


def test_only_a_local_authority_records_or_ends_care(signed_in, social_worker, child):
    """A police team manager working with the child reads the record but records nothing, not
    even the end of the council's episode by posting to its address."""
    episode = start(social_worker, child)
    police = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.POLICE))
    factories.InvolvementFactory(child=child, team=police)
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=police)
    client = signed_in(manager)
    page = text_of(client.get(care_url(child)))
    assert "Record a new episode" not in page
    assert "End the open episode" not in page
    assert client.get(new_url(child)).status_code == 403
    assert client.post(new_url(child), form()).status_code == 403
    ended = {"ended_on-day": "1", "ended_on-month": "3", "ended_on-year": "2026"}
    response = client.post(end_url(child, episode), {**ended, "reason_ended": "E13"})
    assert response.status_code == 403
    episode.refresh_from_db()
    assert episode.ended_on is None
    assert CareEpisode.objects.filter(child=child).count() == 1


def test_a_front_door_that_only_knows_who_the_child_is_records_no_care(
    signed_in, social_worker, child
):
    """An open referral to the council's front door shows who the child is, not their care."""
    episode = start(social_worker, child)
    front_door = factories.TeamFactory(partner=social_worker.team.partner, receives_referrals=True)
    factories.ReferralFactory(child=child, to_team=front_door)
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER, team=front_door)
    client = signed_in(duty)
    page = text_of(client.get(care_url(child)))
    assert "The child’s episodes of care are not shared with you." in page
    assert "Record a new episode" not in page
    assert client.post(new_url(child), form()).status_code == 403
    assert client.get(end_url(child, episode)).status_code == 403
    assert CareEpisode.objects.filter(child=child).count() == 1


def review_url(child):
    return reverse("web:care-review-new", kwargs={"child_id": child.pk})


def missing_url(child):
    return reverse("web:care-missing-new", kwargs={"child_id": child.pk})


def day(name: str, d: dt.date) -> dict:
    return {f"{name}-day": d.day, f"{name}-month": d.month, f"{name}-year": d.year}


def test_a_review_and_a_missing_episode_are_recorded_audited_and_shown(
    worker_client, social_worker, child
):
    start(social_worker, child)
    page = text_of(worker_client.get(care_url(child)))
    assert "Record a review" in page
    assert "Record a missing episode" in page
    review = {**day("held_on", dt.date(2025, 10, 30)), "participation": "PN1"}
    response = worker_client.post(review_url(child), review)
    assert response.status_code == 302
    missing = {**day("started_on", dt.date(2025, 11, 2)), "kind": "A"}
    missing |= {"ended_on-day": "", "ended_on-month": "", "ended_on-year": ""}
    assert worker_client.post(missing_url(child), missing).status_code == 302
    page = text_of(worker_client.get(care_url(child)))
    story = text_of(worker_client.get(chronology_url(child)))
    assert "Review of the care plan" in story
    assert "Child physically attended and spoke for themselves (PN1)" in story
    assert "Away from placement without authorisation" in story
    assert "The missing episode has been recorded" in page
    assert "Child physically attended and spoke for themselves (PN1)" in page
    assert "Away from placement without authorisation (A)" in page
    assert "Not back yet" in page
    writes = AccessEvent.objects.filter(action=AuditAction.CREATE, person_id=child.pk)
    assert {"care_review", "care_missing"} <= set(writes.values_list("record_type", flat=True))
    assert {w.actor for w in writes} == {social_worker}


@pytest.mark.parametrize(
    ("which", "data", "field", "message"),
    [
        ("review", {"participation": "PN1"}, "held_on", "Enter the review date"),
        (
            "review",
            {**day("held_on", dt.date(2025, 10, 30))},
            "participation",
            "Choose how the child took part",
        ),
        (
            "review",
            {**day("held_on", dt.date(2025, 10, 30)), "participation": "PN9"},
            "participation",
            "Choose how the child took part",
        ),
        (
            "missing",
            {**day("started_on", dt.date(2025, 11, 2)), **day("ended_on", dt.date(2025, 11, 1))},
            "ended_on",
            "This date must be the same as or after the start (2 November 2025)",
        ),
    ],
)
def test_a_bad_review_or_missing_episode_names_the_field_and_saves_nothing(
    worker_client, social_worker, child, which, data, field, message
):
    from tandem.care.models import CareReview

    start(social_worker, child)
    if which == "missing":
        data = {**data, "kind": "M"}
    url = review_url(child) if which == "review" else missing_url(child)
    response = worker_client.post(url, data)
    assert response.status_code == 200
    hrefs = dict(error_summary(response))
    assert any(href.startswith(f"#{field}") for href in hrefs), hrefs
    assert message in hrefs.values(), hrefs
    assert not CareReview.objects.exists()
    assert not MissingEpisode.objects.exists()


def test_a_role_that_does_not_record_care_cannot_record_a_review(signed_in, team, child):
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER, team=team)
    client = signed_in(nurse)
    review = {**day("held_on", dt.date(2025, 10, 30)), "participation": "PN1"}
    assert client.post(review_url(child), review).status_code == 403
    assert client.get(missing_url(child)).status_code == 403
    assert "Record a review" not in text_of(client.get(care_url(child)))
