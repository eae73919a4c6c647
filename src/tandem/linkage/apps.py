from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "tandem.linkage"
    verbose_name = "Record linkage and early identification"

    def ready(self) -> None:
        from tandem.linkage import ingest, linking  # noqa: F401 - registers the job kinds
