"""Making a referral, the referrer's list, the front-door queue, the decision and the feedback."""

import pytest
from django.urls import reverse

from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.people.models import Person
from tandem.referrals.models import Feedback, Referral, ReferralReason, ThresholdDecision
from tests import factories
from tests.voices import VIEWS_FORM
from tests.web.support import audit_rows, error_summary, text_of

pytestmark = pytest.mark.django_db

NEW = "/referrals/new"


def referral_data(front_door_team, **changes):
    data = {
        "to_team": str(front_door_team.pk),
        "source": "2A",
        "reasons": ["missing", "cse"],
        "concerns": "Missing twice this month.\nSeen with older men.",
        "family_aware": "yes",
        "referrer_name": "",
    }
    data.update(changes)
    return data


def new_child_data(front_door_team, **changes):
    data = {
        "given_name": "Jayden",
        "family_name": "Smith",
        "date_of_birth-day": "3",
        "date_of_birth-month": "7",
        "date_of_birth-year": "2011",
        "sex": "M",
        "address": "2 Example Road",
        "postcode": "zz99 3aa",
        "nhs_number": "943 476 5919",
        "upn": "",
        **referral_data(front_door_team),
    }
    data.update(changes)
    return data


@pytest.fixture
def dsl(team):
    return factories.UserFactory(role=Role.SCHOOL_DSL, team=team)


def test_refer_a_child_on_my_caseload(signed_in, dsl, child, front_door):
    to_team, _ = front_door
    factories.TeamFactory(name="Not a front door", receives_referrals=False)
    client = signed_in(dsl)
    page = client.get(NEW, {"child": child.pk})
    assert child.full_name in text_of(page)
    assert "Front door" in text_of(page)
    assert "Not a front door" not in text_of(page)
    response = client.post(f"{NEW}?child={child.pk}", referral_data(to_team))
    referral = Referral.objects.get()
    assert response["Location"] == reverse(
        "web:referral-sent", kwargs={"referral_id": referral.pk}
    )
    assert referral.child_id == child.pk
    assert referral.made_by_id == dsl.pk
    assert sorted(ReferralReason.objects.values_list("reason", flat=True)) == ["cse", "missing"]
    assert audit_rows() == [
        ("view", child.pk, "referral", "web", "child"),
        ("view", child.pk, "referral", "web", "child"),
        ("create", child.pk, "referral", "web", "referral"),
    ]
    sent = client.get(response["Location"])
    assert "Referral sent" in text_of(sent)
    assert 'class="govuk-panel' in sent.content.decode()
    assert "What happens next" in text_of(sent)
    assert audit_rows()[-1] == ("view", child.pk, "referral", "web", "referral")


def test_refer_a_new_child(signed_in, dsl, front_door):
    to_team, manager = front_door
    response = signed_in(dsl).post(NEW, new_child_data(to_team))
    assert response.status_code == 302
    child = Person.objects.get()
    assert (child.given_name, child.nhs_number, child.postcode) == (
        "Jayden",
        "9434765919",
        "ZZ99 3AA",
    )
    referral = Referral.objects.get()
    assert referral.child_id == child.pk
    assert audit_rows() == [
        ("create", child.pk, "referral", "web", "child"),
        ("create", child.pk, "referral", "web", "referral"),
    ]


