import re

import pytest
from django.core import mail

from portal.models import Lead
from tests.news.conftest import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_an_article_and_sends_the_contact_form(page, live_server):
    make_article(
        slug="copilot-und-anthropic",
        title="Copilot und Anthropic: Was KMU wissen müssen",
        teaser="Seit 2026 arbeitet in Copilot nicht mehr nur OpenAI.",
        body="## Was sich geändert hat\n\nAnthropic ist Unterauftragsverarbeiter.\n\n"
        "<script>window.pwned = true</script>",
    )
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Copilot und Anthropic: Was KMU wissen müssen").click()

    page.wait_for_url(re.compile(r"/aktuelles/copilot-und-anthropic/$"))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Copilot und Anthropic: Was KMU wissen müssen"
    )
    assert page.get_by_role("heading", name="Was sich geändert hat").is_visible()
    assert page.evaluate("window.pwned === undefined")

    page.get_by_role("link", name="Kontakt aufnehmen").click()
    page.get_by_label("Ihr Name").fill("Petra Hummel")
    page.get_by_label("Firma").fill("Bäckerei Hummel")
    page.get_by_label("E-Mail-Adresse").fill("petra@baeckerei.example")
    page.get_by_label("Ihre Nachricht").fill("Wir möchten über Copilot sprechen.")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Nachricht senden").click()

    page.wait_for_url(re.compile(r"/kontakt/danke/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Danke für Ihre Nachricht"
    lead = Lead.objects.get()
    assert (lead.company, lead.email) == ("Bäckerei Hummel", "petra@baeckerei.example")
    assert [m.subject for m in mail.outbox] == [
        "Neue Anfrage über das Portal: Bäckerei Hummel (Petra Hummel)"
    ]
    assert page.request_log.foreign(page.live_server_netloc) == []
