"""`tandem check`: Django's checks plus the ones an installation of Tandem needs."""

import os
import sys

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@register(Tags.staticfiles)
def frontend_built(app_configs, **kwargs):
    built = settings.PROJECT_DIR / "build" / "static" / "css" / "app.css"
    if built.exists():
        return []
    return [Error("GOV.UK Frontend is not built", hint="Run `make install`", id="tandem.E001")]


@register(Tags.database, deploy=False)
def database_ready(app_configs, databases=None, **kwargs):
    # Only when asked (`tandem check --database default`): it needs a reachable database.
    # `tandem migrate` runs database checks too, before applying what this would warn about.
    if not databases or sys.argv[1:2] == ["migrate"]:
        return []
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database is the finding
        return [Error(f"Cannot reach the database: {exc}", id="tandem.E002")]
    if pending:
        return [
            Warning(
                f"{len(pending)} migrations not applied",
                hint="Run `tandem migrate`",
                id="tandem.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if os.environ.get("TANDEM_SECRET_KEY"):
        return []
    return [
        Warning(
            "TANDEM_SECRET_KEY is not set: a per-checkout key in var/ is used",
            hint="Set TANDEM_SECRET_KEY in production",
            id="tandem.W002",
        )
    ]