NEW_CHILD_ERRORS = [
    ({"nhs_number": "9434765918"}, "#nhs_number", "Enter a valid NHS number"),
    ({"upn": "Z123456789012"}, "#upn", "Enter a valid unique pupil number"),
    (
        {"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "2012"},
        "#date_of_birth-day",
        "Date of birth must be a real date",
    ),
    ({"given_name": ""}, "#given_name", "Enter the child's first name"),
    ({"sex": ""}, "#sex", "Select the child's sex, or 'Not known'"),
    ({"postcode": "XX"}, "#postcode", "Enter a real postcode"),
    ({"reasons": ["missing", "aliens"]}, "#reasons", "Select reasons from the list"),
    ({"reasons": []}, "#reasons", "Select at least one reason for the referral"),
    ({"source": "99"}, "#source", "Choose where the concern came from"),
    ({"family_aware": "maybe"}, "#family_aware", "Select whether the family knows"),
    ({"concerns": "   "}, "#concerns", "Describe your concerns"),
    ({"to_team": ""}, "#to_team", "Choose the team you are referring to"),
    ({"to_team": "not-a-team"}, "#to_team", "Choose a team from the list"),
]


@pytest.mark.parametrize(("changes", "href", "message"), NEW_CHILD_ERRORS)
def test_a_bad_referral_names_the_field_and_saves_nothing(
    signed_in, dsl, front_door, changes, href, message
):
    to_team, _ = front_door
    response = signed_in(dsl).post(NEW, new_child_data(to_team, **changes))
    assert response.status_code == 200
    summary = error_summary(response)
    assert [h for h, _ in summary] == [href]
    assert summary[0][1].startswith(message)
    assert "<title>Error: Make a referral" in response.content.decode()
    assert not Person.objects.exists()
    assert not Referral.objects.exists()
    assert not AccessEvent.objects.exists()


def test_a_team_that_does_not_take_referrals_is_refused(signed_in, dsl, child):
    elsewhere = factories.TeamFactory(receives_referrals=False)
    response = signed_in(dsl).post(f"{NEW}?child={child.pk}", referral_data(elsewhere))
    assert error_summary(response) == [("#to_team", "Choose a team from the list")]
    assert not Referral.objects.exists()


def test_an_nhs_number_someone_else_holds_is_not_revealed_to_the_referrer(
    signed_in, dsl, front_door
):
    """The same NHS number as a child born on another day: refusing would tell the referrer the
    number is known to the partnership. The referral goes through as for anyone else, on a new
    record without the number, and the front door is asked to check who it is about."""
    to_team, manager = front_door
    other = factories.ChildFactory(nhs_number="9434765919", given_name="Somebody")
    response = signed_in(dsl).post(NEW, new_child_data(to_team))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.child != other
    assert referral.child.nhs_number is None
    assert referral.identifier_conflict == ["nhs_number"]
    mine = signed_in(dsl).get(reverse("web:referral", kwargs={"referral_id": referral.pk}))
    assert "Check identity" not in mine.content.decode()
    assert "Somebody" not in mine.content.decode()
    theirs = signed_in(manager).get(reverse("web:referral", kwargs={"referral_id": referral.pk}))
    assert "Check identity" in theirs.content.decode()
    assert "NHS number 9434765919" in theirs.content.decode()


@pytest.fixture
def outside_dsl():
    """A school DSL whose team has no other reason to see the child they refer."""
    return factories.UserFactory(role=Role.SCHOOL_DSL)


@pytest.fixture
def journey(signed_in, outside_dsl, front_door):
    """A new child referred to the front door, decided (early help) and feedback given."""
    to_team, manager = front_door
    signed_in(outside_dsl).post(NEW, new_child_data(to_team))
    referral = Referral.objects.get()
    client = signed_in(manager)
    client.post(
        reverse("web:referral-decision", kwargs={"referral_id": referral.pk}),
        {**VIEWS_FORM, "decision": "early_help", "reasons": "Mum asked for help. SECRET-NOTES"},
    )
    client.post(
        reverse("web:referral-feedback", kwargs={"referral_id": referral.pk}),
        {"message": "A family support worker will call this week."},
    )
    return referral


def test_the_front_door_queue(signed_in, front_door, child):
    to_team, manager = front_door
    first = factories.ReferralFactory(to_team=to_team, child=child)
    second = factories.ReferralFactory(to_team=to_team)
    factories.ReferralFactory()  # to another team
    response = signed_in(manager).get(reverse("web:referrals-received"))
    text = text_of(response)
    assert child.full_name in text
    assert second.child.full_name in text
    assert "Decide on the referral for" in text
    assert sorted(audit_rows(), key=lambda r: str(r[1])) == sorted(
        [
            ("list", first.child_id, "referral", "web", "referral"),
            ("list", second.child_id, "referral", "web", "referral"),
        ],
        key=lambda r: str(r[1]),
    )


def test_decide_then_give_feedback(signed_in, front_door, child):
    to_team, manager = front_door
    referral = factories.ReferralFactory(to_team=to_team, child=child)
    client = signed_in(manager)
    decision_url = reverse("web:referral-decision", kwargs={"referral_id": referral.pk})
    feedback_url = reverse("web:referral-feedback", kwargs={"referral_id": referral.pk})
    # Feedback before a decision goes to the decision first.
    assert client.get(feedback_url)["Location"] == decision_url
    page = client.get(decision_url)
    assert "Record a decision" in text_of(page)
    assert "No decision about me without me" in text_of(page)
    response = client.post(
        decision_url, {**VIEWS_FORM, "decision": "child_in_need", "reasons": "Needs a plan."}
    )
    assert response["Location"] == feedback_url
    assert ThresholdDecision.objects.get().decision == "child_in_need"
    assert client.get(decision_url)["Location"] == reverse(
        "web:referral", kwargs={"referral_id": referral.pk}
    )
    # The referral shows the views its decision recorded, to those who see it in full.
    shown = text_of(client.get(reverse("web:referral", kwargs={"referral_id": referral.pk})))
    assert f"The child’s view “{VIEWS_FORM['child_view']}” (Face to face" in shown
    assert (
        "The parent’s or carer’s view Not gathered: Asked, and they did not want to say" in shown
    )
    response = client.post(feedback_url, {"message": "A social worker will visit."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert [row for row in audit_rows() if row[0] == "update"] == [
        ("update", child.pk, "referral", "web", "referral"),
        ("update", child.pk, "referral", "web", "referral"),
    ]


@pytest.mark.parametrize(
    ("data", "href", "message"),
    [
        ({**VIEWS_FORM, "reasons": "x"}, "#decision", "Select a decision"),
        (
            {**VIEWS_FORM, "decision": "send_to_the_moon", "reasons": "x"},
            "#decision",
            "Select a decision",
        ),
        (
            {**VIEWS_FORM, "decision": "nfa", "reasons": ""},
            "#reasons",
            "Enter the reasons for your decision",
        ),
    ],
)
def test_a_bad_decision_saves_nothing(signed_in, front_door, data, href, message):
    to_team, manager = front_door
    referral = factories.ReferralFactory(to_team=to_team)
    response = signed_in(manager).post(
        reverse("web:referral-decision", kwargs={"referral_id": referral.pk}), data
    )
    assert error_summary(response) == [(href, message)]
    assert not ThresholdDecision.objects.exists()
    referral.refresh_from_db()
    assert referral.status == "submitted"


def test_empty_feedback_saves_nothing(signed_in, front_door):
    to_team, manager = front_door
    referral = factories.ReferralFactory(to_team=to_team, status="decided")
    ThresholdDecision.objects.create(
        referral=referral,
        decision="nfa",
        reasons="x",
        decided_by=manager,
        decided_at=referral.received_at,
    )
    response = signed_in(manager).post(
        reverse("web:referral-feedback", kwargs={"referral_id": referral.pk}), {"message": ""}
    )
    assert error_summary(response) == [("#message", "Enter the feedback for the referrer")]
    assert not Feedback.objects.exists()


def test_the_referrer_sees_outcome_and_feedback_but_not_the_notes(signed_in, outside_dsl, journey):
    client = signed_in(outside_dsl)
    made = client.get(reverse("web:referrals-made"))
    text = text_of(made)
    assert journey.child.full_name in text
    assert "Feedback given" in text
    assert "Early help" in text
    assert "A family support worker will call this week." in text
    assert "SECRET-NOTES" not in text
    detail = client.get(reverse("web:referral", kwargs={"referral_id": journey.pk}))
    text = text_of(detail)
    assert "Early help" in text
    assert "A family support worker will call this week." in text
    assert "SECRET-NOTES" not in text
    assert "Record decision" not in text
    # The referral is closed: the DSL keeps their referral, not the child's record.
    child_url = reverse("web:child", kwargs={"child_id": journey.child_id})
    assert child_url not in detail.content.decode()
    assert client.get(child_url).status_code == 404
    assert audit_rows(actor=outside_dsl, action="view", record_type="referral")[-1] == (
        "view",
        journey.child_id,
        "referral",
        "web",
        "referral",
    )


def test_a_referrer_who_no_longer_works_with_the_child_sees_no_link_to_the_record(
    signed_in, front_door
):
    to_team, manager = front_door
    police = factories.UserFactory(role=Role.POLICE_SAFEGUARDING_OFFICER)
    referral = factories.ReferralFactory(to_team=to_team, made_by=police, status="closed")
    ThresholdDecision.objects.create(
        referral=referral,
        decision="nfa",
        reasons="SECRET-NOTES",
        decided_by=manager,
        decided_at=referral.received_at,
    )
    response = signed_in(police).get(reverse("web:referral", kwargs={"referral_id": referral.pk}))
    assert response.status_code == 200
    assert "No further action" in text_of(response)
    assert "SECRET-NOTES" not in text_of(response)
    assert (
        reverse("web:child", kwargs={"child_id": referral.child_id})
        not in response.content.decode()
    )
    assert AccessEvent.objects.get().basis == "your own referral"


def test_the_deciding_team_sees_the_notes(signed_in, front_door, journey):
    _, manager = front_door
    response = signed_in(manager).get(reverse("web:referral", kwargs={"referral_id": journey.pk}))
    assert "SECRET-NOTES" in text_of(response)


def test_referrals_made_lists_only_mine_with_bounded_queries(
    signed_in, dsl, front_door, django_assert_max_num_queries
):
    to_team, _ = front_door
    for _ in range(20):
        referral = factories.ReferralFactory(made_by=dsl, to_team=to_team)
        ReferralReason.objects.create(referral=referral, reason="neglect")
    factories.ReferralFactory(to_team=to_team)  # someone else's
    client = signed_in(dsl)
    # One more than before paging: the total (COUNT), so a long list says how long it is.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("web:referrals-made"))
    assert text_of(response).count("Awaiting decision") == 20
    assert AccessEvent.objects.filter(action="list").count() == 20
