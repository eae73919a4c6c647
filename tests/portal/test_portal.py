"""The child and family portal: own plan only, parents only what was shared, no practitioner
page or API route, links and sessions that expire, every read audited."""

import datetime as dt
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from freezegun import freeze_time

from tandem.audit.models import AccessEvent
from tandem.casework import services as cw
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Relationship
from tandem.portal.models import PortalAccount
from tandem.portal.services import portal_invite, portal_message_reply
from tests import factories
from tests.grants import grant_for
from tests.test_routes import API, _api_operations, _routes, _web_url
from tests.voices import VIEWS
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db
WORK = "direct_work"
SECRET_EVIDENCE = "Police log 44/123: uncle seen at the flat"


@pytest.fixture
def parent(child):
    mum = factories.AdultFactory(given_name="Maya")
    a, b = sorted([mum, child], key=lambda p: str(p.pk))
    kind = "parent" if a == mum else "child"
    Relationship.objects.create(person_a=a, person_b=b, kind=kind)
    return mum


@pytest.fixture
def plan_case(social_worker, child):
    school = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.SCHOOL))
    teacher = factories.UserFactory(role=Role.SCHOOL_DSL, team=school, first_name="Tess")
    case = cw.case_open(
        grant=grant_for(social_worker, child.pk, WORK),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    shared = cw.plan_goal_add(
        actor=social_worker,
        case_id=case.pk,
        text="I want to go to school every day",
        in_childs_words=True,
        shared_with="everyone",
        purpose=WORK,
    )
    cw.plan_goal_add(
        actor=social_worker,
        case_id=case.pk,
        text="Talk to someone about my boyfriend",
        in_childs_words=True,
        shared_with="young_person",
        purpose=WORK,
    )
    cw.plan_action_add(
        actor=social_worker,
        case_id=case.pk,
        goal_id=shared.pk,
        text="Meet at the gate at 8:30",
        owner_id=teacher.pk,
        due_on=dt.date(2026, 12, 4),
        purpose=WORK,
    )
    assessment = cw.assessment_start(actor=social_worker, case_id=case.pk, purpose=WORK)
    cw.assessment_factor_add(
        actor=social_worker,
        case_id=case.pk,
        assessment_id=assessment.pk,
        area="safety",
        rating="significant_need",
        evidence=SECRET_EVIDENCE,
        source_partner_id=teacher.team.partner_id,
        purpose=WORK,
    )
    cw.plan_agree(
        actor=social_worker,
        case_id=case.pk,
        summary="Agreed with the family at home",
        views=VIEWS,
        review_every_weeks=6,
        purpose=WORK,
    )
    return case


def _sign_in(client, invitation):
    start = client.get(reverse("portal:start") + f"?invitation={invitation.token}")
    assert start["Location"] == reverse("portal:sign-in")
    response = client.post(reverse("portal:sign-in"), {"passcode": invitation.passcode})
    assert response["Location"] == reverse("portal:plan"), error_summary(response)
    return client


def test_young_person_sees_their_whole_plan_in_plain_words(client, social_worker, plan_case):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    _sign_in(client, invitation)
    before = AccessEvent.objects.count()
    text = text_of(client.get(reverse("portal:plan")))
    assert "Your plan" in text
    assert "“I want to go to school every day”" in text
    assert "“Talk to someone about my boyfriend”" in text
    assert "Tess (Partner" in text
    assert "Meet at the gate at 8:30. By 4 December 2026." in text
    assert "Next time we all look at the plan together" in text
    # Never case notes, evidence, or what others said in decisions.
    assert SECRET_EVIDENCE not in text
    assert "Agreed with the family at home" not in text
    rows = AccessEvent.objects.order_by("id")[before:]
    assert [
        (r.action, r.record_type, r.person_id, r.actor_username, r.actor_id) for r in rows
    ] == [
        ("view", "portal_plan", plan_case.child_id, f"portal:{invitation.account.pk}", None),
        ("view", "portal_messages", plan_case.child_id, f"portal:{invitation.account.pk}", None),
    ]


def test_a_parent_sees_only_what_was_shared(client, social_worker, plan_case, parent):
    invitation = portal_invite(
        actor=social_worker,
        case_id=plan_case.pk,
        who="parent_carer",
        person_id=parent.pk,
        purpose=WORK,
    )
    _sign_in(client, invitation)
    text = text_of(client.get(reverse("portal:plan")))
    assert "Hello Maya" in text
    assert "I want to go to school every day" in text
    assert "boyfriend" not in text
    assert SECRET_EVIDENCE not in text


def test_only_a_recorded_parent_or_carer_can_be_invited(social_worker, plan_case):
    neighbour = factories.AdultFactory()
    with pytest.raises(ValidationError) as e:
        portal_invite(
            actor=social_worker,
            case_id=plan_case.pk,
            who="parent_carer",
            person_id=neighbour.pk,
            purpose=WORK,
        )
    assert "person_id" in e.value.message_dict
    assert not PortalAccount.objects.exists()


def test_messages_are_each_persons_own_and_replies_show(client, social_worker, plan_case, parent):
    young = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    mum = portal_invite(
        actor=social_worker,
        case_id=plan_case.pk,
        who="parent_carer",
        person_id=parent.pk,
        purpose=WORK,
    )
    from django.test import Client

    mum_client = _sign_in(Client(), mum)
    mum_client.post(reverse("portal:plan"), {"text": "Mornings are hard for us"})
    _sign_in(client, young)
    refused = client.post(reverse("portal:plan"), {"text": "   "})
    assert error_summary(refused) == [("#text", "Write what you think before you send it")]
    client.post(reverse("portal:plan"), {"text": "Can we meet after school not at lunch?"})
    text = text_of(client.get(reverse("portal:plan")))
    assert "Can we meet after school not at lunch?" in text
    assert "Mornings are hard" not in text
    assert "Your worker has not written back yet" in text

    message = young.account.messages.get()
    portal_message_reply(
        actor=social_worker,
        case_id=plan_case.pk,
        message_id=message.pk,
        reply="Yes, that is fine.",
        so_we="moved our meetings to 3:30 on Tuesdays.",
        purpose=WORK,
    )
    text = text_of(client.get(reverse("portal:plan")))
    assert "wrote back: Yes, that is fine." in text
    assert (
        "You said “Can we meet after school not at lunch?” so we moved our meetings to 3:30 on "
        "Tuesdays." in text
    )


def test_a_portal_user_reaches_no_practitioner_page_or_api_route(client, social_worker, plan_case):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    _sign_in(client, invitation)

    class Ids(dict):
        def __missing__(self, key):  # any other record's id: a portal user must not get in
            return uuid.uuid4()

    ids = Ids(
        {
            "child_id": plan_case.child_id,
            "case_id": plan_case.pk,
            "referral_id": plan_case.pk,
            "relationship_id": plan_case.pk,
            "household_id": plan_case.pk,
            "job_id": plan_case.pk,
            "assessment_id": plan_case.assessments.get().pk,
            "goal_id": plan_case.plan.goals.first().pk,
            "action_id": plan_case.plan.goals.first().actions.first().pk,
            "message_id": plan_case.pk,
        }
    )
    walked = 0
    for pattern, name in _routes():
        if (
            not name
            or name.startswith(("portal:", "api:"))
            or pattern.startswith(("admin/", "api/"))
        ):
            continue
        if name in ("web:start", "web:sign-in"):
            continue  # public: the practitioners' sign-in page
        url = _web_url(name, ids)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 405), f"{url}: {response.status_code}"
            if response.status_code == 302:
                assert response["Location"].startswith("/sign-in"), url
        walked += 1
    assert walked > 30
    admin = client.get("/admin/")
    assert admin.status_code == 302
    for method, path in sorted(_api_operations()):
        names = re.findall(r"{(\w+)}", path)
        url = path.format(**{k: str(ids[k]) for k in names})
        response = getattr(client, method.lower())(url, content_type="application/json")
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"
    assert len(API) == len(_api_operations())


