"""`tandem demo`: migrate, build the demo partnership and print the demo sign-ins."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from tandem.synth import demo


class Command(BaseCommand):
    help = (
        "Migrate, build a synthetic demo partnership (replacing any synthetic data) and make one "
        "demo sign-in per role and partner, all with the same printed password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--children", type=int, default=3000, help="how many children (default 3,000)"
        )
        parser.add_argument(
            "--seed", type=int, default=demo.SEED, help=f"random seed (default {demo.SEED})"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=0)
        call_command(
            "synth",
            children=options["children"],
            seed=options["seed"],
            replace=True,
            # A few records the DfE's rules catch, so a return's failures can be followed.
            care_errors=True,
            # Outcomes (issue 23): the seeds' services, so the outcomes pages have cohorts.
            services=True,
            verbosity=verbosity,
            stdout=self.stdout,
        )
        made = demo.make_demo_users()
        # Information governance: a demo agreement, so the demo shows what sharing opens.
        from tandem.access.demo import demo_agreement_create, demo_requests_log
        from tandem.partners.models import Role

        ig_lead = next(u for _, u in made if u.role == Role.IG_LEAD)
        demo_agreement_create(ig_lead)
        demo_requests_log(ig_lead)
        # Casework: one case with a plan, so the work trays have something to show.
        from tandem.casework.demo import demo_case_create

        by_name = {spec.username: user for spec, user in made}
        demo_case_create(
            lead=by_name["demo-family-support"], partner_worker=by_name["demo-school-dsl"]
        )
        # Early identification (issue 5): the partners' extracts of these very children, loaded
        # and linked, so the worklist has flagged children and the README's example links them.
        from django.conf import settings

        from tandem.linkage.demo import demo_linkage

        linkage = demo_linkage(
            directory=settings.VAR_DIR / "demo-extracts", analyst=by_name["demo-analyst"]
        )
        # Planning (issue 24): a forecast, scenarios, budgets and capacity for the board's view.
        from tandem.planning.demo import demo_plans

        demo_plans(by_name["demo-analyst"])
        # Sign-in security (issue 4): a demo authenticator each, its code printed by `tandem otp`.
        from tandem.security.two_factor import demo_device_create

        for _, user in made:
            demo_device_create(user=user)
        console = Console(
            file=self.stdout, quiet=verbosity == 0, width=None if self.stdout.isatty() else 160
        )
        table = Table(title="Demo sign-ins (synthetic data only)")
        table.add_column("Username", no_wrap=True)
        for column in ("Role", "Team and partner", "What to try"):
            table.add_column(column)
        for spec, user in made:
            table.add_row(
                user.username, user.get_role_display(), demo.team_label(user), spec.try_this
            )
        console.print(table)
        console.print(f"Password for every demo sign-in: [bold]{demo.PASSWORD}[/bold]")
        if child := demo.emergency_example(made):
            console.print(f"Emergency access: sign in as demo-ae-nurse and ask for {child}.")
        loaded = ", ".join(f"{kind} ({rows:,} rows)" for kind, rows in linkage.loaded.items())
        console.print(
            f"The partners' extracts of these children are in {linkage.directory}; loaded and "
            f"linked: {loaded}, raising {linkage.flags:,} flags for the worklist."
        )
        console.print(
            "Each sign-in then asks for a 6-digit code from an authenticator app. For a demo "
            "sign-in, print the current code with [bold]tandem otp USERNAME[/bold] (for example "
            f"tandem otp {made[0][1].username}); a code lasts 30 seconds and works once."
        )
