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
        "bewertungen/<uuid:assessment_id>/massnahmen.xlsx",
        views.actionplan_xlsx,
        name="actionplan_xlsx",
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
    path("massnahmen/<uuid:action_id>/details/", views.action_detail, name="action_detail"),
    path("massnahmen/<uuid:action_id>/nachweise/", views.evidence_upload, name="evidence_upload"),
    path(
        "massnahmen/<uuid:action_id>/nachweise/<uuid:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "massnahmen/<uuid:action_id>/nachweise/<uuid:evidence_id>/loeschen/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path("massnahmen/<uuid:action_id>/kommentare/", views.comment_create, name="comment_create"),
]
