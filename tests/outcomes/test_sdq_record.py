"""Recording a child's SDQ through the API (and so the service): scored from the item answers or
kept as hand-scored scales, every problem named at once, health information only for those who
see it, every read and write audited."""

import datetime as dt

import pytest

from tandem.audit.models import AccessEvent, AuditAction
from tandem.outcomes.models import SdqRecord
from tests import factories
from tests.api.support import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_token():
    return lambda user: ApiClient(user, "token")


NOT_TRUE = dict.fromkeys(map(str, range(1, 26)), 0)


def test_an_sdq_from_item_answers_is_scored_and_banded(social_worker, child, with_token):
    api = with_token(social_worker)
    body = {
        "informant": "parent",
        "completed_on": "2025-03-01",
        "answers": {**NOT_TRUE, "3": 2, "8": 2, "16": 0, "13": None, "24": None},
        "difficulties": 2,
        "impact_answers": {
            "distress": 3,
            "home": 2,
            "friendships": 0,
            "classroom": 1,
            "leisure": 0,
        },
    }
    answer = api.post(f"/api/children/{child.pk}/sdq", body)
    assert answer.status_code == 201, answer.content
    made = answer.json()
    assert (made["emotional"], made["conduct"], made["total"], made["impact"]) == (7, 2, 17, 3)
    assert made["bands"]["total"] == "High"  # parent 17-19
    assert made["bands"]["emotional"] == "Very high"
    assert made["from_items"] is True
    stored = SdqRecord.objects.get()
    assert stored.answers["3"] == 2  # by item number: the licensed wording is never held
    assert AccessEvent.objects.filter(action=AuditAction.CREATE, record_type="sdq").count() == 1


def test_a_hand_scored_form_and_the_trajectory_oldest_first(social_worker, child, with_token):
    api = with_token(social_worker)
    for on, emotional in (("2025-06-01", 4), ("2025-01-01", 8)):
        scores = {"emotional": emotional, "conduct": 2, "hyperactivity": 5, "peer": 3}
        body = {"informant": "teacher", "completed_on": on, "scores": scores}
        assert api.post(f"/api/children/{child.pk}/sdq", body).status_code == 201
    trajectory = api.get(f"/api/children/{child.pk}/sdq").json()
    assert [r["completed_on"] for r in trajectory] == ["2025-01-01", "2025-06-01"]
    assert [r["total"] for r in trajectory] == [18, 14]
    assert trajectory[0]["bands"]["total"] == "High"  # teacher 16-18
    assert trajectory[1]["from_items"] is False
    assert AccessEvent.objects.filter(action=AuditAction.LIST, record_type="sdq").exists()


def test_every_problem_is_named_at_once_and_nothing_is_saved(social_worker, child, with_token):
    api = with_token(social_worker)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    body = {
        "informant": "teacher",
        "completed_on": tomorrow,
        "answers": {"1": 0},
        "difficulties": 1,
        "impact_answers": {"home": 2, "leisure": 1},
    }
    answer = api.post(f"/api/children/{child.pk}/sdq", body)
    assert answer.status_code == 422
    located = {tuple(e["loc"]): e["msg"] for e in answer.json()["detail"]}
    assert located[("body", "completed_on")].startswith("The date it was completed")
    assert "Not an impact question" in located[("body", "impact_answers", "home")]
    assert "Not an impact question" in located[("body", "impact_answers", "leisure")]
    assert not SdqRecord.objects.exists()
    # What the schema says is refused before the service: item 26, an answer of 3, both forms.
    for wrong in ({"26": 1}, {"4": 3}):
        assert (
            api.post(f"/api/children/{child.pk}/sdq", {**body, "answers": wrong}).status_code
            == 422
        )
    both = {**body, "scores": {"emotional": 3}}
    refused = api.post(f"/api/children/{child.pk}/sdq", both).json()["detail"]
    assert "Give the answers or the scores, not both" in refused[0]["msg"]


def test_the_self_report_is_for_11_to_17(social_worker, child, with_token):
    child.date_of_birth = dt.date(2018, 1, 1)
    child.save()
    body = {"informant": "self", "completed_on": "2025-03-01", "scores": {"emotional": 1}}
    answer = with_token(social_worker).post(f"/api/children/{child.pk}/sdq", body)
    assert answer.status_code == 422
    assert "aged 11 to 17" in answer.json()["detail"][0]["msg"]


def test_someone_with_no_reason_to_see_the_child_gets_404(child, with_token):
    stranger = factories.UserFactory()
    api = with_token(stranger)
    assert api.get(f"/api/children/{child.pk}/sdq").status_code == 404
    body = {"informant": "parent", "completed_on": "2025-03-01", "scores": {"emotional": 1}}
    assert api.post(f"/api/children/{child.pk}/sdq", body).status_code == 404
    assert not SdqRecord.objects.exists()


def test_without_the_health_category_the_sdq_is_refused(
    social_worker, child, with_token, monkeypatch
):
    from tandem.access.grants import ChildGrant

    monkeypatch.setattr(ChildGrant, "sees", lambda self, category: category != "health")
    answer = with_token(social_worker).get(f"/api/children/{child.pk}/sdq")
    assert answer.status_code == 403
    assert "health information is not shared with you" in answer.json()["detail"]


def test_an_outcomes_star_assessment_is_recorded_by_codes_and_every_problem_named(
    social_worker, child, with_token
):
    api = with_token(social_worker)
    bad = api.post(
        f"/api/children/{child.pk}/star-readings",
        {
            "star": "family-star-plus",
            "read_on": "2999-01-01",
            "readings": [{"area": "home-money", "reading": 11}],
        },
    )
    assert bad.status_code == 422
    fields = {tuple(e["loc"])[-1] for e in bad.json()["detail"]}
    assert "reading" in fields
    bad = api.post(
        f"/api/children/{child.pk}/star-readings",
        {
            "star": "family-star-plus",
            "read_on": "2999-01-01",
            "readings": [{"area": "home-money", "reading": 3}],
        },
    )
    assert bad.status_code == 422
    assert "read_on" in {tuple(e["loc"])[-1] for e in bad.json()["detail"]}
    made = api.post(
        f"/api/children/{child.pk}/star-readings",
        {"star": "family-star-plus", "read_on": "2025-01-06",
         "readings": [{"area": "home-money", "reading": 3},
                      {"area": "family-routine", "reading": 5}]},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    listed = api.get(f"/api/children/{child.pk}/star-readings").json()
    assert [(r["area"], r["reading"]) for r in listed] == [
        ("family-routine", 5),
        ("home-money", 3),
    ]
