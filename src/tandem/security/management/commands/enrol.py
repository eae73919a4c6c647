"""`tandem enrol NAME`: a one-time set-up code for NAME's authenticator app, for an operator
(the first IG lead of a new partnership has no IG lead to ask). The code is printed once and
kept only as a hash; it lasts TANDEM_ENROLMENT_CODE_HOURS."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tandem.partners.models import User
from tandem.security.enrolment import enrolment_code_issue


class Command(BaseCommand):
    help = "Print a one-time set-up code for a user's authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user who will set up their authenticator")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user has the username {username}")
        try:
            _, code = enrolment_code_issue(actor=None, user=user)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(code)
        if options["verbosity"] > 1:
            self.stdout.write(
                f"(for {username}; works once, for {settings.TANDEM_ENROLMENT_CODE_HOURS} hours)"
            )
