"""Default deny: every URL pattern and every API operation is classified here, and each class is
checked for real. A new page or route that is not in these tables fails the suite.

public       anyone, signed in or not (nothing about a child)
signed_in    anyone signed in; the role decides what they may do (anonymous: sign-in page / 401)
child        about one child's record: a signed-in practitioner with no reason to see that child
             gets 404, exactly as for a record that does not exist
own          one user's own thing (a background job): anyone else gets 404
admin        Django's admin, for system administrators only
"""

import re
import uuid
from datetime import date as dt_date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.access.models import InvolvementKind
from tandem.config.api import api
from tandem.jobs.models import Job
from tandem.partners.models import Role
from tandem.people.models import HouseholdMember, Relationship
from tests import factories
from tests.grants import grant_for
from tests.voices import VIEWS_API

PUBLIC, SIGNED_IN, CHILD, OWN, ADMIN = "public", "signed_in", "child", "own", "admin"
# The child and family portal (issue 6): its own sign-in (link + code); nobody else gets in.
PORTAL = "portal"

WEB = {
    "web:start": PUBLIC,
    "web:sign-in": PUBLIC,
    "web:sign-out": SIGNED_IN,
    "web:caseload": SIGNED_IN,
    "web:child-find": SIGNED_IN,
    "web:child": CHILD,
    "web:child-household": CHILD,
    "web:child-referrals": CHILD,
    "web:child-chronology": CHILD,
    "web:child-edit": CHILD,
    "web:event-new": CHILD,
    "web:relationship-new": CHILD,
    "web:relationship-remove": CHILD,
    "web:referral-new": SIGNED_IN,
    "web:referrals-made": SIGNED_IN,
    "web:referrals-received": SIGNED_IN,
    "web:referral": CHILD,
    "web:referral-sent": CHILD,
    "web:referral-decision": CHILD,
    "web:referral-feedback": CHILD,
    "web:known": SIGNED_IN,
    "web:audit": SIGNED_IN,
    "web:jobs": SIGNED_IN,
    "web:job": OWN,
    "web:job-run-again": OWN,
    # Statutory returns (issue 7): the job's owner only
    "web:returns": SIGNED_IN,
    "web:return": OWN,
    "web:return-download": OWN,
    "web:return-child": OWN,  # and only a child in that return
    "web:child-care": CHILD,
    "web:care-episode-new": CHILD,
    "web:care-episode-end": CHILD,
    "web:care-review-new": CHILD,
    "web:care-missing-new": CHILD,
    # Casework (issue 6)
    "web:child-casework": CHILD,
    "web:case": CHILD,
    "web:case-member-new": CHILD,
    "web:case-lead": CHILD,
    "web:case-member-leave": CHILD,
    "web:assessment-start": CHILD,
    "web:assessment-factor-new": CHILD,
    "web:assessment-submit": CHILD,
    "web:assessment-approve": CHILD,
    "web:goal-new": CHILD,
    "web:action-new": CHILD,
    "web:action-status": CHILD,
    "web:plan-agree": CHILD,
    "web:review-new": CHILD,
    "web:case-step": CHILD,
    "web:case-close": CHILD,
    "web:case-reopen": CHILD,
    "web:portal-invite": CHILD,
    "web:message-reply": CHILD,
    "web:portal-revoke": CHILD,
    "web:work-tray": SIGNED_IN,
    "web:voice-report": SIGNED_IN,
    # Outcomes (issue 23): aggregate pages for those who read reports; children named only as
    # the record allows (tests/outcomes/test_pages.py).
    "outcomes:services": SIGNED_IN,
    "outcomes:service": SIGNED_IN,
    "outcomes:comparison": SIGNED_IN,
    "outcomes:children": SIGNED_IN,
    "outcomes:framework": SIGNED_IN,
    "outcomes:value": SIGNED_IN,
    "outcomes:value-pdf": SIGNED_IN,
    "outcomes:unit-costs": SIGNED_IN,
    # Planning (issue 24): counts and money only; the role decides
    **{
        f"planning:{name}": SIGNED_IN
        for name in (
            "index",
            "board",
            "forecast-new",
            "forecast",
            "forecast-download",
            "scenario-new",
            "scenario-evidence",
            "scenario",
            "scenario-download",
            "budgets",
            "budgets-download",
            "stream-new",
            "budget-new",
            "capacity",
            "capacity-download",
            "capacity-new",
        )
    },  # fmt: skip
    "outcomes:child": CHILD,
    "outcomes:spell-new": CHILD,
    "outcomes:spell-end": CHILD,
    "outcomes:sdq-new": CHILD,
    "outcomes:star-new": CHILD,
    "portal:plan": PORTAL,
    "portal:start": PORTAL,
    "portal:sign-in": PORTAL,
    "portal:sign-out": PORTAL,
    "portal:signed-out": PUBLIC,
    # Information governance
    "web:child-who-looked": CHILD,
    "web:audit-export": SIGNED_IN,
    "web:break-glass": SIGNED_IN,
    "web:break-glass-queue": SIGNED_IN,
    "web:break-glass-review": SIGNED_IN,  # IG leads only: anyone else 403
    "web:notifications": SIGNED_IN,  # the user's own inbox, nobody else's
    "web:governance": SIGNED_IN,  # IG leads only: anyone else 403
    "web:sar-new": SIGNED_IN,
    "web:governance-people": SIGNED_IN,  # IG leads only: the person finder
    "web:retention-run": SIGNED_IN,  # IG leads only
    "web:sar": SIGNED_IN,  # IG leads only
    "web:sar-json": SIGNED_IN,  # IG leads only
    "web:sar-pdf": SIGNED_IN,  # IG leads only
    # Early identification (issue 5): an upload is its partner's own (anyone else: 404)
    "web:extracts": SIGNED_IN,  # partners' analysts and team managers only: anyone else 403
    "web:extract": OWN,
    "web:extract-problems": OWN,
    "web:linkage": SIGNED_IN,  # analysts and team managers only: anyone else 403
    "web:pair-decision": OWN,  # a pair with a record of the reviewer's partner
    "web:linkage-evidence": SIGNED_IN,  # counts only; analysts and team managers
    "web:worklist": SIGNED_IN,  # lists only children the viewer may see
    "web:flag-decision": CHILD,
    # Information governance: agreements, legal holds, restrictions (IG leads only: others 403)
    "web:agreements": SIGNED_IN,
    "web:agreement-new": SIGNED_IN,
    "web:agreement": SIGNED_IN,
    "web:agreement-accept": SIGNED_IN,
    "web:agreement-end": SIGNED_IN,
    "web:legal-holds": SIGNED_IN,
    "web:legal-hold-lift": SIGNED_IN,
    "web:restrictions": SIGNED_IN,
    "web:restriction-end": SIGNED_IN,
    "web:set-up-codes": SIGNED_IN,  # IG leads only: one-time set-up codes for authenticators
    # ... and consent, on the child's record
    "web:child-consent": CHILD,
    "web:consent-withdraw": CHILD,
    "web:child-sharing": CHILD,  # the share / no-share decision log
    # Sign-in security (issue 4): the steps after the password. Every other signed-in page sends
    # a session that has not passed them here (test_half_signed_in_session_*).
    "web:sign-in-code": SIGNED_IN,
    "web:sign-in-set-up": SIGNED_IN,
    "web:acceptable-use": SIGNED_IN,
}

