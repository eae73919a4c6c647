from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def _cache_table(*, app_config, using, **kwargs) -> None:
    # post_migrate comes once per app with models (this one has none): act on one of them.
    if app_config.label == "partners":
        call_command("createcachetable", database=using, verbosity=0)


class ConfigConfig(AppConfig):
    name = "tandem.config"
    label = "tandem_config"
    verbose_name = "Tandem configuration"

    def ready(self) -> None:
        from tandem.config import checks  # noqa: F401 - registers the system checks

        # The cache lives in the database (see settings.CACHES): `tandem migrate` makes its table.
        post_migrate.connect(_cache_table, dispatch_uid="tandem-cache-table")
