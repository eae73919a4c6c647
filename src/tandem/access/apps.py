from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tandem.access"
    label = "access"

    def ready(self):
        from tandem.access import retention  # noqa: F401 - registers the destruction job
