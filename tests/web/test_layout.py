"""The frame every page shares: generic header, navigation by role, CSP nonces, error pages."""

import re

import pytest
from django.template import loader

from tandem.partners.models import Role
from tests import factories
from tests.signing_in import VerifiedClient as Client
from tests.web.support import text_of

pytestmark = pytest.mark.django_db


def test_layout_is_a_partnership_service_not_gov_uk(worker_client):
    html = worker_client.get("/caseload").content.decode()
    assert 'class="govuk-generic-header' in html
    assert "govuk-header__logotype" not in html
    assert "crown" not in html.lower()
    assert 'href="#main-content"' in html  # the skip link
    assert 'id="main-content"' in html
    assert '<html lang="en-GB"' in html
    assert "/static/css/app.css" in html
    assert re.search(r'<footer class="govuk-template__footer">\s*<div class="govuk-footer">', html)


def test_scripts_carry_the_csp_nonce_of_the_response(worker_client):
    response = worker_client.get("/caseload")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert len(scripts) == 2
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert "govuk-frontend-supported" in html
    assert '<script type="module"' in html
    assert "/static/web/app.mjs" in html


def test_pages_are_not_cached(worker_client):
    assert worker_client.get("/caseload")["Cache-Control"] == "no-store"


PRACTICE = ["Work tray", "Children", "Referrals", "Known to partners?", "Worklist"]


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.SOCIAL_WORKER, PRACTICE),
        (Role.SCHOOL_DSL, PRACTICE),
        (Role.TEAM_MANAGER, [*PRACTICE, "Extracts", "Linkage", "Reports"]),
        (Role.IG_LEAD, ["Governance", "Emergency access reviews", "Audit"]),
        # Returns: issue 7; Extracts, Linkage: issue 5
        (Role.PARTNERSHIP_ANALYST, ["Returns", "Extracts", "Linkage", "Reports"]),
        (Role.BOARD_MEMBER, ["Reports"]),  # the partnership's figures, never a child
    ],
)
def test_navigation_shows_what_the_role_can_use(signed_in, role, links):
    client = signed_in(factories.UserFactory(role=role))
    html = client.get(
        {Role.IG_LEAD: "/audit", Role.BOARD_MEMBER: "/reports/views"}.get(role, "/known")
    ).content.decode()
    nav = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, flags=re.S).group(
        0
    )
    shown = [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(
            r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>(.*?)</a>', nav, flags=re.S
        )
    ]
    assert [re.sub(r"<[^>]+>", "", t).strip() for t in shown] == links
    # Who is signed in, and their own links, are in the account bar on every page.
    bar = re.search(r'<div class="app-account-bar">.*?</ul>', html, flags=re.S).group(0)
    assert "Signed in as" in bar
    assert "Notifications" in bar
    assert "Sign out" in bar
    assert ("Emergency access" in bar) == (
        role not in (Role.IG_LEAD, Role.PARTNERSHIP_ANALYST, Role.BOARD_MEMBER)
    )


def test_signed_out_pages_have_no_navigation(client):
    html = client.get("/sign-in").content.decode()
    assert "govuk-service-navigation__item" not in html
    assert 'aria-label="Main menu"' not in html  # no empty navigation landmark
    assert "Sign out" not in html


def test_a_role_without_the_action_gets_the_friendly_403(signed_in):
    client = signed_in(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST))
    response = client.get("/caseload")
    assert response.status_code == 403
    text = text_of(response)
    assert "You cannot use this page" in text
    assert "Partnership analyst" in text
    assert "govuk-generic-header" in response.content.decode()


def test_an_unknown_address_gets_the_404_page(worker_client):
    response = worker_client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_a_form_posted_without_csrf_token_is_refused(social_worker, child):
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)
    response = client.post(f"/children/{child.pk}/chronology/new", {"kind": "note"})
    assert response.status_code == 403
    assert "your form could not be sent" in text_of(response)


def test_the_500_page_renders_without_a_request():
    """Django renders 500.html with no request (and so no user, nonce or CSRF token)."""
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert "govuk-generic-header" in html
    assert "Sign out" not in html


def test_a_signed_in_user_visiting_sign_in_goes_to_their_start(worker_client):
    assert worker_client.get("/sign-in")["Location"] == "/"


@pytest.mark.django_db
def test_multiple_choice_questions_render_as_checkboxes(client):
    """Django's CheckboxSelectMultiple is a kind of RadioSelect: a referral's reasons must still be
    checkboxes, or a referrer could give only one reason."""
    client.force_login(factories.UserFactory(role="school_dsl"))
    html = client.get("/referrals/new").content.decode()
    reasons = re.findall(r'<input[^>]*name="reasons"[^>]*>', html)
    assert len(reasons) == 17
    assert all('type="checkbox"' in tag for tag in reasons)


def test_no_navigation_before_the_last_sign_in_step():
    """On the code and notice pages none of the service's links would work yet: none is shown."""
    from django.test import Client

    from tests.signing_in import device_of, sign_in_for_real

    worker = factories.UserFactory(role=Role.SOCIAL_WORKER)
    device_of(worker)  # set up already: the code page is the next step
    client = Client()
    client.post("/sign-in", {"username": worker.username, "password": factories.PASSWORD})
    code_page = client.get("/sign-in/code").content.decode()
    assert "govuk-service-navigation__list" not in code_page
    assert "Signed in as" not in code_page
    assert "Sign out" in code_page  # always a way out
    client = Client()
    sign_in_for_real(client, worker)
    notice = client.get("/acceptable-use").content.decode()
    assert "govuk-service-navigation__list" not in notice


def test_the_account_bar_counts_unread_notifications(signed_in):
    from django.utils import timezone

    from tandem.access.models import Notification

    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, first_name="Ana", last_name="Lee")
    for i in range(3):
        Notification.objects.create(recipient=worker, message=f"N{i}", created_at=timezone.now())
    client = signed_in(worker)
    html = client.get("/known").content.decode()
    bar = re.search(r'<div class="app-account-bar">.*?</ul>', html, flags=re.S)[0]
    assert "Ana Lee" in bar
    assert "Social worker" in bar
    assert "3<span" in bar
    client.get("/notifications")  # read now
    again = client.get("/known").content.decode()
    assert " unread</span>" not in again


def _nav(html: str) -> str:
    return re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, flags=re.S)[0]


def test_referrals_start_where_the_role_works(signed_in, front_door):
    """Those who decide referrals start with the ones sent to their team."""
    _, manager = front_door
    assert "/referrals/received" in _nav(signed_in(manager).get("/known").content.decode())
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    assert "/referrals/made" in _nav(signed_in(dsl).get("/known").content.decode())
