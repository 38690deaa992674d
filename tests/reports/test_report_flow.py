import io
import os
import time

import pypdf
import pytest
from django.urls import reverse

from assessments.models import ConsultantNote, Report
from assessments.reports import services as report_services
from assessments.tasks import render_report
from portal.models import AuditLog
from tests.reports.conftest import ready_report

pytestmark = pytest.mark.django_db


def _pdf_text(report: Report) -> str:
    with report.file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_consultant_requests_report_and_it_becomes_ready(
    client, consultant, submitted, private_storage, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_request", args=[submitted.pk]))

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.READY
    assert report.file.name == f"reports/{report.pk}.pdf"
    assert (private_storage / report.file.name).exists()
    assert len(report.sha256) == 64 and report.size > 10_000 and report.pages >= 5
    text = _pdf_text(report)
    result = submitted.result
    assert "Alpha Fensterbau GmbH" in text
    for score in (result.lock_in, result.gdpr, result.ai_act, result.continuity, result.governance):
        assert str(score) in text
    first = result.scorecard().recommendations[0].title["de"]
    assert first in text
    assert "Seite 1 von" in text or "Seite 2 von" in text
    assert any("Bericht fertig" in mail.subject for mail in mailoutbox)


def test_task_is_idempotent(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    first_hash = report.sha256

    assert render_report.apply(args=[str(report.pk)]).get() == "skipped"
    report.refresh_from_db()
    assert (report.status, report.sha256, report.attempts) == ("ready", first_hash, 1)
    assert len(list(private_storage.joinpath("reports").iterdir())) == 1


def test_client_sees_report_only_after_release(
    client,
    alice,
    consultant,
    charlie,
    submitted,
    private_storage,
    django_capture_on_commit_callbacks,
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    url = reverse("report_download", args=[report.pk])

    client.force_login(alice)
    assert client.get(url).status_code == 404
    assert (
        "PDF herunterladen"
        not in client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    )

    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("report_release", args=[report.pk])).status_code == 302

    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "KI-Risikobericht_Alpha-Fensterbau-GmbH_" in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditLog.objects.filter(
        action="report.download", actor=alice, target=str(report.pk)
    ).exists()

    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_client_cannot_request_or_release(
    client, alice, submitted, consultant, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    client.force_login(alice)

    assert client.post(reverse("report_request", args=[submitted.pk])).status_code == 403
    assert client.post(reverse("report_release", args=[report.pk])).status_code == 404
    assert (
        client.post(
            reverse("note_create", args=[submitted.pk]),
            {"kind": "note", "title": "x", "text": "y", "priority": 2},
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert not report.released


def test_anonymous_download_goes_to_login(
    client, consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    response = client.get(reverse("report_download", args=[report.pk]))
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]


def test_hostile_text_is_printed_literally_and_fetches_nothing(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks, monkeypatch
):
    hostile = (
        '<b>Fett</b><img src="http://evil.example/x.png"><link rel="stylesheet" '
        'href="http://evil.example/x.css"><style>body{background:url(file:///etc/passwd)}</style>'
    )
    organization = submitted.organization
    organization.name = "ACME " + hostile
    organization.save()
    ConsultantNote.objects.create(assessment=submitted, title="Hinweis " + hostile, text=hostile)
    from assessments.reports import pdf, render

    seen = {}
    original = pdf.html_to_pdf

    def spy(html, **kwargs):
        result = original(html, **kwargs)
        seen["result"] = result
        return result

    monkeypatch.setattr(render, "html_to_pdf", spy)
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)

    assert report.status == "ready"
    result = seen["result"]
    assert result.refused == ()
    assert all(url.startswith("file://") and "/static/" in url for url in result.fetched)
    text = _pdf_text(report).replace("\n", "")
    assert 'src="http://evil.example/x.png"' in text
    assert "url(file:///etc/passwd)" in text
    assert "root:x:0:0" not in text


def test_render_error_is_recorded_and_retry_requeues(
    client, consultant, submitted, private_storage, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments.reports import render

    monkeypatch.setattr(
        render, "report_html", lambda report: (_ for _ in ()).throw(ValueError("Vorlage kaputt"))
    )
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    assert report.status == "failed"
    assert "Vorlage kaputt" in report.last_error

    monkeypatch.undo()
    client.force_login(consultant)
    page = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert "Erneut versuchen" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("report_retry", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "ready"


def test_broker_down_keeps_report_queued_for_the_sweep(
    consultant,
    submitted,
    private_storage,
    django_capture_on_commit_callbacks,
    monkeypatch,
    settings,
):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_report, "delay", refuse)
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    assert report.status == "queued"

    monkeypatch.undo()
    settings.REPORT_STALE_SECONDS = 0
    from django.utils import timezone

    outcome = report_services.reports_sweep(
        now=timezone.now() + report_services.stale_after() + timezone.timedelta(seconds=1)
    )
    assert outcome["requeued"] == 1
    report.refresh_from_db()
    assert report.status == "ready"


def test_sweep_deletes_superseded_and_orphaned_files(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    first = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    second = ready_report(submitted, consultant, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.superseded and not second.superseded
    orphan = private_storage / "reports" / "verwaist.pdf"
    orphan.write_bytes(b"%PDF-1.7")
    hour_ago = time.time() - 3601
    os.utime(orphan, (hour_ago, hour_ago))
    # A file that is just being published (row not committed yet) is younger than the grace age.
    fresh = private_storage / "reports" / "gerade-fertig.pdf"
    fresh.write_bytes(b"%PDF-1.7")

    outcome = report_services.reports_sweep()

    assert outcome["files_removed"] == 2
    assert sorted(p.name for p in (private_storage / "reports").iterdir()) == sorted(
        [f"{second.pk}.pdf", "gerade-fertig.pdf"]
    )


def test_report_in_english_for_english_organisation(
    consultant, submitted, private_storage, django_capture_on_commit_callbacks
):
    submitted.organization.language = "en"
    submitted.organization.save()
    report = ready_report(submitted, consultant, django_capture_on_commit_callbacks)

    text = _pdf_text(report)
    assert "Page 1 of" in text or "Page 2 of" in text
    assert "Action plan" in text


def test_consultant_notes_are_listed_for_consultants_only(client, consultant, alice, submitted):
    client.force_login(consultant)
    client.post(
        reverse("note_create", args=[submitted.pk]),
        {"kind": "internal", "title": "Budget knapp", "text": "Nur intern.", "priority": 2},
    )
    assert (
        "Budget knapp"
        in client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    )

    client.force_login(alice)
    assert (
        "Budget knapp"
        not in client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    )


def test_note_with_bad_input_is_refused_with_message(client, consultant, submitted):
    client.force_login(consultant)
    response = client.post(
        reverse("note_create", args=[submitted.pk]),
        {"kind": "note", "title": "", "text": "x", "priority": 9},
        follow=True,
    )
    assert "Nicht gespeichert" in response.content.decode()
    assert not ConsultantNote.objects.exists()
