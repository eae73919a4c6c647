"""`tandem token`: make, list and revoke a practitioner's personal API tokens."""

import argparse
import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tandem.formats import govuk_date, govuk_datetime
from tandem.partners.models import ApiToken, User
from tandem.partners.tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    Operator,
    api_token_create,
    api_tokens_revoke,
)

EXAMPLES = """examples:
  tandem token create --user asmith --name "Case system sync" --days 30
  tandem token list --user asmith
  tandem token revoke --user asmith                 (every live token of asmith)
  tandem token revoke --user asmith --name "Case system sync"

Send the token as an HTTP header:  Authorization: Bearer <token>
"""


class Command(BaseCommand):
    help = (
        "Make, list or revoke personal API tokens.\n"
        "A token acts as its user, with exactly that user's role and access. It is shown once,\n"
        "when it is made: only its hash is stored."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Keep the examples' line breaks.
        kwargs.update(epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help="make a token and print it (once)",
            description="Make a token for a user and print it on standard output, once.",
        )
        create.add_argument("--user", required=True, metavar="NAME", help="the user's username")
        create.add_argument(
            "--name",
            default="API token",
            metavar="LABEL",
            help='a label saying what the token is for (default "API token")',
        )
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            metavar="N",
            help=f"days until it expires, 1 to {MAX_DAYS} (default {DEFAULT_DAYS})",
        )
        revoke = actions.add_parser(
            "revoke",
            help="revoke a user's tokens",
            description="Revoke a user's live tokens: they stop working at once.",
        )
        revoke.add_argument("--user", required=True, metavar="NAME", help="the user's username")
        revoke.add_argument(
            "--name", metavar="LABEL", help="revoke only the tokens with this label"
        )
        listing = actions.add_parser(
            "list",
            help="list a user's tokens (never the tokens themselves)",
            description="List a user's tokens: label, made, expires, last used, revoked.",
        )
        listing.add_argument("--user", required=True, metavar="NAME", help="the user's username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user called {options['user']!r}")
        operator = Operator(username=f"cli:{getpass.getuser()}")
        try:
            getattr(self, f"_{options['action']}")(operator, user, options)
        except ValidationError as e:
            raise CommandError("; ".join(m for ms in e.message_dict.values() for m in ms)) from e

    def _create(self, operator, user, options):
        row, token = api_token_create(
            actor=operator, user=user, name=options["name"], days=options["days"]
        )
        # The token alone on standard output, so that `TOKEN=$(tandem token create ...)` works;
        # the note goes to standard error.
        self.stdout.write(token)
        self.stderr.write(
            f"Token {row.name!r} for {user.username}, expires {govuk_datetime(row.expires_at)}. "
            "It is shown only now: keep it somewhere safe."
        )

    def _revoke(self, operator, user, options):
        count = api_tokens_revoke(actor=operator, user=user, name=options["name"])
        self.stdout.write(f"Revoked {count} token{'s' if count != 1 else ''} of {user.username}.")

    def _list(self, operator, user, options):
        rows = ApiToken.objects.filter(user=user).order_by("-created_at")
        if not rows:
            self.stdout.write(f"{user.username} has no tokens.")
        for row in rows:
            state = "revoked" if row.revoked_at else "live"
            self.stdout.write(
                f"{row.name:<30} {state:<8} made {govuk_date(row.created_at)} "
                f"expires {_day(row.expires_at)} last used {_day(row.last_used_at)}"
            )


def _day(value) -> str:
    return govuk_date(value) if value else "never"
