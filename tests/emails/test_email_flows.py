"""Real flows that send mail: line breaks in names, the password reset's own form."""

import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import Organization
from tests.factories import OrganizationFactory
from tests.portal.test_auth import SIGNUP

pytestmark = pytest.mark.django_db


def _parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_a_line_break_in_a_company_name_reaches_no_mail(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONSULTANCY_INBOX = "team@beratung.example"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("signup"),
            {**SIGNUP, "organization_name": "Müller\r\n&  Söhne\nGmbH"},
        )
    assert Organization.objects.get().name == "Müller & Söhne GmbH"
    notice = next(m for m in mail.outbox if m.to == ["team@beratung.example"])
    msg = _parsed(notice)
    assert str(msg["Subject"]).strip() == "Neuer Kunde ohne Berater/in: Müller & Söhne GmbH"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Müller & Söhne GmbH (Handwerk" in text


def test_saving_a_company_always_keeps_its_name_on_one_line():
    organization = OrganizationFactory(name="  Seetal\tMaschinenbau\r\nGmbH ")
    organization.refresh_from_db()
    assert organization.name == "Seetal Maschinenbau GmbH"


def test_password_reset_mail_is_sent_like_every_other_mail(client, alice):
    client.post(reverse("password_reset"), {"email": alice.email})
    msg = _parsed(mail.outbox[-1])
    assert str(msg["Subject"]).strip() == "Neues Passwort für das KI-Readiness-Portal"
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="de">' in html
    assert "<title>Neues Passwort für das KI-Readiness-Portal</title>" in html
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:8000/" in text and "&#x27;" not in text