API = {
    ("GET", "/api/children"): SIGNED_IN,
    ("POST", "/api/children"): SIGNED_IN,
    ("GET", "/api/children/{child_id}"): CHILD,
    ("PATCH", "/api/children/{child_id}"): CHILD,
    ("GET", "/api/children/{child_id}/relationships"): CHILD,
    ("POST", "/api/children/{child_id}/relationships"): CHILD,
    ("DELETE", "/api/children/{child_id}/relationships/{relationship_id}"): CHILD,
    ("GET", "/api/children/{child_id}/households"): CHILD,
    ("POST", "/api/children/{child_id}/households"): CHILD,
    ("GET", "/api/households/{household_id}"): CHILD,
    ("POST", "/api/households/{household_id}/members"): CHILD,
    ("GET", "/api/children/{child_id}/chronology"): CHILD,
    ("POST", "/api/children/{child_id}/events"): CHILD,
    ("POST", "/api/known"): SIGNED_IN,
    ("GET", "/api/children/{child_id}/referrals"): CHILD,
    ("POST", "/api/referrals"): SIGNED_IN,
    ("GET", "/api/referrals/made"): SIGNED_IN,
    ("GET", "/api/referrals/received"): SIGNED_IN,
    ("GET", "/api/referrals/{referral_id}"): CHILD,
    ("POST", "/api/referrals/{referral_id}/decision"): CHILD,
    ("POST", "/api/referrals/{referral_id}/feedback"): CHILD,
    ("GET", "/api/jobs/{job_id}"): OWN,
    ("POST", "/api/jobs/{job_id}/run-again"): OWN,
    ("GET", "/api/children/{child_id}/sdq"): CHILD,
    ("POST", "/api/children/{child_id}/sdq"): CHILD,
    ("GET", "/api/services"): SIGNED_IN,
    ("GET", "/api/services/{service_id}/outcomes"): SIGNED_IN,
    # Planning (issue 24): counts and money only; the role decides
    ("GET", "/api/forecasts"): SIGNED_IN,
    ("POST", "/api/forecasts"): SIGNED_IN,
    ("GET", "/api/forecasts/{forecast_id}"): SIGNED_IN,
    ("POST", "/api/forecasts/{forecast_id}/scenarios"): SIGNED_IN,
    ("POST", "/api/forecasts/{forecast_id}/scenarios/evidence"): SIGNED_IN,
    ("GET", "/api/scenarios/{scenario_id}"): SIGNED_IN,
    ("GET", "/api/budgets"): SIGNED_IN,
    ("GET", "/api/capacity"): SIGNED_IN,
    ("GET", "/api/services/{service_id}/outcomes/{outcome}/children"): SIGNED_IN,
    ("GET", "/api/services/{service_id}/comparison"): SIGNED_IN,
    ("GET", "/api/services/{service_id}/value"): SIGNED_IN,
    ("GET", "/api/children/{child_id}/spells"): CHILD,
    ("POST", "/api/children/{child_id}/spells"): CHILD,
    ("POST", "/api/children/{child_id}/spells/{spell_id}/end"): CHILD,
    ("GET", "/api/children/{child_id}/star-readings"): CHILD,
    ("POST", "/api/children/{child_id}/star-readings"): CHILD,
    # Casework (issue 6)
    ("GET", "/api/cases/mine"): SIGNED_IN,
    ("GET", "/api/children/{child_id}/cases"): CHILD,
    ("POST", "/api/children/{child_id}/cases"): CHILD,
    ("GET", "/api/cases/{case_id}"): CHILD,
    ("POST", "/api/cases/{case_id}/members"): CHILD,
    ("POST", "/api/cases/{case_id}/members/{member_id}/leave"): CHILD,
    ("PUT", "/api/cases/{case_id}/lead"): CHILD,
    ("POST", "/api/cases/{case_id}/step"): CHILD,
    ("POST", "/api/cases/{case_id}/assessments"): CHILD,
    ("POST", "/api/cases/{case_id}/assessments/{assessment_id}/factors"): CHILD,
    ("POST", "/api/cases/{case_id}/assessments/{assessment_id}/outcome"): CHILD,
    ("POST", "/api/cases/{case_id}/assessments/{assessment_id}/approval"): CHILD,
    ("POST", "/api/cases/{case_id}/goals"): CHILD,
    ("POST", "/api/cases/{case_id}/goals/{goal_id}/actions"): CHILD,
    ("PATCH", "/api/cases/{case_id}/actions/{action_id}"): CHILD,
    ("POST", "/api/cases/{case_id}/plan/agreement"): CHILD,
    ("POST", "/api/cases/{case_id}/reviews"): CHILD,
    ("POST", "/api/cases/{case_id}/closure"): CHILD,
    ("POST", "/api/cases/{case_id}/reopening"): CHILD,
    # Early identification (issue 5)
    ("POST", "/api/extracts"): SIGNED_IN,
    ("GET", "/api/extracts/{upload_id}"): OWN,
    ("GET", "/api/extracts/{upload_id}/problems"): OWN,
    ("GET", "/api/worklist"): SIGNED_IN,
    ("POST", "/api/worklist/{flag_id}/decision"): CHILD,
    # Information governance (issue 4): consent to share
    ("GET", "/api/children/{child_id}/consents"): CHILD,
    ("POST", "/api/children/{child_id}/consents"): CHILD,
    ("POST", "/api/children/{child_id}/consents/{consent_id}/withdraw"): CHILD,
}
# ninja's own pages: the OpenAPI document and its docs page describe the API, not a child.
API_PAGES = {"api:openapi-json": PUBLIC, "api:openapi-view": PUBLIC}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}{p.name}" if p.name else None)


