"""Every client is looked after: scope, claim, assign, and the e-mails that announce news."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments import services as assessment_services
from portal.models import AuditLog, Organization
from tests.factories import ConsultantFactory, OrganizationFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_consultant(db):
    return ConsultantFactory(email="otto@beratung.example", first_name="Otto")


@pytest.fixture
def lead(db):
    return ConsultantFactory(
        email="lea@beratung.example", first_name="Lea", is_lead_consultant=True
    )


@pytest.fixture
def assigned_scope(settings):
    settings.CONSULTANT_SCOPE = "assigned"


def _submit(organization, user):
    assessment = assessment_services.assessment_start(
        organization=organization, user=user
    ).assessment
    fill(assessment, user, COMPLETE)
    return assessment_services.assessment_submit(assessment=assessment, user=user)


# --- CONSULTANT_SCOPE ---------------------------------------------------------------------------


def test_scope_all_lets_every_consultant_see_every_client(
    consultant, org_a, org_b, other_consultant
):
    org_a.consultant = other_consultant
    org_a.save()
    assert set(Organization.objects.visible_to(consultant)) == {org_a, org_b}


def test_scope_assigned_limits_consultants_to_their_clients(
    assigned_scope, client, consultant, other_consultant, org_a, org_b, alice
):
    org_a.consultant = other_consultant
    org_a.save()
    org_b.consultant = consultant
    org_b.save()

    assert list(Organization.objects.visible_to(consultant)) == [org_b]
    client.force_login(consultant)
    assert client.get(reverse("organization_detail", args=[org_a.pk])).status_code == 404
    assert client.get(reverse("organization_detail", args=[org_b.pk])).status_code == 200
    dashboard = client.get(reverse("consultant_dashboard")).content.decode()
    assert org_b.name in dashboard and org_a.name not in dashboard


def test_scope_assigned_hides_assessments_and_reports_of_other_clients(
    assigned_scope, client, questionnaire, consultant, other_consultant, org_a, alice
):
    org_a.consultant = other_consultant
    org_a.save()
    assessment = _submit(org_a, alice)
    client.force_login(consultant)

    assert client.get(reverse("assessment_done", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("actionplan", args=[assessment.pk])).status_code == 404
    response = client.post(
        reverse("review_transition", args=[assessment.pk]), {"to_state": "in_review"}
    )
    assert response.status_code == 404
    client.force_login(other_consultant)
    assert client.get(reverse("assessment_done", args=[assessment.pk])).status_code == 200


def test_scope_assigned_still_shows_everything_to_leads_and_admins(
    assigned_scope, lead, org_a, org_b, other_consultant
):
    admin = ConsultantFactory(is_superuser=True, is_staff=True)
    org_a.consultant = other_consultant
    org_a.save()
    assert set(Organization.objects.visible_to(lead)) == {org_a, org_b}
    assert set(Organization.objects.visible_to(admin)) == {org_a, org_b}


def test_bad_scope_setting_fails_loudly():
    from tests.portal.test_settings import _manage

    result = _manage("check", env={"CONSULTANT_SCOPE": "some"})

    assert result.returncode != 0
    assert "CONSULTANT_SCOPE='some' must be 'all' or 'assigned'" in result.stderr


# --- claim and assign -------------------------------------------------------------------------


def test_consultant_claims_unassigned_client(client, consultant, org_a):
    client.force_login(consultant)
    listing = client.get(reverse("clients_unassigned")).content.decode()
    assert org_a.name in listing

    response = client.post(reverse("organization_claim", args=[org_a.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("organization_detail", args=[org_a.pk])
    org_a.refresh_from_db()
    assert org_a.consultant == consultant and org_a.assigned_at is not None
    assert AuditLog.objects.filter(action="organization.claim", organization=org_a).exists()
    listing = client.get(reverse("clients_unassigned")).content.decode()
    assert f'data-organization="{org_a.name}"' not in listing


def test_unassigned_clients_page_a_page_at_a_time(client, consultant, monkeypatch):
    """A chamber has thousands of unassigned clients: the list pages (newest first) and says
    how many there are; each page reads a constant number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.clients import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    OrganizationFactory.create_batch(4, consultant=consultant)  # assigned: never listed
    names = [f"Neukunde {number} GmbH" for number in range(5)]
    for name in names:
        OrganizationFactory(name=name, consultant=None)
    client.force_login(consultant)

    first = client.get(reverse("clients_unassigned")).content.decode()
    assert "5 Kunden ohne Berater/in" in first and "Seite 1 von 3" in first
    assert names[4] in first and names[3] in first and names[2] not in first  # newest first
    assert 'href="?page=2" rel="next"' in first
    last = client.get(reverse("clients_unassigned"), {"page": 3}).content.decode()
    assert names[0] in last and names[1] not in last and "Seite 3 von 3" in last
    assert 'href="?page=2" rel="prev"' in last
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("clients_unassigned"))
    few = len(queries)
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("clients_unassigned"))
    assert len(queries) == few  # five rows, each with the consultants' select: no query per row
    # a page out of range shows the last one, a bad one the first
    assert names[0] in client.get(reverse("clients_unassigned"), {"page": 99}).content.decode()
    assert client.get(reverse("clients_unassigned"), {"page": "x"}).status_code == 200


