"""django-otp registers its devices in the admin, where a system administrator could read a
practitioner's secret (and so make their codes). Tandem takes that page away: an administrator
only removes a lost authenticator (`two_factor.device_remove`), and the practitioner sets up a
new one at their next sign-in."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
