import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from portal.models import AuditLog, Invitation, Lead, Organization, invitation_token_hash

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Petra Hummel",
    "company": "Bäckerei Hummel",
    "email": "Petra@Baeckerei.example",
    "phone": "+49 7531 123",
    "message": "Wir nutzen ChatGPT und wollen Copilot einführen. Was müssen wir beachten?",
    "consent": "on",
    "website": "",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _post(client, data=None, ip="203.0.113.7"):
    return client.post(reverse("contact"), data or VALID, REMOTE_ADDR=ip)


def test_contact_form_links_the_privacy_page(client):
    body = client.get(reverse("contact")).content.decode()
    assert f'href="{reverse("privacy")}"' in body
    assert 'name="website"' in body  # the honeypot is in the form


def test_contact_stores_lead_mails_the_inbox_and_confirms(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONSULTANCY = {**settings.CONSULTANCY, "email": "anfragen@beratung.example"}
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    assert response.status_code == 302 and response.url == reverse("contact_thanks")
    lead = Lead.objects.get()
    assert (lead.name, lead.company, lead.email) == (
        "Petra Hummel",
        "Bäckerei Hummel",
        "petra@baeckerei.example",
    )
    assert lead.state == Lead.State.NEW and lead.consent_at is not None
    [message] = mail.outbox
    assert message.to == ["anfragen@beratung.example"]
    assert message.reply_to == ["petra@baeckerei.example"]
    assert "Bäckerei Hummel" in message.subject
    assert "Copilot einführen" in message.body
    assert reverse("lead_detail", args=[lead.pk]) in message.body
    assert "Danke für Ihre Nachricht" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("consent", ""), ("email", "keine-adresse"), ("message", ""), ("company", "")],
)
def test_invalid_contact_is_not_stored(client, field, value):
    data = {**VALID, field: value}
    if not value:
        data.pop(field)
    response = _post(client, data)
    assert response.status_code == 400
    assert not Lead.objects.exists()
    assert not mail.outbox


def test_honeypot_pretends_success_and_stores_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, {**VALID, "website": "https://spam.example"})
    assert response.status_code == 302 and response.url == reverse("contact_thanks")
    assert not Lead.objects.exists()
    assert not mail.outbox


def test_rate_limit_per_ip_shows_a_clear_message_and_stores_nothing(client, settings):
    settings.CONTACT_RATE_LIMIT = 2
    assert _post(client).status_code == 302
    assert _post(client).status_code == 302
    blocked = _post(client)
    assert blocked.status_code == 429
    assert "sehr viele Anfragen" in blocked.content.decode()
    assert Lead.objects.count() == 2
    # over the limit even a bot's submission is answered with the message
    assert _post(client, {**VALID, "website": "x"}).status_code == 429
    # another address is not affected
    assert _post(client, ip="198.51.100.4").status_code == 302
    assert Lead.objects.count() == 3


