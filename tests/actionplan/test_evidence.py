"""Evidence files and comments on actions: checked, stored privately, audited, exported, erased;
bad uploads get a clear error and leave nothing behind."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from assessments import services
from assessments.actionplan import evidence as evidence_services
from assessments.actionplan import services as plan_services
from assessments.actionplan.models import ActionComment, Evidence
from portal.models import AuditLog
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def action(questionnaire, org_a, alice, consultant, private_files):
    org_a.consultant = consultant
    org_a.save()
    assessment = services.assessment_start(organization=org_a, user=alice).assessment
    fill(assessment, alice, {**COMPLETE, "chatgpt_data": "yes"})
    assessment = services.assessment_submit(assessment=assessment, user=alice)
    return assessment.actions.get(key="stop_free")


def _files(private_files):
    return [p for p in private_files.rglob("*") if p.is_file()]


def test_client_uploads_a_pdf_and_the_consultant_downloads_it(client, action, alice, consultant):
    client.force_login(alice)
    response = client.post(
        reverse("evidence_upload", args=[action.pk]),
        {"file": SimpleUploadedFile("AVV Microsoft.pdf", PDF, "application/pdf"), "note": "AVV"},
    )
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert (item.name, item.content_type, item.size, item.uploaded_by) == (
        "AVV Microsoft.pdf",
        "application/pdf",
        len(PDF),
        alice,
    )
    assert not item.file.name.startswith("media")
    client.force_login(consultant)
    download = client.get(reverse("evidence_download", args=[action.pk, item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert AuditLog.objects.filter(action="evidence.download", actor=consultant).exists()
    assert AuditLog.objects.filter(action="consultant.read.evidence", actor=consultant).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rechnung.exe", b"MZ\x90\x00", "Diese Datei können wir nicht annehmen"),
        (
            "getarnt.pdf",
            b"<html><script>alert(1)</script>",
            "Diese Datei können wir nicht annehmen",
        ),
        ("kaputt.docx", b"PK\x03\x04 not a zip", "Diese Datei können wir nicht annehmen"),
        ("leer.pdf", b"", "leer"),
    ],
)
def test_bad_uploads_get_a_clear_error_and_nothing_is_stored(
    client, action, alice, private_files, name, content, message
):
    client.force_login(alice)
    response = client.post(
        reverse("evidence_upload", args=[action.pk]),
        {"file": SimpleUploadedFile(name, content, "application/pdf")},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0 and _files(private_files) == []


@override_settings(EVIDENCE_MAX_BYTES=1000)
def test_too_large_upload_is_stopped_while_reading(client, action, alice, private_files):
    client.force_login(alice)
    response = client.post(
        reverse("evidence_upload", args=[action.pk]),
        {"file": SimpleUploadedFile("gross.pdf", PDF + b"x" * 5000, "application/pdf")},
    )
    assert response.status_code == 400
    assert "zu groß" in response.content.decode()
    assert Evidence.objects.count() == 0 and _files(private_files) == []


def test_file_is_removed_when_the_row_cannot_be_written(action, alice, private_files, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(evidence_services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        evidence_services.evidence_add(
            action=action, actor=alice, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert Evidence.objects.count() == 0 and _files(private_files) == []


def test_office_and_text_files_are_recognised_by_content():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
    docx = buffer.getvalue()
    assert evidence_services.sniff("Liste.docx", docx[:16], docx) is evidence_services.DOCX
    assert evidence_services.sniff("Liste.xlsx", docx[:16], docx) is None  # no xl/ part
    text = "Schulung, Teilnehmende: Müller".encode()
    assert evidence_services.sniff("liste.csv", text[:16], text) is evidence_services.TXT
    assert evidence_services.safe_name("../../etc/pass<wd>.pdf") == "pass_wd_.pdf"


def test_other_client_and_unassigned_consultant_get_404(client, action, alice, charlie):
    item = evidence_services.evidence_add(
        action=action, actor=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(charlie)
    for url in (
        reverse("action_detail", args=[action.pk]),
        reverse("evidence_download", args=[action.pk, item.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("evidence_upload", args=[action.pk]),
            {"file": SimpleUploadedFile("b.pdf", PDF)},
        ).status_code
        == 404
    )
    assert client.post(reverse("evidence_remove", args=[action.pk, item.pk])).status_code == 404
    assert (
        client.post(reverse("comment_create", args=[action.pk]), {"text": "x"}).status_code == 404
    )
    with override_settings(CONSULTANT_SCOPE="assigned"):
        from tests.factories import ConsultantFactory

        client.force_login(ConsultantFactory())
        assert (
            client.get(reverse("evidence_download", args=[action.pk, item.pk])).status_code == 404
        )
    assert Evidence.objects.count() == 1


def test_a_member_deletes_only_own_files(client, action, alice, bob, private_files, consultant):
    item = evidence_services.evidence_add(
        action=action, actor=alice, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(bob)
    assert client.post(reverse("evidence_remove", args=[action.pk, item.pk])).status_code == 403
    client.force_login(alice)
    response = client.post(reverse("evidence_remove", args=[action.pk, item.pk]))
    assert response.status_code == 302
    assert Evidence.objects.count() == 0


def test_comments_between_client_and_consultant(client, action, alice, consultant):
    client.force_login(alice)
    client.post(reverse("comment_create", args=[action.pk]), {"text": "Vertrag ist angefragt."})
    client.force_login(consultant)
    client.post(reverse("comment_create", args=[action.pk]), {"text": "Danke, bitte hochladen."})
    assert list(ActionComment.objects.values_list("author__email", flat=True)) == [
        alice.email,
        consultant.email,
    ]
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Vertrag ist angefragt." in page and "Danke, bitte hochladen." in page
    empty = client.post(reverse("comment_create", args=[action.pk]), {"text": "  "})
    assert empty.status_code == 400


def test_evidence_is_in_the_privacy_export_and_gone_after_erasure(action, alice, private_files):
    from portal.models import ErasureRequest
    from portal.privacy.erasure import organization_erase
    from portal.privacy.export import organization_export

    item = evidence_services.evidence_add(
        action=action, actor=alice, upload=SimpleUploadedFile("AVV.pdf", PDF)
    )
    plan_services.comment_add(action=action, actor=alice, text="Erledigt")
    archive = zipfile.ZipFile(
        io.BytesIO(organization_export(organization=action.assessment.organization))
    )
    names = archive.namelist()
    assert f"nachweise/{action.pk}/{item.pk}-AVV.pdf" in names
    assert archive.read(f"nachweise/{action.pk}/{item.pk}-AVV.pdf") == PDF
    assert "Erledigt" in archive.read("massnahmen/kommentare.json").decode()
    path = item.file.path
    assert os.path.exists(path)
    organization = action.assessment.organization
    request = ErasureRequest.objects.create(
        organization=organization, pseudonym="org-x", scheduled_for=organization.created_at
    )
    organization_erase(request=request)
    assert not os.path.exists(path)
    assert Evidence.objects.count() == 0