def _routes():
    return list(_walk(get_resolver().url_patterns))


def _api_operations():
    schema = api.get_openapi_schema()
    return {(m.upper(), path) for path, ops in schema["paths"].items() for m in ops}


def test_every_url_pattern_is_classified():
    unclassified = []
    for pattern, name in _routes():
        if pattern.startswith("admin/"):
            continue  # all ADMIN, checked below
        if pattern.startswith("api/") and (name is None or name.startswith("api:")):
            continue  # API operations are classified one by one from the OpenAPI
        if name not in WEB:
            unclassified.append((pattern, name))
    assert not unclassified, f"classify these routes in tests/test_routes.py: {unclassified}"
    names = {name for _, name in _routes()}
    assert not set(WEB) - names, f"stale entries: {set(WEB) - names}"
    assert set(API_PAGES) <= names


def test_every_api_operation_is_classified():
    operations = _api_operations()
    assert operations == set(API), {
        "unclassified": operations - set(API),
        "stale": set(API) - operations,
    }


@pytest.fixture
def world():
    """A child with the whole record around it, owned by one team; and a stranger elsewhere."""
    owner_team = factories.TeamFactory(receives_referrals=True)
    child = factories.ChildFactory()
    factories.InvolvementFactory(child=child, team=owner_team, kind=InvolvementKind.OWNING_TEAM)
    adult = factories.AdultFactory()
    a, b = sorted([adult, child], key=lambda p: str(p.pk))
    relationship = Relationship.objects.create(person_a=a, person_b=b, kind="other")
    household = factories.HouseholdFactory()
    HouseholdMember.objects.create(household=household, person=child)
    referral = factories.ReferralFactory(child=child, to_team=owner_team)
    stranger = factories.UserFactory(role=Role.TEAM_MANAGER)  # may do everything, elsewhere
    owner = factories.UserFactory(team=owner_team)
    job = Job.objects.create(owner=owner, kind="k", title="t")
    casework_ids = _casework(child, owner_team)
    linkage_ids = _linkage(owner_team, child)  # issue 5
    return {
        "ids": {
            **casework_ids,
            **linkage_ids,
            "child_id": child.pk,
            "relationship_id": relationship.pk,
            "household_id": household.pk,
            "referral_id": referral.pk,
            "job_id": job.pk,
            "break_glass_id": uuid.uuid4(),
            "sar_id": uuid.uuid4(),
            "agreement_id": uuid.uuid4(),
            "hold_id": uuid.uuid4(),
            "restriction_id": uuid.uuid4(),
            "consent_id": _consent(child, owner_team),
            "episode_id": _care_episode(child, owner_team),
            "service_id": (service := _service()).pk,
            "spell_id": _spell(service, child).pk,
            "outcome": "care-12",
            "code": "edge-of-care",
            "forecast_id": uuid.uuid4(),
            "scenario_id": uuid.uuid4(),
            "table": "months",
            "fmt": "csv",
        },
        "stranger": stranger,
        "owner": owner,  # may see the child and owns the job
    }