def test_claim_under_assigned_scope_opens_the_client(assigned_scope, client, consultant, org_a):
    client.force_login(consultant)
    assert client.get(reverse("organization_detail", args=[org_a.pk])).status_code == 404
    client.post(reverse("organization_claim", args=[org_a.pk]))
    assert client.get(reverse("organization_detail", args=[org_a.pk])).status_code == 200


def test_second_claim_does_not_take_a_client_away(client, consultant, other_consultant, org_a):
    org_a.consultant = other_consultant
    org_a.save()
    client.force_login(consultant)

    response = client.post(reverse("organization_claim", args=[org_a.pk]), follow=True)

    org_a.refresh_from_db()
    assert org_a.consultant == other_consultant
    assert "wird bereits von Otto" in response.content.decode()


def test_lead_assigns_client_and_assignee_is_told(
    client, lead, consultant, org_a, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organization_assign", args=[org_a.pk]), {"consultant": consultant.pk}
        )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.consultant == consultant
    assert [m.to for m in mail.outbox] == [[consultant.email]]
    assert "Alpha Fensterbau" in mail.outbox[0].subject


def test_lead_can_unassign(client, lead, consultant, org_a):
    org_a.consultant = consultant
    org_a.save()
    client.force_login(lead)
    client.post(reverse("organization_assign", args=[org_a.pk]), {"consultant": ""})
    org_a.refresh_from_db()
    assert org_a.consultant is None and org_a.assigned_at is None


def test_assign_rejects_non_consultant(client, lead, org_a, alice):
    client.force_login(lead)
    client.post(reverse("organization_assign", args=[org_a.pk]), {"consultant": alice.pk})
    org_a.refresh_from_db()
    assert org_a.consultant is None


def test_plain_consultant_cannot_assign(client, consultant, other_consultant, org_a):
    client.force_login(consultant)
    response = client.post(
        reverse("organization_assign", args=[org_a.pk]), {"consultant": other_consultant.pk}
    )
    assert response.status_code == 404
    org_a.refresh_from_db()
    assert org_a.consultant is None


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("clients_unassigned", "get"),
        ("clients_unassigned", "post"),
        ("organization_claim", "post"),
        ("organization_assign", "post"),
    ],
)
def test_clients_get_404_on_consultant_urls(client, alice, org_a, name, method):
    client.force_login(alice)
    args = [] if name == "clients_unassigned" else [org_a.pk]
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 404
    org_a.refresh_from_db()
    assert org_a.consultant is None


def test_anonymous_is_sent_to_login(client, org_a):
    response = client.post(reverse("organization_claim", args=[org_a.pk]))
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]


def test_claim_of_unknown_client_is_404(client, consultant):
    import uuid

    client.force_login(consultant)
    assert client.post(reverse("organization_claim", args=[uuid.uuid4()])).status_code == 404


def test_consultant_opts_in_to_new_client_mails(client, consultant):
    client.force_login(consultant)
    client.post(reverse("clients_unassigned"), {"notify_new_clients": "1"})
    consultant.refresh_from_db()
    assert consultant.notify_new_clients
    client.post(reverse("clients_unassigned"), {"notify_new_clients": "0"})
    consultant.refresh_from_db()
    assert not consultant.notify_new_clients


def test_organization_page_offers_claim_to_consultants_only(client, consultant, alice, org_a):
    client.force_login(consultant)
    assert (
        "Kunden übernehmen"
        in client.get(reverse("organization_detail", args=[org_a.pk])).content.decode()
    )
    client.force_login(alice)
    body = client.get(reverse("organization_detail", args=[org_a.pk])).content.decode()
    assert "Kunden übernehmen" not in body and "nicht zugeordnet" not in body


