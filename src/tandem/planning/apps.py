from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tandem.planning"
    label = "planning"
    verbose_name = "Planning: demand forecast, scenarios, pooled budgets and capacity"

    def ready(self):
        from tandem.planning import jobs  # noqa: F401  (registers the forecast job)
