"""The `tandem` command: Django's management commands, with Tandem's own listed first."""

import os
import sys

COMMANDS = {
    "serve": "serve the web app and API (migrates first)",
    "synth": "build a synthetic partnership (children, families, referrals)",
    "demo": "build the demo partnership and print the demo sign-ins",
    "token": "create or revoke personal API tokens",
    "otp": "print a demo user's current sign-in code: tandem otp demo-social-worker",
    "link": "link partners' files: tandem link files A.csv B.csv --mapping map.toml --out DIR",
    "extract": "load a partner's extract into the database: tandem extract load FILE ...",
    "extracts": "write synthetic agency extracts with recording errors (truth kept aside)",
    "outcomes": "a service's outcomes and matched comparison: tandem outcomes show NAME --user U",
    "forecast": "the demand forecast: tandem forecast run --from D --to D --user U",
    "jobs": "what the background jobs are doing; recover or run again a dropped one",
    "db_worker": "run the background worker (`tandem serve` starts one)",
    "check": "check the installation and configuration",
    "migrate": "create or update the database tables",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help", "help") and len(args) == 1:
        print("usage: tandem COMMAND [options]   (tandem COMMAND --help for each)\n")
        for name, text in COMMANDS.items():
            print(f"  {name:<10} {text}")
        print("\nAny other Django management command works too (tandem help --commands).")
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem", *args])


if __name__ == "__main__":
    main()