def _service(name: str = "Edge of care"):
    from tandem.outcomes.models import Service, ServiceType

    kind = ServiceType.objects.get(pk="edge-of-care")
    return Service.objects.create(
        name=name, service_type=kind, aim=kind.aim, framework="edge-of-care"
    )


def _spell(service, child):
    from tandem.outcomes.models import ServiceSpell

    return ServiceSpell.objects.create(
        service=service, person=child, started_on=dt_date(2024, 1, 8),
        recorded_by=factories.UserFactory(),
    )  # fmt: skip


def _care_episode(child, team):
    import datetime as dt

    from tandem.care.models import CareEpisode

    return CareEpisode.objects.create(
        child=child, local_authority=team.partner, started_on=dt.date(2025, 5, 1),
        reason_new="S", legal_status="C2", category_of_need="N1", placement_type="U4",
        placement_provider="PR1",
    ).pk  # fmt: skip


def _consent(child, team):
    from tandem.access.services import consent_record

    worker = factories.UserFactory(team=team)
    return consent_record(
        actor=worker, child_id=child.pk, purpose="early_help", given_by="Mother"
    ).pk


def _casework(child, team) -> dict:
    """A case with an assessment, a goal, an action and a portal message (issue 6)."""
    import datetime as dt

    from tandem.casework import services as cw
    from tandem.portal.services import portal_invite, portal_message_send

    lead = factories.UserFactory(team=team)
    case = cw.case_open(
        grant=grant_for(lead, child.pk, "direct_work"),
        level="early_help",
        lead_professional_id=lead.pk,
    )
    assessment = cw.assessment_start(actor=lead, case_id=case.pk, purpose="direct_work")
    goal = cw.plan_goal_add(
        actor=lead,
        case_id=case.pk,
        text="Go to school",
        in_childs_words=True,
        purpose="direct_work",
    )
    action = cw.plan_action_add(
        actor=lead,
        case_id=case.pk,
        goal_id=goal.pk,
        text="Walk to school",
        owner_id=lead.pk,
        due_on=dt.date(2030, 1, 1),
        purpose="direct_work",
    )
    invitation = portal_invite(
        actor=lead, case_id=case.pk, who="young_person", purpose="direct_work"
    )
    message = portal_message_send(account=invitation.account, text="Hello")
    return {
        "case_id": case.pk,
        "assessment_id": assessment.pk,
        "goal_id": goal.pk,
        "action_id": action.pk,
        "message_id": message.pk,
        "account_id": invitation.account.pk,
        "member_id": case.members.get().pk,
    }


