from django.urls import path

from . import views

urlpatterns = [
    path(
        "organisationen/<uuid:organization_id>/bewertungen/neu/",
        views.assessment_start,
        name="assessment_start",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/abschnitt/<slug:section_key>/",
        views.assessment_section,
        name="assessment_section",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/antworten/<slug:question_key>/",
        views.answer_save,
        name="answer_save",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/antworten/<slug:question_key>/zeile/",
        views.repeat_row_add,
        name="repeat_row_add",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/pruefen/",
        views.assessment_review,
        name="assessment_review",
    ),
    path(
        "bewertungen/<uuid:assessment_id>/absenden/",
        views.assessment_submit,
        name="assessment_submit",
    ),
]
