from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "tandem.linkage"
    verbose_name = "Record linkage and early identification"
