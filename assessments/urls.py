from django.urls import include, path

from .history import views as history_views
from .reports import views as report_views
from .results import views
from .review import views as review_views

urlpatterns = [
    path("", include("assessments.questionnaire.urls")),
    path("bewertungen/<uuid:assessment_id>/", views.assessment_done, name="assessment_done"),
    path(
        "bewertungen/<uuid:assessment_id>/was-waere-wenn/",
        views.assessment_whatif,
        name="assessment_whatif",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/berichte/",
        report_views.reports_panel,
        name="reports_panel",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/berichte/neu/",
        report_views.report_request,
        name="report_request",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/notizen/neu/",
        report_views.note_create,
        name="note_create",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/status/",
        review_views.review_transition,
        name="review_transition",
    ),
    path(
        "organisationen/<uuid:organization_id>/vergleich/",
        history_views.assessment_compare,
        name="assessment_compare",
    ),
    path("", include("assessments.actionplan.urls")),
    path("", include("assessments.documents.urls")),
    path("", include("assessments.reminders.urls")),
    path("", include("assessments.worklist.urls")),
    path("", include("assessments.stress.urls")),
    path("berichte/<uuid:report_id>/pdf/", report_views.report_download, name="report_download"),
    path("berichte/<uuid:report_id>/erneut/", report_views.report_retry, name="report_retry"),
    path(
        "berichte/<uuid:report_id>/freigeben/",
        report_views.report_release,
        name="report_release",
    ),
]
