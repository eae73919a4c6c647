"""The portal for young people and parents: its own pages under /my-plan/."""

from django.urls import path

from tandem.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("start", views.start, name="start"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("signed-out", views.signed_out, name="signed-out"),
]
