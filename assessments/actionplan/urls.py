from django.urls import path

from . import views

urlpatterns = [
    path("bewertungen/<uuid:assessment_id>/massnahmen/", views.actionplan, name="actionplan"),
    path(
        "bewertungen/<uuid:assessment_id>/massnahmen/neu/",
        views.action_create,
        name="action_create",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/massnahmen.csv",
        views.actionplan_csv,
        name="actionplan_csv",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/massnahmen.ics",
        views.actionplan_ics,
        name="actionplan_ics",
    ),
    path("massnahmen/<uuid:action_id>/", views.action_update, name="action_update"),
]
