from django.urls import path

from tandem.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.services, name="services"),
    path("services/<uuid:service_id>/", views.service, name="service"),
    path("services/<uuid:service_id>/comparison", views.comparison, name="comparison"),
    path(
        "services/<uuid:service_id>/outcomes/<slug:outcome>/children",
        views.children,
        name="children",
    ),
    path("frameworks/<slug:code>", views.framework_page, name="framework"),
]
