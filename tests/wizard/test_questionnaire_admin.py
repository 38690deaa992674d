"""Questionnaire versions: upload with clear errors, preview, publish (immutable), activate."""

import html
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.catalogue import default_catalogue_path
from assessments.models import QuestionnaireVersion
from tests.assessments.test_catalogue_schema import FIELDS_DE, FIELDS_EN, broken_fields

pytestmark = pytest.mark.django_db

WIZARD = Path(__file__).parent / "fixtures" / "wizard.yaml"


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    return client


def _upload(client, text: str):
    return client.post(
        reverse("admin:assessments_questionnaireversion_upload"),
        {"file": SimpleUploadedFile("katalog.yaml", text.encode(), "application/yaml")},
    )


def test_upload_valid_catalogue_creates_draft_and_shows_preview(admin_client):
    response = _upload(admin_client, WIZARD.read_text(encoding="utf-8"))

    version = QuestionnaireVersion.objects.get()
    assert version.status == "draft" and not version.is_active
    assert response["Location"] == reverse(
        "admin:assessments_questionnaireversion_preview", args=[version.pk]
    )
    preview = admin_client.get(response["Location"]).content.decode()
    assert "Welche KI-Dienste nutzen Sie?" in preview
    assert "Business-Tarif nutzen" in preview


def test_upload_with_errors_lists_them_and_stores_nothing(admin_client):
    broken = WIZARD.read_text(encoding="utf-8").replace(
        "show_if: {q: services, includes: chatgpt_free}",
        "show_if: {q: gibt_es_nicht, equals: 'yes'}",
    )

    response = _upload(admin_client, broken)

    assert response.status_code == 400
    body = response.content.decode()
    assert "gibt_es_nicht" in body
    assert "wurde nicht übernommen" in body
    assert not QuestionnaireVersion.objects.exists()


def test_same_version_twice_is_refused(admin_client):
    _upload(admin_client, WIZARD.read_text(encoding="utf-8"))
    response = _upload(admin_client, WIZARD.read_text(encoding="utf-8"))

    assert response.status_code == 400
    assert "gibt es schon; eine Änderung braucht eine neue Versionsnummer" in (
        response.content.decode()
    )
    assert QuestionnaireVersion.objects.count() == 1


def test_publish_and_activate_actions(admin_client):
    _upload(admin_client, WIZARD.read_text(encoding="utf-8"))
    version = QuestionnaireVersion.objects.get()
    changelist = reverse("admin:assessments_questionnaireversion_changelist")

    admin_client.post(changelist, {"action": "activate", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert not version.is_active  # a draft cannot be active

    admin_client.post(changelist, {"action": "publish", "_selected_action": [version.pk]})
    admin_client.post(changelist, {"action": "activate", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.status == "published" and version.is_active
    assert QuestionnaireVersion.objects.active() == version


def test_non_staff_cannot_reach_the_upload(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:assessments_questionnaireversion_upload"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_load_questionnaire_command_loads_the_shipped_catalogue(capsys):
    call_command("load_questionnaire", str(default_catalogue_path()), "--activate")

    version = QuestionnaireVersion.objects.active()
    assert version.key == "ki-readiness"
    assert sum(len(s["questions"]) for s in version.document["sections"]) >= 40
    assert "active" in capsys.readouterr().out


def test_load_questionnaire_command_reports_errors(tmp_path):
    bad = tmp_path / "kaputt.yaml"
    bad.write_text("schema: 1\nkey: x\n", encoding="utf-8")

    with pytest.raises(CommandError, match="is not a valid catalogue"):
        call_command("load_questionnaire", str(bad))
    assert not QuestionnaireVersion.objects.exists()


def _upload_in(client, text: str, language: str):
    return client.post(
        reverse("admin:assessments_questionnaireversion_upload"),
        {"file": SimpleUploadedFile("katalog.yaml", text.encode(), "application/yaml")},
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(
    ("language", "lead", "expected"),
    [
        ("de", "Die Datei hat 7 Fehler und wurde nicht übernommen", FIELDS_DE),
        ("en", "The file has 7 errors and was not imported", FIELDS_EN),
    ],
)
def test_admin_sees_every_error_of_the_file_at_once_in_their_language(
    admin_client, language, lead, expected
):
    text = yaml.safe_dump(broken_fields(), allow_unicode=True, sort_keys=False)

    response = _upload_in(admin_client, text, language)

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert lead in body
    for line in expected:
        assert f"<li><code>{line}</code></li>" in body
    assert not QuestionnaireVersion.objects.exists()


def test_preview_never_mixes_bootstrap_into_the_admin_layout(admin_client):
    response = _upload(admin_client, WIZARD.read_text(encoding="utf-8"))
    preview = admin_client.get(response["Location"]).content.decode()
    # The admin's sidebar and navigation break under Bootstrap's global styles: the preview is a
    # portal page (the client's view) with its way back into the admin.
    assert "bootstrap" in preview
    assert "admin/css/" not in preview and 'id="nav-sidebar"' not in preview
    assert reverse("admin:assessments_questionnaireversion_changelist") in preview
