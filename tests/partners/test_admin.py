"""The admin holds partners, teams and accounts, for system administrators only: never a child."""

import pytest
from django.contrib import admin
from django.utils import timezone

from tandem.partners.models import Partner, Role, Team, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_only_partners_teams_and_accounts_are_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {"partners.Partner", "partners.Team", "partners.User"} <= registered
    personal_apps = {"people", "referrals", "access", "audit"}
    assert not {label for label in registered if label.split(".")[0] in personal_apps}


@pytest.fixture
def sysadmin():
    return factories.UserFactory(role=Role.SYSTEM_ADMIN, team=None, is_staff=True)


def test_a_system_administrator_manages_accounts(client, sysadmin):
    client.force_login(sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/partners/user/").status_code == 200
    assert client.get(f"/admin/partners/user/{sysadmin.pk}/change/").status_code == 200
    assert client.get("/admin/partners/team/add/").status_code == 200
    # Each add page (Django 6.1 asks for the permission with an object too).
    for model in ("partner", "user"):
        assert client.get(f"/admin/partners/{model}/add/").status_code == 200, model


def test_unlock_action_clears_a_lock(client, sysadmin):
    locked = factories.UserFactory(failed_sign_ins=3, locked_until=timezone.now())
    client.force_login(sysadmin)
    response = client.post(
        "/admin/partners/user/", {"action": "unlock", "_selected_action": [str(locked.pk)]}
    )
    assert response.status_code == 302
    locked.refresh_from_db()
    assert (locked.failed_sign_ins, locked.locked_until) == (0, None)


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.IG_LEAD, Role.TEAM_MANAGER])
def test_staff_of_any_other_role_sees_nothing(client, role):
    user = factories.UserFactory(role=role, is_staff=True)
    client.force_login(user)
    assert client.get("/admin/partners/user/").status_code == 403
    assert client.get(f"/admin/partners/user/{user.pk}/change/").status_code == 403
    response = client.post("/admin/partners/partner/add/", {"name": "Sneaky", "kind": "charity"})
    assert response.status_code == 403
    assert not Partner.objects.filter(name="Sneaky").exists()


def test_nothing_can_be_deleted(client, sysadmin):
    team = factories.TeamFactory()
    client.force_login(sysadmin)
    assert (
        client.post(f"/admin/partners/team/{team.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Team.objects.filter(pk=team.pk).exists()
    assert User.objects.filter(pk=sysadmin.pk).exists()


def test_admin_registers_only_reference_data_never_a_person():
    from django.contrib import admin

    from tandem.outcomes.models import Service, ServiceType, StrategicAim, UnitCost
    from tandem.partners.models import Partner, Team, User

    assert set(admin.site._registry) == {
        Partner, Team, User, StrategicAim, ServiceType, Service, UnitCost,
    }  # fmt: skip


def test_a_system_administrator_sets_up_a_service_and_the_teams_that_deliver_it(client, sysadmin):
    from tandem.outcomes.models import Service

    team = factories.TeamFactory()
    client.force_login(sysadmin)
    response = client.post(
        "/admin/outcomes/service/add/",
        {
            "name": "Family help", "service_type": "family-support", "aim": "stronger-families",
            "delivered_by": [str(team.pk)], "framework": "integrated-family-support",
            "description": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(name="Family help")
    assert list(service.delivered_by.all()) == [team]
    assert service.framework == "integrated-family-support"
    practitioner = factories.UserFactory(is_staff=True)
    client.force_login(practitioner)
    assert client.get("/admin/outcomes/service/").status_code in (302, 403)


def test_the_admin_has_no_sign_in_of_its_own(client, sysadmin):
    """Its login would bypass the lock-out and the audit trail: it sends you to ours."""
    response = client.post("/admin/login/", {"username": sysadmin.username, "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")
    assert "_auth_user_id" not in client.session


def test_changing_an_account_is_audited(client, sysadmin):
    from tandem.audit.models import AccessEvent

    worker = factories.UserFactory(role=Role.SOCIAL_WORKER)
    other_team = factories.TeamFactory()
    client.force_login(sysadmin)
    response = client.post(
        f"/admin/partners/user/{worker.pk}/change/",
        {
            "username": worker.username,
            "first_name": "Sam",
            "last_name": "Worker",
            "email": "",
            "job_title": "",
            "phone": "",
            "role": Role.TEAM_MANAGER,
            "team": str(other_team.pk),
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    worker.refresh_from_db()
    assert worker.team == other_team
    event = AccessEvent.objects.get(record_type="user", record_id=str(worker.pk))
    assert event.actor == sysadmin
    assert event.action == "update"
    assert "Team" in event.detail["change"]


def test_nobody_gives_themselves_a_team(client, sysadmin):
    client.force_login(sysadmin)
    html = client.get(f"/admin/partners/user/{sysadmin.pk}/change/").content.decode()
    assert 'name="team"' not in html
    assert 'name="role"' not in html
