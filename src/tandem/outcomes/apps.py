from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "tandem.outcomes"
    label = "outcomes"
    verbose_name = "Services, outcomes and value for money"
