from django.urls import path

from tandem.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.index, name="index"),
    path("board", views.board, name="board"),
    path("forecasts/new", views.forecast_new, name="forecast-new"),
    path("forecasts/<uuid:forecast_id>/", views.forecast, name="forecast"),
    path(
        "forecasts/<uuid:forecast_id>/<slug:table>.<slug:fmt>",
        views.forecast_download,
        name="forecast-download",
    ),
    path("forecasts/<uuid:forecast_id>/scenarios/new", views.scenario_new, name="scenario-new"),
    path(
        "forecasts/<uuid:forecast_id>/scenarios/evidence",
        views.scenario_evidence,
        name="scenario-evidence",
    ),
    path("scenarios/<uuid:scenario_id>", views.scenario, name="scenario"),
    path(
        "scenarios/<uuid:scenario_id>/<slug:table>.<slug:fmt>",
        views.scenario_download,
        name="scenario-download",
    ),
    path("budgets", views.budgets_page, name="budgets"),
    path("budgets/<slug:table>.<slug:fmt>", views.budgets_download, name="budgets-download"),
    path("budgets/streams/new", views.stream_new, name="stream-new"),
    path("budgets/new", views.budget_new, name="budget-new"),
    path("capacity", views.capacity_page, name="capacity"),
    path("capacity.<slug:fmt>", views.capacity_download, name="capacity-download"),
    path("capacity/new", views.capacity_new, name="capacity-new"),
]
