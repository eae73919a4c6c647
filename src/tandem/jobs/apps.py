from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tandem.jobs"
    verbose_name = "Background jobs"
