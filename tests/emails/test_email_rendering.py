"""Every portal e-mail, read back with Python's own e-mail parser as a mail program would."""

import email
import email.policy
import uuid
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from portal.mail import email_send

pytestmark = pytest.mark.django_db

NAME = 'Müller & Söhne <Werkzeug> "Bodensee" GmbH'
ESCAPES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;")
TEMPLATES = sorted(
    str(path.relative_to(settings.BASE_DIR / "templates")).removesuffix("_subject.txt")
    for path in (settings.BASE_DIR / "templates").rglob("*_subject.txt")
)


def parsed(message) -> email.message.EmailMessage:
    """The message as bytes on the wire, parsed again."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def parts(message) -> tuple[str, str, str]:
    msg = parsed(message)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return str(msg["Subject"]).strip(), text, html


def _context(user) -> dict:
    organization = SimpleNamespace(
        pk=uuid.uuid4(),
        name=NAME,
        consultant=None,
        get_industry_display="Handwerk & Co",
        get_size_band_display="1–9 Beschäftigte",
    )
    person = SimpleNamespace(display_name="Jörg & Jana <Beratung>", email="berater@example.com")
    when = timezone.make_aware(datetime(2026, 12, 5, 9, 30))
    return {
        "organization": organization,
        "organization_name": NAME,
        "report": SimpleNamespace(assessment_id=uuid.uuid4(), pages=8),
        "assessment": SimpleNamespace(pk=uuid.uuid4(), submitted_by=person),
        "actor": person,
        "consultant": person,
        "article": SimpleNamespace(title="Copilot & OpenAI: <was> sich „ändert“"),
        "article_url": "http://127.0.0.1:8000/aktuelles/a/",
        "exposure": SimpleNamespace(
            assessed_at=date(2026, 11, 30),
            lock_in_level_label="hoch",
            lock_in=70,
            drivers=[{"question": "Nutzen Sie Copilot & Teams?", "answer": "Ja & täglich"}],
        ),
        "vendors": [{"name": "Microsoft & OpenAI", "value": 70}],
        "contact_url": "http://127.0.0.1:8000/kontakt/",
        "unsubscribe_url": "http://127.0.0.1:8000/aktuelles/abbestellen/x/",
        "lead": SimpleNamespace(
            name="Jana & Jörg",
            company=NAME,
            email="jana@example.com",
            phone="",
            message="Bitte rufen Sie an & sagen <kurz> Bescheid.",
        ),
        "lead_url": "http://127.0.0.1:8000/leads/1/",
        "erasure": SimpleNamespace(scheduled_for=date(2026, 12, 19)),
        "invitation": SimpleNamespace(expires_at=when),
        "accept_url": "http://127.0.0.1:8000/einladung/x/",
        "verify_url": "http://127.0.0.1:8000/bestaetigen/x/",
        "valid_days": 7,
        "login_url": "http://127.0.0.1:8000/anmelden/",
        "reset_url": "http://127.0.0.1:8000/passwort/",
        "when": when,
        "user_agent": "Firefox & <Linux>",
        "uid": "MQ",
        "token": "abc-def",
        "user": user,
        # reminder digest
        "name": "Jörg & Jana",
        "overdue_count": 1,
        "due_count": 1,
        "groups": [
            {
                "organization": NAME,
                "overdue": [
                    {
                        "title": "AVV & Löschfristen <prüfen>",
                        "due_date": date(2026, 11, 30),
                        "days": 5,
                        "url": "http://127.0.0.1:8000/massnahmen/x/",
                    }
                ],
                "due": [
                    {
                        "title": "Schulung & Richtlinie",
                        "due_date": date(2026, 12, 8),
                        "url": "http://127.0.0.1:8000/massnahmen/y/",
                    }
                ],
            }
        ],
        "settings_url": "http://127.0.0.1:8000/konto/erinnerungen/",
        # document released
        "document_title": "KI-Register",
        "version_number": 2,
        "url": "http://127.0.0.1:8000/dokumente/",
    }


def test_every_template_triplet_is_covered():
    assert len(TEMPLATES) >= 15
    for template in TEMPLATES:
        for suffix in ("_body.txt", "_body.html"):
            assert (settings.BASE_DIR / "templates" / (template + suffix)).is_file(), template


@pytest.mark.parametrize("template", TEMPLATES)
def test_subject_and_text_keep_ampersands_and_html_is_a_titled_german_page(template, alice):
    email_send(template=template, to=["kunde@example.com"], context=_context(alice), language="de")
    subject, text, html = parts(mail.outbox[-1])
    for escaped in ESCAPES:
        assert escaped not in subject, (template, subject)
        assert escaped not in text, (template, text)
    source = (settings.BASE_DIR / "templates" / f"{template}_body.txt").read_text()
    if any(key in source for key in ("organization.name", "organization_name", "lead.company")):
        assert NAME in text, template
    assert '<html lang="de">' in html
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() and " ".join(title.split()) == " ".join(subject.split()).replace(
        "&", "&amp;"
    ).replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # the HTML part still escapes what people typed
    assert "<Werkzeug>" not in html and "<Beratung>" not in html and "<Linux>" not in html


def test_english_mail_says_so(alice):
    email_send(
        template="portal/email/verify",
        to=["kunde@example.com"],
        context=_context(alice),
        language="en",
    )
    subject, _, html = parts(mail.outbox[-1])
    assert '<html lang="en">' in html and f"<title>{subject}</title>" in html


def test_templates_dir_has_no_html_email_without_the_base():
    for path in Path(settings.BASE_DIR / "templates").rglob("*_body.html"):
        if path.name.startswith("_"):
            continue
        assert path.read_text().startswith('{% extends "portal/email/_base_body.html" %}'), path
