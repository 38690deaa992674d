from django.urls import path, register_converter

from . import views


class FileFormat:
    regex = "docx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FileFormat, "fileformat")

DOC = "bewertungen/<uuid:assessment_id>/dokumente/<slug:kind>/"

urlpatterns = [
    path("bewertungen/<uuid:assessment_id>/dokumente/", views.documents, name="documents"),
    path(DOC, views.document_detail, name="document_detail"),
    path(DOC + "entwerfen/", views.document_draft, name="document_draft"),
    path(DOC + "bearbeiten/", views.document_edit, name="document_edit"),
    path(DOC + "fassungen/<int:number>/", views.document_version, name="document_version"),
    path(
        DOC + "fassungen/<int:number>/freigeben/",
        views.document_release,
        name="document_release",
    ),
    path(DOC + "fassungen/<int:number>/pdf/", views.document_pdf, name="document_pdf"),
    path(
        DOC + "fassungen/<int:number>/download.<fileformat:file_format>",
        views.document_download,
        name="document_download",
    ),
    path(
        "organisationen/<uuid:organization_id>/ki-kompetenz/",
        views.literacy_measures,
        name="literacy_measures",
    ),
    path(
        "organisationen/<uuid:organization_id>/ki-kompetenz.csv",
        views.literacy_csv,
        name="literacy_csv",
    ),
    path(
        "organisationen/<uuid:organization_id>/ki-kompetenz/<uuid:measure_id>/",
        views.literacy_measure_edit,
        name="literacy_measure_edit",
    ),
]
