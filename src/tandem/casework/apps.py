from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "tandem.casework"
    label = "casework"
