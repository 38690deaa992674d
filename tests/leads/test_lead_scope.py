"""Enquiries under CONSULTANT_SCOPE=assigned: open ones for everybody to take up, handled ones
for who handles them, converted ones for who looks after the client."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.leads.models import Lead
from tests.factories import ConsultantFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _lead(company: str, **fields) -> Lead:
    return Lead.objects.create(
        name="Petra",
        company=company,
        email=f"{company.lower()}@example.de",
        message="Bitte rufen Sie an.",
        consent_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def leads():
    carla, dirk = ConsultantFactory(first_name="Carla"), ConsultantFactory(first_name="Dirk")
    return {
        "carla": carla,
        "dirk": dirk,
        "lead": ConsultantFactory(is_lead_consultant=True),
        "open": _lead("Offen"),
        "carlas": _lead("Carlas", state=Lead.State.CONTACTED, handled_by=carla),
        "dirks": _lead("Dirks", state=Lead.State.CONTACTED, handled_by=dirk),
        "client_of_carla": _lead(
            "Kundin",
            state=Lead.State.CONVERTED,
            handled_by=dirk,
            organization=OrganizationFactory(consultant=carla),
        ),
    }


def _visible(user) -> set[str]:
    return set(Lead.objects.visible_to(user).values_list("company", flat=True))


def test_assigned_scope_shows_open_own_and_own_clients_enquiries(leads, settings):
    settings.CONSULTANT_SCOPE = "assigned"

    assert _visible(leads["carla"]) == {"Offen", "Carlas", "Kundin"}
    assert _visible(leads["dirk"]) == {"Offen", "Dirks"}
    assert _visible(leads["lead"]) == {"Offen", "Carlas", "Dirks", "Kundin"}


def test_all_scope_shows_every_enquiry_to_every_consultant(leads, settings):
    settings.CONSULTANT_SCOPE = "all"

    assert _visible(leads["dirk"]) == {"Offen", "Carlas", "Dirks", "Kundin"}


def test_another_consultants_enquiry_is_404_under_assigned_scope(client, leads, settings):
    settings.CONSULTANT_SCOPE = "assigned"
    client.force_login(leads["dirk"])

    page = client.get(reverse("lead_detail", args=[leads["carlas"].pk]))
    change = client.post(
        reverse("lead_update", args=[leads["carlas"].pk]), {"state": "closed", "notes": ""}
    )
    listing = client.get(reverse("lead_list")).content.decode()

    assert (page.status_code, change.status_code) == (404, 404)
    assert "Carlas" not in listing and "Dirks" in listing and "Offen" in listing
    leads["carlas"].refresh_from_db()
    assert leads["carlas"].state == Lead.State.CONTACTED
