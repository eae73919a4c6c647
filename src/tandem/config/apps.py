from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "tandem.config"
    label = "tandem_config"
    verbose_name = "Tandem configuration"

    def ready(self) -> None:
        from tandem.config import checks  # noqa: F401 - registers the system checks