def _linkage(team, child) -> dict:
    """An extract uploaded by the owning team's partner, a pair of its records for review, and
    a flag about the child (issue 5)."""
    import datetime as dt

    from tandem.linkage.models import ExtractRecord, ExtractUpload, Flag, LinkedPerson, MatchPair

    analyst = factories.UserFactory(team=team, role=Role.PARTNERSHIP_ANALYST)
    upload = ExtractUpload.objects.create(
        partner=team.partner, extract_type="health", uploaded_by=analyst, file_name="a.csv",
        stored_at="/nonexistent", spec={}, status="loaded",
    )  # fmt: skip
    record = {"upload": upload, "given_name": "A", "family_name": "B"}
    a, b = (
        ExtractRecord.objects.create(
            **record, row=i, record_id=str(i), date_of_birth=dt.date(2012, 1, 1)
        )
        for i in (2, 3)
    )
    pair = MatchPair.objects.create(
        left=a, right=b, match_probability=0.7, match_weight=1, status="review"
    )
    flag = Flag.objects.create(
        linked_person=LinkedPerson.objects.create(person=child), rule="r", title="t",
        evidence=[], partners=1, latest_on=dt.date(2026, 1, 1), raised_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    return {"upload_id": upload.pk, "pair_id": pair.pk, "flag_id": flag.pk}


def _web_url(name, ids):
    from django.urls import reverse

    pattern = next(p for p, n in _routes() if n == name)
    kwargs = {k: ids[k] for k in re.findall(r"<(?:uuid|slug):(\w+)>", pattern)}
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(WEB))
def test_web_route_behaves_as_classified(client, world, name):
    url = _web_url(name, world["ids"])
    anonymous = client.get(url)
    if anonymous.status_code == 405:  # a POST-only action, such as signing out
        anonymous = client.post(url)
    if WEB[name] == PORTAL:
        # Without a portal sign-in: sent to "use your link" (or 404 for an unknown link), never
        # shown a plan, and no practitioner's session lets anyone in either.
        for who in (None, world["stranger"]):
            if who:
                client.force_login(who)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in (302, 403, 404, 405), (
                    f"{url}: {response.status_code}"
                )
                if response.status_code == 302:
                    assert response["Location"] in ("/my-plan/signed-out", "/my-plan/sign-in"), url
        return
    if WEB[name] == PUBLIC:
        assert anonymous.status_code in (200, 302)
        if anonymous.status_code == 302:
            assert anonymous.url.startswith("/sign-in")  # the start page sends you to sign in
        return
    # Everything else needs a signed-in user.
    assert anonymous.status_code == 302, url
    assert anonymous["Location"].startswith("/sign-in"), url
    if WEB[name] in (CHILD, OWN):
        client.force_login(world["stranger"])
        for method in (client.get, client.post):
            assert method(url).status_code == 404, f"{method.__name__.upper()} {url}"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), sorted(API))
