import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from portal.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_signs_up_from_landing_page_and_lands_on_company_page(page, live_server):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Wie abhängig ist Ihr")

    page.get_by_role("link", name="Kostenlosen Selbstcheck starten").first.click()
    page.get_by_label("Vorname").fill("Thomas")
    page.get_by_label("Nachname").fill("Maier")
    page.get_by_label("Geschäftliche E-Mail-Adresse").fill("thomas@schreinerei.example")
    page.locator("#id_password1").fill("Hobelbank-1972!")
    page.get_by_label("Passwort wiederholen").fill("Hobelbank-1972!")
    page.get_by_label("Firmenname").fill("Schreinerei Maier")
    page.get_by_label("Branche").select_option("craft")
    page.get_by_label("Anzahl Beschäftigte").select_option("micro")
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen.").check()
    page.get_by_role("button", name="Zugang anlegen").click()

    # The address is confirmed by the link in the e-mail, then the person signs in.
    page.wait_for_url(re.compile(r"/konto/registrieren/gesendet/$"))
    (confirmation,) = [m for m in mail.outbox if m.to == ["thomas@schreinerei.example"]]
    link = re.search(r"http://\S+/konto/bestaetigen/\S+/", confirmation.body).group(0)
    page.goto(live_server.url + urlparse(link).path)
    page.wait_for_url(re.compile(r"/konto/anmelden/"))
    assert "E-Mail-Adresse ist bestätigt" in page.locator("[role=alert]").first.inner_text()
    page.get_by_label("E-Mail-Adresse").fill("thomas@schreinerei.example")
    page.locator("#id_password").fill("Hobelbank-1972!")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/organisationen/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Schreinerei Maier"
    membership = Membership.objects.get(user__email="thomas@schreinerei.example")
    assert membership.role == "owner"

    # Fonts, CSS and scripts all came from the test server, nothing from anywhere else.
    assert page.evaluate("document.fonts.check('16px \"Source Sans 3\"')")
    assert page.request_log.urls, "the browser made no requests at all?"
    assert page.request_log.foreign(page.live_server_netloc) == []
