"""GDPR self-service: export, erasure with grace period, audit of consultants' reads, retention."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, ConsultantNote, Report
from assessments.questionnaire.services import answer_save
from portal.auditlog import audit_record
from portal.models import AuditLog, ErasureRequest, Membership, Organization, User, UserSession
from portal.tasks import privacy_daily
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

SENTINEL = "zqxsentinel7"


def _submitted(organization, user, use_case_name="Angebote schreiben"):
    assessment = assessment_services.assessment_start(organization=organization, user=user)
    assessment = assessment.assessment
    fill(
        assessment,
        user,
        {**COMPLETE, "use_cases": [{"name": use_case_name, "area": "hr"}]},
    )
    return assessment_services.assessment_submit(assessment=assessment, user=user)


def _report(assessment, content: bytes, *, released=True) -> Report:
    report = Report.objects.create(
        assessment=assessment, status=Report.Status.READY, released=released
    )
    report.file.save(f"reports/{report.pk}.pdf", ContentFile(content))
    return report


@pytest.fixture
def filled(questionnaire, org_a, alice, consultant, private_storage):
    assessment = _submitted(org_a, alice)
    ConsultantNote.objects.create(assessment=assessment, title="Für Sie", text="Geteilt")
    ConsultantNote.objects.create(
        assessment=assessment, kind="internal", title="Intern", text="Nur für uns"
    )
    _report(assessment, b"%PDF-1.7 freigegeben")
    _report(assessment, b"%PDF-1.7 noch intern", released=False)
    return assessment


def test_owner_downloads_everything_as_zip_of_json_and_csv(client, alice, org_a, filled):
    client.force_login(alice)

    response = client.get(reverse("organization_export", args=[org_a.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert "organisation.json" in names and "mitglieder.csv" in names
    assert json.loads(archive.read("organisation.json"))["name"] == org_a.name
    folder = next(n for n in names if n.endswith("antworten.json")).rsplit("/", 1)[0]
    answers = json.loads(archive.read(f"{folder}/antworten.json"))
    assert {"question": "staff", "value": 12} in [
        {"question": a["question"], "value": a["value"]} for a in answers
    ]
    assert json.loads(archive.read(f"{folder}/ergebnisse.json"))[0]["readiness"] >= 0
    notes = archive.read(f"{folder}/notizen.json").decode()
    assert "Geteilt" in notes and "Nur für uns" not in notes
    pdfs = [archive.read(n) for n in names if n.endswith(".pdf")]
    assert pdfs == [b"%PDF-1.7 freigegeben"]
    assert "Angebote schreiben" in archive.read(f"{folder}/antworten.csv").decode("utf-8-sig")
    assert AuditLog.objects.filter(action="organization.export", actor=alice).exists()


def test_member_cannot_export_or_erase_and_other_owner_gets_404(client, bob, charlie, org_a):
    client.force_login(bob)
    member = client.get(reverse("organization_export", args=[org_a.pk]))
    client.force_login(charlie)
    other = client.get(reverse("organization_export", args=[org_a.pk]))
    other_privacy = client.post(
        reverse("organization_privacy", args=[org_a.pk]), {"confirm_name": org_a.name}
    )

    assert member.status_code == 403
    assert (other.status_code, other_privacy.status_code) == (404, 404)
    assert not ErasureRequest.objects.exists()


def test_erasure_needs_the_company_name_then_waits_and_can_be_cancelled(
    client, alice, org_a, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.ERASURE_GRACE_DAYS = 14
    client.force_login(alice)
    url = reverse("organization_privacy", args=[org_a.pk])

    wrong = client.post(url, {"confirm_name": "irgendwas"})
    with django_capture_on_commit_callbacks(execute=True):
        right = client.post(url, {"confirm_name": org_a.name})
    request = ErasureRequest.objects.get()
    privacy_daily()  # nothing due yet
    client.post(url, {"action": "cancel"})

    assert wrong.status_code == 400
    assert right.status_code == 302
    assert (request.scheduled_for - timezone.now()).days in (13, 14)
    assert Organization.objects.filter(pk=org_a.pk).exists()
    assert [m.to for m in mailoutbox] == [[alice.email]]
    request.refresh_from_db()
    assert request.cancelled_at is not None


def test_owners_are_reminded_once_before_the_erasure(alice, org_a, mailoutbox, settings):
    from portal.privacy.erasure import erasure_request

    settings.ERASURE_REMINDER_DAYS = 3
    request = erasure_request(organization=org_a, user=alice)
    ErasureRequest.objects.filter(pk=request.pk).update(
        scheduled_for=timezone.now() + timezone.timedelta(days=2)
    )

    privacy_daily()
    privacy_daily()

    reminders = [m for m in mailoutbox if "Erinnerung" in m.subject]
    assert len(reminders) == 1
    assert Organization.objects.filter(pk=org_a.pk).exists()


def test_erasure_leaves_the_sentinel_nowhere(
    questionnaire,
    consultant,
    org_b,
    charlie,
    private_storage,
    settings,
):
    organization = Organization.objects.create(
        name=f"Firma {SENTINEL} GmbH", industry="craft", size_band="small", consultant=consultant
    )
    owner = UserFactory(email=f"{SENTINEL}@firma.example", first_name=SENTINEL, last_name=SENTINEL)
    colleague = UserFactory(email=f"kollege.{SENTINEL}@firma.example", last_name=SENTINEL)
    MembershipFactory(user=owner, organization=organization, role="owner")
    MembershipFactory(user=colleague, organization=organization, role="member")
    # A member who also belongs to another client keeps the account (without the sentinel).
    shared = UserFactory(email="geteilt@beta.example")
    MembershipFactory(user=shared, organization=organization)
    MembershipFactory(user=shared, organization=org_b)
    InvitationFactory(organization=organization, email=f"neu.{SENTINEL}@firma.example")
    assessment = _submitted(organization, owner, use_case_name=f"Texte {SENTINEL}")
    draft = assessment_services.assessment_start(organization=organization, user=colleague)
    answer_save(
        assessment=draft.assessment,
        user=colleague,
        question_key="use_cases",
        value=[{"name": f"Entwurf {SENTINEL}", "area": "hr"}],
    )
    ConsultantNote.objects.create(
        assessment=assessment, title=f"Notiz {SENTINEL}", text=SENTINEL, kind="internal"
    )
    report = _report(assessment, f"%PDF-1.7 {SENTINEL}".encode())
    audit_record(action="test.plant", actor=owner, organization=organization, target=SENTINEL)
    audit_record(action="test.plant", actor=consultant, target=f"{SENTINEL}@firma.example")
    LogEntry.objects.create(
        user=consultant,
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=str(organization.pk),
        object_repr=organization.name,
        action_flag=ADDITION,
        change_message=SENTINEL,
    )
    browser = Client(HTTP_USER_AGENT=f"Browser {SENTINEL}")
    browser.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    browser.post(reverse("login"), {"username": colleague.email, "password": "falsch-falsch"})
    consultant_client = Client()
    consultant_client.force_login(consultant)
    consultant_client.get(reverse("assessment_done", args=[assessment.pk]))
    assert _rows_with(SENTINEL), "the sentinel was not planted"

    from portal.privacy.erasure import erasure_request

    request = erasure_request(organization=organization, user=owner)
    ErasureRequest.objects.filter(pk=request.pk).update(scheduled_for=timezone.now())
    privacy_daily()

    assert _rows_with(SENTINEL) == []
    files = [p for p in private_storage.rglob("*") if p.is_file()]
    assert all(SENTINEL.encode() not in p.read_bytes() for p in files)
    assert not report.file.storage.exists(report.file.name)
    assert User.objects.filter(pk=shared.pk).exists()
    assert User.objects.filter(pk=consultant.pk).exists()
    assert Membership.objects.filter(user=shared, organization=org_b).exists()
    assert not User.objects.filter(pk__in=[owner.pk, colleague.pk]).exists()
    assert AuditLog.objects.filter(action="test.plant", target=request.pseudonym).count() == 2
    assert browser.get(reverse("home")).status_code == 302  # the session is gone too


def _rows_with(needle: str) -> list[str]:
    hits = []
    for model in apps.get_models():
        for row in model._base_manager.values():
            if needle in json.dumps(row, default=str).lower():
                hits.append(f"{model._meta.label}: {row}")
    return hits


def test_consultant_reads_are_audited_and_client_reads_are_not(client, consultant, alice, filled):
    client.force_login(consultant)
    client.get(reverse("assessment_done", args=[filled.pk]))
    client.get(reverse("assessment_review", args=[filled.pk]))
    client.force_login(alice)
    client.get(reverse("assessment_done", args=[filled.pk]))

    reads = AuditLog.objects.filter(action__startswith="consultant.read")
    assert sorted(reads.values_list("action", flat=True)) == [
        "consultant.read.answers",
        "consultant.read.results",
    ]
    assert all(r.actor == consultant and r.organization_id == filled.organization_id for r in reads)


def test_audit_log_is_append_only_in_the_admin_and_filterable(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    entry = audit_record(action="test.entry", target="x")
    client.force_login(admin)

    changelist = client.get(reverse("admin:portal_auditlog_changelist") + "?actor_kind=none")
    delete = client.post(reverse("admin:portal_auditlog_delete", args=[entry.pk]), {"post": "yes"})
    change = client.post(reverse("admin:portal_auditlog_change", args=[entry.pk]), {"target": "y"})

    assert changelist.status_code == 200 and "test.entry" in changelist.content.decode()
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.target == "x"
    assert change.status_code in (302, 403)


def test_retention_removes_old_audit_sessions_and_drafts(alice, org_a, questionnaire, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    settings.SESSION_RETENTION_DAYS = 30
    settings.DRAFT_RETENTION_DAYS = 60
    long_ago = timezone.now() - timezone.timedelta(days=400)
    old = AuditLog.objects.create(action="test.old", created_at=long_ago)
    recent = audit_record(action="test.recent")
    UserSession.objects.create(user=alice, session_key="alt", last_seen_at=long_ago)
    stale = assessment_services.assessment_start(organization=org_a, user=alice).assessment
    Assessment.objects.filter(pk=stale.pk).update(created_at=long_ago)

    counts = privacy_daily()

    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=recent.pk).exists()
    assert not UserSession.objects.filter(session_key="alt").exists()
    assert not Assessment.objects.filter(pk=stale.pk).exists()
    assert counts["drafts"] >= 1


def test_privacy_page_states_the_retention_periods(client, settings):
    settings.AUDIT_RETENTION_DAYS = 731
    settings.DRAFT_RETENTION_DAYS = 366

    body = client.get(reverse("privacy")).content.decode()

    assert "731 Tage" in body and "366 Tage" in body


def test_privacy_page_explains_the_device_cookie(client, settings):
    settings.DEVICE_COOKIE_DAYS = 200

    body = client.get(reverse("privacy")).content.decode()

    assert "Cookie für 200 Tage, bei welchen Konten er schon angemeldet war" in body
