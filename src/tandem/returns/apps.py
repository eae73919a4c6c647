from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "tandem.returns"
    label = "returns"
    verbose_name = "Statutory returns (SSDA903, Children in Need census)"

    def ready(self) -> None:
        from tandem.returns import jobs  # noqa: F401 - registers the job kinds
