"""Personal API tokens: made and shown once, stored only as a hash, refused once expired or
revoked or when their user is inactive, and `last_used_at` written at most once a minute."""

import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from freezegun import freeze_time

from tandem.audit.models import AccessEvent
from tandem.partners.management.commands.token import Command
from tandem.partners.models import ApiToken
from tandem.partners.tokens import (
    Operator,
    api_token_create,
    api_token_user,
    api_tokens_revoke,
    forget_checked_tokens,
)
from tests import factories

pytestmark = pytest.mark.django_db

OPERATOR = Operator(username="cli:test")


def _command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_hash():
    user = factories.UserFactory(username="asmith")
    out, err = _command("create", "--user", "asmith", "--name", "Case system", "--days", "30")
    token = out.strip()
    assert "\n" not in token
    assert token.startswith("tdm_")
    assert len(token) > 40
    assert "shown only now" in err
    assert token not in err

    row = ApiToken.objects.get(user=user)
    assert row.name == "Case system"
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.key_hash, row.name, str(row.pk)}
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    assert api_token_user(token) == user

    listing, _ = _command("list", "--user", "asmith")
    assert "Case system" in listing
    assert "live" in listing
    assert token not in listing
    # Made from the shell: the audit row says who ran it, and for which account.
    event = AccessEvent.objects.get(record_type="api_token", action="create")
    assert event.actor_username.startswith("cli:")
    assert event.detail["user"] == "asmith"
    assert event.person_id is None
    assert token not in json.dumps(event.detail)


def test_each_token_is_different():
    user = factories.UserFactory()
    tokens = {api_token_create(actor=OPERATOR, user=user)[1] for _ in range(5)}
    assert len(tokens) == 5


def test_revoke_stops_every_live_token_of_the_user_at_once():
    user = factories.UserFactory(username="bjones")
    other = factories.UserFactory()
    _, first = api_token_create(actor=OPERATOR, user=user)
    _, second = api_token_create(actor=OPERATOR, user=user, name="sync")
    _, others = api_token_create(actor=OPERATOR, user=other)

    out, _ = _command("revoke", "--user", "bjones")
    assert out.strip() == "Revoked 2 tokens of bjones."
    assert api_token_user(first) is None
    assert api_token_user(second) is None
    assert api_token_user(others) == other


def test_revoke_by_label_leaves_the_others():
    user = factories.UserFactory()
    _, keep = api_token_create(actor=OPERATOR, user=user, name="keep")
    _, drop = api_token_create(actor=OPERATOR, user=user, name="drop")
    assert api_tokens_revoke(actor=OPERATOR, user=user, name="drop") == 1
    assert api_token_user(drop) is None
    assert api_token_user(keep) == user


def test_token_expires():
    user = factories.UserFactory()
    with freeze_time("2026-01-01 09:00:00"):
        _, token = api_token_create(actor=OPERATOR, user=user, days=7)
    with freeze_time("2026-01-08 08:59:59"):
        assert api_token_user(token) == user
    with freeze_time("2026-01-08 09:00:00"):
        assert api_token_user(token) is None


def test_inactive_user_is_refused_and_cannot_get_a_token():
    user = factories.UserFactory(username="gone")
    _, token = api_token_create(actor=OPERATOR, user=user)
    user.is_active = False
    user.save()
    assert api_token_user(token) is None
    with pytest.raises(CommandError, match="inactive"):
        _command("create", "--user", "gone")


@pytest.mark.parametrize(
    "token",
    ["", "tdm_", "tdm_not-a-token", "not-even-the-prefix", "Bearer tdm_x", "tdm_" + "x" * 500],
)
def test_unknown_tokens_are_refused(token):
    api_token_create(actor=OPERATOR, user=factories.UserFactory())
    assert api_token_user(token) is None


def test_the_user_comes_with_team_and_partner(django_assert_num_queries):
    """The audit writer names the actor's team and partner: no extra query for them."""
    user = factories.UserFactory()
    _, token = api_token_create(actor=OPERATOR, user=user)
    api_token_user(token)  # first use writes last_used_at
    forget_checked_tokens()
    with django_assert_num_queries(2):  # the access revision, then the token with its user
        found = api_token_user(token)
        assert found.team.partner.name == user.team.partner.name
    with django_assert_num_queries(1):  # checked already: only the access revision
        assert api_token_user(token) == user


def _in_another_process(change) -> None:
    """A change made by another worker: its rows and its revision number, but not this
    process's memory of checked tokens."""
    from django.db import connection

    change()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE partners_accessrevision SET number = number + 1 WHERE id = 1")


def test_a_token_revoked_in_another_process_is_refused_on_the_very_next_request():
    user = factories.UserFactory()
    _, token = api_token_create(actor=OPERATOR, user=user)
    assert api_token_user(token) == user
    _in_another_process(lambda: ApiToken.objects.update(revoked_at=timezone.now()))
    assert api_token_user(token) is None


def test_a_user_deactivated_in_another_process_is_refused_on_the_very_next_request():
    user = factories.UserFactory()
    _, token = api_token_create(actor=OPERATOR, user=user)
    assert api_token_user(token) == user
    _in_another_process(lambda: type(user).objects.filter(pk=user.pk).update(is_active=False))
    assert api_token_user(token) is None


def test_saving_a_user_or_revoking_a_token_moves_the_revision():
    from tandem.partners.models import AccessRevision

    user = factories.UserFactory()
    before = AccessRevision.objects.get().number
    user.save()
    api_tokens_revoke(actor=OPERATOR, user=user)
    assert AccessRevision.objects.get().number == before + 2


def test_changing_the_user_is_seen_at_once_in_this_process():
    user = factories.UserFactory()
    _, token = api_token_create(actor=OPERATOR, user=user)
    assert api_token_user(token) == user
    user.is_active = False
    user.save()
    assert api_token_user(token) is None


def test_last_used_is_written_at_most_once_a_minute(django_assert_num_queries):
    user = factories.UserFactory()
    with freeze_time("2026-03-01 10:00:00"):
        row, token = api_token_create(actor=OPERATOR, user=user)
        assert row.last_used_at is None
        with django_assert_num_queries(3):  # the revision, the token, then the first write
            api_token_user(token)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    forget_checked_tokens()  # as if each call came to a different worker process
    with freeze_time("2026-03-01 10:00:59"), django_assert_num_queries(2):
        api_token_user(token)
    row.refresh_from_db()
    assert row.last_used_at == first
    forget_checked_tokens()
    with freeze_time("2026-03-01 10:01:00"), django_assert_num_queries(3):
        api_token_user(token)
    row.refresh_from_db()
    assert row.last_used_at == first + timedelta(minutes=1)


@pytest.mark.parametrize("days", ["0", "-1", "367"])
def test_days_out_of_range_is_refused(days):
    factories.UserFactory(username="csmith")
    with pytest.raises(CommandError, match="1 to 366 days"):
        _command("create", "--user", "csmith", "--days", days)
    assert not ApiToken.objects.exists()


def test_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        _command("create", "--user", "nobody")


def test_help_explains_the_actions_and_how_to_send_the_token():
    parser = Command().create_parser("tandem", "token")
    text = parser.format_help()
    for words in ("create", "revoke", "list", "shown once", "Authorization: Bearer", "--days"):
        assert words in text
    create = next(a for a in parser._subparsers._group_actions if a.dest == "action").choices[
        "create"
    ]
    create_help = create.format_help()
    for words in ("--user NAME", "--name LABEL", "--days N", "default 90"):
        assert words in create_help