def test_typos_do_not_count_towards_the_limit(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    for _attempt in range(3):
        assert _post(client, {**VALID, "email": "tippfehler"}).status_code == 400
    assert _post(client).status_code == 302
    assert Lead.objects.count() == 1


def test_leads_workspace_is_for_consultants_only(client, alice, consultant):
    lead = Lead.objects.create(
        name="X", company="Y", email="x@y.example", message="m", consent_at="2026-11-01T10:00Z"
    )
    urls = [reverse("lead_list"), reverse("lead_detail", args=[lead.pk])]
    posts = [reverse("lead_update", args=[lead.pk]), reverse("lead_convert", args=[lead.pk])]
    for url in urls + posts:
        assert client.get(url).status_code in (302, 405)  # anonymous → login
    client.force_login(alice)
    for url in urls:
        assert client.get(url).status_code == 404
    for url in posts:
        assert client.post(url, {"state": "closed"}).status_code == 404
    lead.refresh_from_db()
    assert lead.state == Lead.State.NEW
    client.force_login(consultant)
    assert "Y" in client.get(urls[0]).content.decode()
    assert client.get(urls[1]).status_code == 200


def test_consultant_moves_a_lead_through_states(client, consultant):
    lead = Lead.objects.create(
        name="X", company="Y", email="x@y.example", message="m", consent_at="2026-11-01T10:00Z"
    )
    client.force_login(consultant)
    response = client.post(
        reverse("lead_update", args=[lead.pk]), {"state": "contacted", "notes": "angerufen"}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.state, lead.notes, lead.handled_by) == ("contacted", "angerufen", consultant)
    bad = client.post(reverse("lead_update", args=[lead.pk]), {"state": "converted"})
    assert bad.status_code == 400  # converting has its own step
    filtered = client.get(reverse("lead_list"), {"state": "new"}).content.decode()
    assert reverse("lead_detail", args=[lead.pk]) not in filtered


def test_converting_creates_the_organisation_and_sends_the_invitation(
    client, consultant, django_capture_on_commit_callbacks
):
    lead = Lead.objects.create(
        name="Petra Hummel",
        company="Bäckerei Hummel",
        email="petra@baeckerei.example",
        message="m",
        consent_at="2026-11-01T10:00Z",
    )
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lead_convert", args=[lead.pk]),
            {"name": "Bäckerei Hummel GmbH", "industry": "craft", "size_band": "small"},
        )
    organization = Organization.objects.get(name="Bäckerei Hummel GmbH")
    assert response.status_code == 302
    assert response.url == reverse("organization_detail", args=[organization.pk])
    assert organization.consultant == consultant
    invitation = Invitation.objects.get(organization=organization)
    assert (invitation.email, invitation.role) == ("petra@baeckerei.example", "owner")
    [message] = mail.outbox
    assert message.to == ["petra@baeckerei.example"]
    # Only the token's hash is stored (issue 12); the mailed link carries the token itself.
    raw = re.search(r"/einladung/([^/\s]+)/", message.body).group(1)
    assert invitation_token_hash(raw) == invitation.token
    lead.refresh_from_db()
    assert lead.state == Lead.State.CONVERTED and lead.organization == organization
    assert AuditLog.objects.filter(action="lead.convert").exists()

    again = client.post(
        reverse("lead_convert", args=[lead.pk]),
        {"name": "Doppelt GmbH", "industry": "craft", "size_band": "small"},
    )
    assert again.status_code == 400
    assert not Organization.objects.filter(name="Doppelt GmbH").exists()


def test_convert_with_bad_input_changes_nothing(client, consultant):
    lead = Lead.objects.create(
        name="X", company="Y", email="x@y.example", message="m", consent_at="2026-11-01T10:00Z"
    )
    client.force_login(consultant)
    response = client.post(
        reverse("lead_convert", args=[lead.pk]), {"name": "", "industry": "mond", "size_band": ""}
    )
    assert response.status_code == 400
    assert not Organization.objects.exists()
    lead.refresh_from_db()
    assert lead.state == Lead.State.NEW


def test_converting_preselects_no_branch_or_size_and_requires_both(client, consultant):
    lead = Lead.objects.create(
        name="Dr. Anna Kern",
        company="Orthopädie am See",
        email="kern@ortho.example",
        message="m",
        consent_at="2026-11-01T10:00Z",
    )
    client.force_login(consultant)
    page = client.get(reverse("lead_detail", args=[lead.pk])).content.decode()
    for field in ("industry", "size_band"):
        select = page.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
        assert "selected" not in select.split('value=""', 1)[1].split("</option>", 1)[1], field
        assert '<option value="" selected>' in select, field
    response = client.post(reverse("lead_convert", args=[lead.pk]), {"name": "Orthopädie am See"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bitte wählen Sie die Branche." in body
    assert "Bitte wählen Sie die Unternehmensgröße." in body
    assert not Organization.objects.exists()