def test_links_expire_and_so_does_the_portal_sign_in(client, social_worker, plan_case):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    _sign_in(client, invitation)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert client.get(reverse("portal:plan"))["Location"] == reverse("portal:signed-out")
        expired = client.get(reverse("portal:start") + f"?invitation={invitation.token}")
        assert expired.status_code == 404
        assert "This link does not work any more" in text_of(expired)


def test_a_new_invitation_replaces_the_old_link(client, social_worker, plan_case):
    old = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    portal_invite(actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK)
    assert client.get(reverse("portal:start") + f"?invitation={old.token}").status_code == 404


def test_five_wrong_codes_end_the_invitation(client, social_worker, plan_case):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    client.get(reverse("portal:start") + f"?invitation={invitation.token}")
    wrong = "000000" if invitation.passcode != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("portal:sign-in"), {"passcode": wrong})
        assert error_summary(response)[0][0] == "#passcode"
    response = client.post(reverse("portal:sign-in"), {"passcode": invitation.passcode})
    assert response.status_code == 200
    assert client.get(reverse("portal:plan"))["Location"] == reverse("portal:signed-out")
    failures = AccessEvent.objects.filter(action="sign_in_failed", record_type="portal_account")
    assert failures.count() == 5  # the sixth meets an ended invitation, like an unknown link


def test_a_closed_case_closes_the_portal(client, social_worker, plan_case):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    _sign_in(client, invitation)
    goals = {g.pk: ("achieved", "") for g in plan_case.plan.goals.all()}
    cw.case_close(
        actor=social_worker,
        case_id=plan_case.pk,
        reason="Done",
        outcomes=goals,
        views=VIEWS,
        purpose=WORK,
    )
    assert client.get(reverse("portal:plan"))["Location"] == reverse("portal:signed-out")


def test_portal_plan_reads_in_a_fixed_number_of_queries(
    client, social_worker, plan_case, django_assert_max_num_queries
):
    invitation = portal_invite(
        actor=social_worker, case_id=plan_case.pk, who="young_person", purpose=WORK
    )
    _sign_in(client, invitation)
    for i in range(5):
        cw.plan_goal_add(
            actor=social_worker,
            case_id=plan_case.pk,
            text=f"Goal {i}",
            in_childs_words=False,
            purpose=WORK,
        )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("portal:plan"))
    assert page.status_code == 200
    assert re.search(r"Goal 4", page.content.decode())
