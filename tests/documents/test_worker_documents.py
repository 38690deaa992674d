"""A released document's PDF is rendered by a real Celery worker process (real Redis and
PostgreSQL, like the reports: see tests/reports/worker_harness.py)."""

import io

import pypdf
import pytest
from django.db import transaction

from assessments.documents import services
from assessments.documents.models import DocumentVersion
from tests.reports.worker_harness import _wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_released_document_gets_its_pdf_from_the_worker(
    full_assessment, consultant, storage_dir, start_worker
):
    worker = start_worker()
    version = services.document_draft(assessment=full_assessment, kind="register", actor=consultant)
    with transaction.atomic():  # on_commit sends the task, as in the view
        services.document_release(document=version.document, version=version, actor=consultant)

    def ready():
        row = DocumentVersion.objects.get(pk=version.pk)
        return row if row.pdf_status == DocumentVersion.PdfStatus.READY else None

    row = _wait_for(ready, what="the document PDF", workers=[worker])
    data = (storage_dir / row.pdf_file.name).read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "KI-Register" in text and "Alpha Fensterbau GmbH" in text and "Rechtsstand" in text
    assert row.pdf_file.name == f"documents/{version.pk}.pdf"
    assert not [p for p in (storage_dir / "documents").iterdir() if p.name.endswith(".part")]
