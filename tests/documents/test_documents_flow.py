"""Drafting, editing, releasing and downloading documents as a consultant and as a client; who
may see what."""

import io
import zipfile

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from docx import Document as WordDocument
from pypdf import PdfReader

from assessments.documents import services
from assessments.documents.models import Document, DocumentVersion
from portal.models import AuditLog

pytestmark = pytest.mark.django_db


def _url(name, assessment, kind="register", **extra):
    return reverse(name, kwargs={"assessment_id": assessment.pk, "kind": kind, **extra})


@pytest.fixture
def drafted(full_assessment, consultant):
    return services.document_draft(assessment=full_assessment, kind="register", actor=consultant)


def test_consultant_drafts_edits_and_every_save_is_a_version(client, full_assessment, consultant):
    client.force_login(consultant)
    response = client.post(_url("document_draft", full_assessment))
    assert response.status_code == 302
    document = Document.objects.get(assessment=full_assessment, kind="register")
    first = document.versions.get()
    assert first.number == 1 and first.author == consultant and first.legal_state
    response = client.post(
        _url("document_edit", full_assessment),
        {
            "body": first.body + "\nErgänzung der Beraterin.\n",
            "base_number": 1,
            "summary": "Ergänzt",
        },
    )
    assert response.status_code == 302
    second = document.versions.get(number=2)
    assert second.summary == "Ergänzt" and second.origin == "edit"
    assert second.facts == first.facts and second.legal_state == first.legal_state
    assert AuditLog.objects.filter(action="document.edit", actor=consultant).exists()
    page = client.get(_url("document_version", full_assessment, number=2))
    assert "Ergänzung der Beraterin." in page.content.decode()


def test_an_edit_based_on_an_older_version_is_refused_and_keeps_the_text(
    client, drafted, full_assessment, consultant
):
    services.document_edit(
        document=drafted.document, actor=consultant, body=drafted.body + "\nA\n", base_number=1
    )
    client.force_login(consultant)
    response = client.post(
        _url("document_edit", full_assessment),
        {"body": "Mein Text aus dem alten Stand", "base_number": 1},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Fassung 2 gespeichert" in body and "Mein Text aus dem alten Stand" in body
    assert drafted.document.versions.count() == 2


def test_client_sees_only_released_versions(
    client, drafted, full_assessment, alice, consultant, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert client.get(_url("document_detail", full_assessment)).status_code == 404
    listing = client.get(reverse("documents", args=[full_assessment.pk]))
    assert "KI-Register" not in listing.content.decode()
    services.document_edit(
        document=drafted.document,
        actor=consultant,
        body=drafted.body + "\nInterner Zusatz XYZ\n",
        base_number=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_release(document=drafted.document, version=drafted, actor=consultant)
    page = client.get(_url("document_detail", full_assessment))
    assert (
        page.status_code == 200 and "Interner Zusatz XYZ" not in page.content.decode()
    )  # v2 stays internal
    assert client.get(_url("document_version", full_assessment, number=1)).status_code == 404
    docx = client.get(_url("document_download", full_assessment, number=2, file_format="docx"))
    assert docx.status_code == 404
    assert mail.outbox and alice.email in mail.outbox[-1].to
    assert "&amp;" not in mail.outbox[-1].subject


def test_word_file_is_a_real_docx_with_headings_tables_and_legal_state(
    client, drafted, full_assessment, alice, consultant
):
    services.document_release(document=drafted.document, version=drafted, actor=consultant)
    client.force_login(alice)
    response = client.get(_url("document_download", full_assessment, number=1, file_format="docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="KI-Register_Alpha-Fensterbau-GmbH_Fassung-1.docx"'
        in response["Content-Disposition"]
    )
    word = WordDocument(
        io.BytesIO(
            b"".join(response.streaming_content if response.streaming else [response.content])
        )
    )
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Übersicht" in headings and "Quellen und Rechtsstand" in headings
    assert word.tables and word.tables[0].rows[0].cells[1].text == "Anwendungsfall"
    assert "Bewerbungen *vorsortieren* | Test" in word.tables[0].rows[1].cells[1].text
    assert "Rechtsstand" in word.paragraphs[1].text
    assert word.core_properties.language == "de-DE"
    assert AuditLog.objects.filter(action="document.download", actor=alice).exists()


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_release_renders_the_pdf_in_the_worker_and_client_downloads_it(
    client, drafted, full_assessment, alice, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.document_release(document=drafted.document, version=drafted, actor=consultant)
    drafted.refresh_from_db()
    assert drafted.pdf_status == DocumentVersion.PdfStatus.READY and drafted.pdf_file
    client.force_login(alice)
    response = client.get(_url("document_download", full_assessment, number=1, file_format="pdf"))
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "KI-Register" in text and "Rechtsstand" in text
    assert pdf.pages[0].mediabox.width > pdf.pages[0].mediabox.height  # registers: landscape


def test_english_documents_for_english_clients(full_assessment, consultant):
    full_assessment.organization.language = "en"
    full_assessment.organization.save()
    version = services.document_draft(assessment=full_assessment, kind="policy", actor=consultant)
    assert version.document.language == "en"
    assert "## 2. Approved and unapproved AI services" in version.body
    assert version.title == "AI use policy"


def test_other_client_gets_404_everywhere(client, drafted, full_assessment, charlie, consultant):
    services.document_release(document=drafted.document, version=drafted, actor=consultant)
    client.force_login(charlie)
    for url in (
        reverse("documents", args=[full_assessment.pk]),
        _url("document_detail", full_assessment),
        _url("document_download", full_assessment, number=1, file_format="docx"),
        _url("document_download", full_assessment, number=1, file_format="pdf"),
    ):
        assert client.get(url).status_code == 404, url


def test_clients_cannot_draft_edit_or_release(client, drafted, full_assessment, alice):
    client.force_login(alice)
    assert client.post(_url("document_draft", full_assessment)).status_code == 404
    assert (
        client.post(
            _url("document_edit", full_assessment), {"body": "x", "base_number": 1}
        ).status_code
        == 404
    )
    assert client.post(_url("document_release", full_assessment, number=1)).status_code == 404
    assert drafted.document.versions.count() == 1


@override_settings(CONSULTANT_SCOPE="assigned")
def test_assigned_scope_limits_consultants(client, drafted, full_assessment):
    from tests.factories import ConsultantFactory

    other = ConsultantFactory()
    client.force_login(other)
    assert client.get(_url("document_detail", full_assessment)).status_code == 404
    assert client.post(_url("document_draft", full_assessment, kind="policy")).status_code == 404


def test_consultant_reads_are_audited(client, drafted, full_assessment, consultant):
    client.force_login(consultant)
    client.get(_url("document_detail", full_assessment))
    entry = AuditLog.objects.filter(action="consultant.read.documents").latest("created_at")
    assert entry.organization_id == full_assessment.organization_id


def test_docx_helper_zip_is_valid(drafted):
    from assessments.documents.docx import version_docx

    data = version_docx(drafted, organization_name="Alpha", consultancy_name="Beratung")
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
