from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tandem.portal"
    label = "portal"
