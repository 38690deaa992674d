"""Enquiries from the contact form are kept as long as the privacy page says, then deleted by
the daily beat job (``portal.tasks.privacy_daily``)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.leads.models import Lead
from portal.leads.services import lead_create, lead_update
from portal.models import AuditLog
from portal.tasks import privacy_daily
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


def _lead(company: str, state: str, days_ago: int) -> Lead:
    lead = lead_create(
        name="Petra Hummel",
        company=company,
        email=f"{company.split()[0].lower()}@example.de",
        phone="+49 7531 000000",
        message="Bitte um Rückruf.",
    )
    Lead.objects.filter(pk=lead.pk).update(
        state=state, updated_at=timezone.now() - timezone.timedelta(days=days_ago)
    )
    return lead


def test_done_enquiries_go_after_the_retention_open_ones_after_a_year(settings):
    settings.LEAD_RETENTION_DAYS = 180
    settings.LEAD_OPEN_RETENTION_DAYS = 365
    closed_old = _lead("Altbäckerei GmbH", Lead.State.CLOSED, 181)
    converted_old = _lead("Umgewandelt KG", Lead.State.CONVERTED, 200)
    closed_recent = _lead("Frisch GmbH", Lead.State.CLOSED, 10)
    open_old = _lead("Liegengeblieben AG", Lead.State.CONTACTED, 366)
    open_half = _lead("Offen GmbH", Lead.State.NEW, 200)

    counts = privacy_daily()

    assert counts["enquiries"] == 3
    assert set(Lead.objects.values_list("pk", flat=True)) == {closed_recent.pk, open_half.pk}
    gone = [closed_old, converted_old, open_old]
    assert not AuditLog.objects.filter(target__in=[str(lead.pk) for lead in gone]).exists()
    assert AuditLog.objects.filter(target__startswith="lead-", action="lead.create").count() == 3


def test_handling_an_enquiry_restarts_its_clock(settings):
    settings.LEAD_OPEN_RETENTION_DAYS = 365
    lead = _lead("Wiedervorlage GmbH", Lead.State.NEW, 400)
    lead_update(lead=lead, actor=ConsultantFactory(), state=Lead.State.CONTACTED, notes="angerufen")

    privacy_daily()

    assert Lead.objects.filter(pk=lead.pk).exists()


def test_audit_entries_of_enquiries_name_them_by_id_not_by_company(settings):
    lead = _lead("Namenlos GmbH", Lead.State.NEW, 0)

    entry = AuditLog.objects.get(action="lead.create")

    assert entry.target == str(lead.pk)
    assert "Namenlos" not in str(entry.data)


def test_privacy_page_states_how_long_enquiries_are_kept(client, settings):
    settings.LEAD_RETENTION_DAYS = 181
    settings.LEAD_OPEN_RETENTION_DAYS = 367

    body = client.get(reverse("privacy")).content.decode()

    assert "181 Tage" in body and "367 Tage" in body
