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
    path("services/<uuid:service_id>/value", views.value, name="value"),
    path("services/<uuid:service_id>/value.pdf", views.value_pdf, name="value-pdf"),
    path("frameworks/<slug:code>", views.framework_page, name="framework"),
    path("unit-costs", views.unit_costs, name="unit-costs"),
    # A section of the child's record
    path("children/<uuid:child_id>/services", views.child_services, name="child"),
    path("children/<uuid:child_id>/services/new", views.spell_new, name="spell-new"),
    path(
        "children/<uuid:child_id>/services/<uuid:spell_id>/end", views.spell_end, name="spell-end"
    ),
    path("children/<uuid:child_id>/sdq/new", views.sdq_new, name="sdq-new"),
    path("children/<uuid:child_id>/star/new", views.star_new, name="star-new"),
]
