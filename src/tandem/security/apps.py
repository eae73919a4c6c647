from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in security (issue 4, item 8): the second factor (TOTP) and the acceptable-use
    notice every practitioner accepts before they see anything."""

    name = "tandem.security"
    label = "security"
