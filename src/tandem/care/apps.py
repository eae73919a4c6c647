from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "tandem.care"
    label = "care"
    verbose_name = "Children looked after and care leavers"
