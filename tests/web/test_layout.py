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
    assert "initAll" in html
    assert "/static/govuk/govuk-frontend.min.js" in html


def test_pages_are_not_cached(worker_client):
    assert worker_client.get("/caseload")["Cache-Control"] == "no-store"


PRACTICE = ["Caseload", "Find a child", "Referrals", "Known to partners?"]


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (
            Role.SOCIAL_WORKER,
            ["Work tray", *PRACTICE, "Triage worklist", "Emergency access", "Notifications"],
        ),
        (
            Role.SCHOOL_DSL,
            ["Work tray", *PRACTICE, "Triage worklist", "Emergency access", "Notifications"],
        ),
        (Role.IG_LEAD, ["Audit", "Governance", "Emergency access reviews", "Notifications"]),
        # Returns: issue 7; Extracts, Linkage review: issue 5
        (
            Role.PARTNERSHIP_ANALYST,
            ["Returns", "Extracts", "Linkage review", "Notifications"],
        ),
    ],
)
def test_navigation_shows_what_the_role_can_use(signed_in, role, links):
    client = signed_in(factories.UserFactory(role=role))
    html = client.get("/known" if role != Role.IG_LEAD else "/audit").content.decode()
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
    assert "Sign out" in nav


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
