"""`tandem otp NAME`: the current sign-in code of a demo user (made by `tandem demo`), so the demo
can be tried without setting up an authenticator app. A real practitioner's code is never
printed: their secret belongs in their own app."""

from django.core.management.base import BaseCommand, CommandError

from tandem.security.two_factor import NotADemoDevice, demo_code


class Command(BaseCommand):
    help = "Print a demo user's current 6-digit sign-in code (demo sign-ins only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo username, like demo-social-worker")

    def handle(self, *args, username, **options):
        try:
            now = demo_code(username=username)
        except NotADemoDevice as e:
            raise CommandError(str(e)) from None
        self.stdout.write(now.code)
        if options["verbosity"] > 1:
            self.stdout.write(f"(valid for {now.seconds_left} more seconds)")
