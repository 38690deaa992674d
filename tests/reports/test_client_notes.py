"""The consultant's "Notiz für den Kunden" is read by the client in the portal at once, not only
in the next PDF; internal notes never reach the client."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_client_reads_the_note_in_the_portal_but_never_internal_ones(
    client, submitted, consultant, alice, charlie
):
    client.force_login(consultant)
    client.post(
        reverse("note_create", args=[submitted.pk]),
        {
            "kind": "note",
            "title": "Bitte AVV prüfen",
            "text": "Der Vertrag fehlt noch.",
            "priority": 2,
        },
    )
    client.post(
        reverse("note_create", args=[submitted.pk]),
        {"kind": "internal", "title": "Intern: zahlt spät", "text": "x", "priority": 2},
    )
    client.force_login(alice)
    page = client.get(reverse("assessment_done", args=[submitted.pk])).content.decode()
    assert "Notizen Ihres Beraters" in page
    assert "Bitte AVV prüfen" in page and "Der Vertrag fehlt noch." in page
    assert "Intern: zahlt spät" not in page
    client.force_login(charlie)
    assert client.get(reverse("assessment_done", args=[submitted.pk])).status_code == 404