# --- notifications ----------------------------------------------------------------------------


def test_self_signup_notifies_inbox_and_opted_in_consultants(
    client, settings, consultant, other_consultant, django_capture_on_commit_callbacks
):
    settings.CONSULTANCY_INBOX = "kunden@beratung.example"
    consultant.notify_new_clients = True
    consultant.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("signup"),
            {
                "first_name": "Thomas",
                "last_name": "Maier",
                "email": "thomas@schreinerei.example",
                "password1": "Hobelbank-1972!",
                "password2": "Hobelbank-1972!",
                "organization_name": "Schreinerei Maier",
                "industry": "craft",
                "size_band": "micro",
                "accept_privacy": "on",
            },
        )
    assert Organization.objects.filter(name="Schreinerei Maier").exists()
    # The new client also gets the address confirmation (issue 12); the notice is the other one.
    [message] = [m for m in mail.outbox if m.to != ["thomas@schreinerei.example"]]
    assert sorted(message.to) == ["carla@beratung.example", "kunden@beratung.example"]
    assert "Schreinerei Maier" in message.subject
    assert "/berater/nicht-zugeordnet/" in message.body
    assert other_consultant.email not in message.to


def test_submission_notifies_inbox_and_the_consultant_in_charge(
    questionnaire, settings, org_a, alice, consultant, django_capture_on_commit_callbacks
):
    settings.CONSULTANCY_INBOX = "kunden@beratung.example"
    org_a.consultant = consultant
    org_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        assessment = _submit(org_a, alice)
    [message] = mail.outbox
    assert sorted(message.to) == ["carla@beratung.example", "kunden@beratung.example"]
    assert "Alpha Fensterbau" in message.subject
    assert reverse("assessment_done", args=[assessment.pk]) in message.body


def test_submission_of_unassigned_client_says_so(
    questionnaire, settings, org_a, alice, django_capture_on_commit_callbacks
):
    settings.CONSULTANCY_INBOX = "kunden@beratung.example"
    with django_capture_on_commit_callbacks(execute=True):
        _submit(org_a, alice)
    [message] = mail.outbox
    assert message.to == ["kunden@beratung.example"]
    assert "noch niemandem zugeordnet" in message.body


def test_report_of_unassigned_client_notifies_the_inbox(
    questionnaire,
    settings,
    org_a,
    alice,
    consultant,
    django_capture_on_commit_callbacks,
    tmp_path,
    monkeypatch,
):
    from django.core.files.storage import FileSystemStorage

    from assessments.models import Report
    from assessments.reports import services as report_services

    monkeypatch.setattr(
        Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    settings.CONSULTANCY_INBOX = "kunden@beratung.example"
    assessment = _submit(org_a, alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_request(assessment=assessment, user=consultant)
    ready = [m for m in mail.outbox if "Bericht fertig" in m.subject]
    assert len(ready) == 1 and ready[0].to == ["kunden@beratung.example"]
    assert "noch niemandem zugeordnet" in ready[0].body


def test_pdf_cover_names_no_anonymous_consultant_for_unassigned_client(
    questionnaire, org_a, alice, consultant
):
    from assessments.models import Report
    from assessments.reports.render import report_html

    assessment = _submit(org_a, alice)
    report = Report.objects.create(assessment=assessment, language="de")
    html = report_html(report)
    assert "Ihr Berater / Ihre Beraterin" not in html
    assert "Ihr Kontakt" in html

    org_a.consultant = consultant
    org_a.save()
    report.refresh_from_db()
    html = report_html(Report.objects.select_related("assessment__organization").get(pk=report.pk))
    assert "Ihr Berater / Ihre Beraterin" in html and "Carla" in html


def test_unassigned_queryset_filter(org_a, org_b, consultant):
    org_b.consultant = consultant
    org_b.save()
    OrganizationFactory(consultant=consultant)
    assert list(Organization.objects.unassigned()) == [org_a]


def test_mail_server_failure_does_not_break_the_submission(
    questionnaire, org_a, alice, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from portal.clients import services as client_services

    def broken(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(client_services, "email_send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = _submit(org_a, alice)
    assert assessment.status == "submitted"
    assert "Could not send portal/email/new_submission" in caplog.text
