from django.contrib import admin
from django.urls import include, path

from tandem.config.api import api

admin.site.site_header = "Tandem administration"
admin.site.site_title = "Tandem administration"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("my-plan/", include("tandem.portal.urls")),  # the child and family portal (issue 6)
    path("outcomes/", include("tandem.outcomes.urls")),  # outcomes and value for money (23)
    path("planning/", include("tandem.planning.urls")),  # forecast, budgets, capacity (24)
    path("", include("tandem.web.urls")),
]

handler500 = "tandem.config.errors.server_error"
