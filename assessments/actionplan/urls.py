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
    path(
        "bewertungen/<uuid:assessment_id>/massnahmen/kalender/",
        views.calendar_subscribe,
        name="calendar_subscribe",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/massnahmen/kalender/widerrufen/",
        views.calendar_revoke,
        name="calendar_revoke",
    ),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("massnahmen/<uuid:action_id>/", views.action_update, name="action_update"),
]