def test_api_operation_behaves_as_classified(client, world, method, path):
    url = path.format(**world["ids"])
    call = getattr(client, method.lower())
    assert call(url, content_type="application/json").status_code == 401, f"{method} {url}"
    if API[(method, path)] in (CHILD, OWN):
        from tandem.partners.tokens import api_token_create

        _, token = api_token_create(actor=None, user=world["stranger"], name="hacker")
        response = call(
            url,
            data={},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        # 404 before the body is even looked at for a record the caller may not see; a body
        # that fails its schema may answer 422 first, but never with the record.
        assert response.status_code in (404, 422), f"{method} {url}: {response.status_code}"
        if response.status_code == 422:
            full = call(
                url,
                data=_valid_body(method, path, world),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert full.status_code == 404, f"{method} {url} with a valid body: {full.status_code}"


def _valid_body(method, path, world):
    """A well-formed body for each operation that takes one, so the access check is reached."""
    bodies = {
        "/api/children/{child_id}": {"given_name": "Alex"},
        "/api/children/{child_id}/relationships": {
            "kind": "other",
            "other_person_id": str(world["ids"]["child_id"]),
        },
        "/api/children/{child_id}/households": {"name": "The household"},
        "/api/households/{household_id}/members": {"person_id": str(world["ids"]["child_id"])},
        "/api/children/{child_id}/events": {
            "kind": "note",
            "occurred_at": "2024-01-01T10:00:00Z",
            "summary": "A note.",
        },
        "/api/referrals/{referral_id}/decision": {
            **VIEWS_API,
            "decision": "nfa",
            "reasons": "No concerns.",
        },
        "/api/referrals/{referral_id}/feedback": {"message": "No further action."},
        "/api/children/{child_id}/spells": {
            "service_id": "00000000-0000-4000-8000-00000005e71c",
            "started_on": "2024-01-01",
        },
        "/api/children/{child_id}/star-readings": {
            "star": "family-star-plus",
            "read_on": "2024-06-01",
            "readings": [{"area": "family-routine", "reading": 4}],
        },
        "/api/children/{child_id}/spells/{spell_id}/end": {
            "ended_on": "2024-06-01",
            "reason": "completed",
        },
        "/api/children/{child_id}/sdq": {
            "informant": "parent",
            "completed_on": "2024-01-01",
            "scores": {"emotional": 3},
        },
        # Casework (issue 6)
        "/api/children/{child_id}/cases": {
            "level": "early_help",
            "lead_professional_id": str(world["stranger"].pk),
        },
        "/api/cases/{case_id}/members": {"practitioner_id": str(world["stranger"].pk)},
        "/api/cases/{case_id}/lead": {"lead_professional_id": str(world["stranger"].pk)},
        "/api/cases/{case_id}/step": {**VIEWS_API, "to_level": "statutory", "summary": "Why."},
        "/api/cases/{case_id}/assessments/{assessment_id}/factors": {
            "area": "health",
            "rating": "no_concern",
            "evidence": "Seen by the GP.",
            "source_partner_id": str(world["stranger"].team.partner_id),
        },
        "/api/cases/{case_id}/assessments/{assessment_id}/outcome": {
            **VIEWS_API,
            "level": "early_help",
            "summary": "Early help.",
        },
        "/api/cases/{case_id}/goals": {"text": "Go to school", "in_childs_words": True},
        "/api/cases/{case_id}/goals/{goal_id}/actions": {
            "text": "Walk to school",
            "owner_id": str(world["stranger"].pk),
            "due_on": "2030-01-01",
        },
        "/api/cases/{case_id}/actions/{action_id}": {"status": "done"},
        "/api/cases/{case_id}/plan/agreement": {**VIEWS_API, "summary": "Agreed."},
        "/api/cases/{case_id}/reviews": {**VIEWS_API, "summary": "Going well."},
        "/api/cases/{case_id}/closure": {**VIEWS_API, "reason": "Goals met."},
        "/api/cases/{case_id}/reopening": {**VIEWS_API, "reason": "New worries."},
        "/api/worklist/{flag_id}/decision": {"decision": "refer", "reasons": "Worried."},
        "/api/children/{child_id}/consents": {
            "purpose": "early_help",
            "given_by": "Mother",
            "given_at": "2026-01-01T10:00:00Z",
        },
        "/api/children/{child_id}/consents/{consent_id}/withdraw": {"note": "Phoned"},
    }
    return bodies[path]


@pytest.mark.django_db
def test_admin_is_for_system_administrators_only(client, world):
    admin_routes = [p for p, _ in _routes() if p.startswith("admin/")]
    assert admin_routes
    client.force_login(world["stranger"])
    assert client.get("/admin/").status_code == 302  # to the admin's own sign-in
    assert client.get("/admin/partners/user/").status_code == 302
    sysadmin = factories.UserFactory(
        role=Role.SYSTEM_ADMIN, team=None, is_staff=True, is_superuser=True
    )
    client.force_login(sysadmin)
    assert client.get("/admin/partners/user/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(API_PAGES))
def test_api_description_is_public(client, name):
    from django.urls import reverse

    assert client.get(reverse(name)).status_code == 200


# -- sign-in security (issue 4) ----------------------------------------------------------------
# What a session that has passed the password but not the code (or not the notice) may reach.
SIGNING_IN = {"web:sign-in", "web:sign-in-code", "web:sign-in-set-up", "web:sign-out"}
NEEDS_FULL_SIGN_IN = sorted(
    name
    for name, kind in WEB.items()
    if kind in (SIGNED_IN, CHILD, OWN) and name not in SIGNING_IN
)


def _half_signed_in(user, *, device: bool):
    """Signed in with the password only: Django's plain client, no second step."""
    from django.test import Client

    from tests.signing_in import device_of

    if device:
        device_of(user)
    half = Client()
    half.force_login(user)
    return half


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*NEEDS_FULL_SIGN_IN, "web:start"])
def test_half_signed_in_session_reaches_only_the_code_page(world, name):
    """Someone allowed to see the child, with the right password but no code yet, gets nothing
    but the code page (or, before they have an authenticator, the set-up page)."""
    url = _web_url(name, world["ids"])
    for device, step in ((True, "/sign-in/code"), (False, "/sign-in/set-up")):
        user = factories.UserFactory(team=world["owner"].team, role=Role.TEAM_MANAGER)
        half = _half_signed_in(user, device=device)
        for method in (half.get, half.post):
            response = method(url)
            assert response.status_code == 302, f"{method.__name__.upper()} {url}"
            assert response["Location"].startswith(step), (url, response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in NEEDS_FULL_SIGN_IN if n != "web:acceptable-use"])
def test_session_without_the_current_notice_reaches_only_the_notice(world, name):
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.signing_in import device_of

    url = _web_url(name, world["ids"])
    user = factories.UserFactory(team=world["owner"].team, role=Role.TEAM_MANAGER)
    half = _half_signed_in(user, device=True)
    session = half.session
    session[DEVICE_ID_SESSION_KEY] = device_of(user).persistent_id  # the code was right
    session.save()
    for method in (half.get, half.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response["Location"].startswith("/acceptable-use"), (url, response["Location"])


@pytest.mark.django_db
def test_half_signed_in_session_is_not_signed_in_to_the_api(world, client):
    half = _half_signed_in(world["owner"], device=True)
    assert half.get("/api/children").status_code == 401
    client.force_login(world["owner"])  # every step done
    assert client.get("/api/children").status_code == 200
