"""A consultant takes on a new client, reviews it and hands an action to the client's owner,
who ticks it off — in Chromium."""

import re

import pytest

from assessments import services
from assessments.models import Action
from portal.models import Membership, Organization
from tests.factories import PASSWORD, ConsultantFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _login(page, live_server, email, lands_on):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(lands_on))


def test_consultant_claims_reviews_and_delegates_client_marks_done(
    browser, live_server, questionnaire
):
    organization = OrganizationFactory(name="Hegau Metallbau GmbH")
    owner = UserFactory(email="maria@metallbau.example", first_name="Maria", last_name="Roth")
    Membership.objects.create(user=owner, organization=organization, role="owner")
    assessment = services.assessment_start(organization=organization, user=owner).assessment
    fill(assessment, owner, {**COMPLETE, "chatgpt_data": "yes"})
    services.assessment_submit(assessment=assessment, user=owner)
    consultant = ConsultantFactory(email="carla@beratung.example", first_name="Carla")
    action = Action.objects.get(assessment=assessment, key="stop_free")

    context, page = _context(browser)
    _login(page, live_server, consultant.email, r"/berater/")
    page.get_by_role("link", name="Nicht zugeordnet").click()
    row = page.locator('tr[data-organization="Hegau Metallbau GmbH"]')
    row.get_by_role("button", name="Übernehmen").click()
    page.wait_for_url(re.compile(rf"/organisationen/{organization.pk}/$"))
    assert "Carla" in page.locator("#h-care").inner_text()
    assert Organization.objects.get(pk=organization.pk).consultant == consultant

    page.goto(f"{live_server.url}/bewertungen/{assessment.pk}/")
    page.get_by_role("button", name="Weiter: in Prüfung").click()
    page.wait_for_selector('[data-review-state="in_review"]')

    page.get_by_role("link", name="Maßnahmen bearbeiten").click()
    page.wait_for_url(re.compile(r"/massnahmen/$"))
    card = page.locator(f"#action-{action.pk}")
    card.locator("summary", has_text="Bearbeiten").click()
    card.get_by_label("Titel").fill("Business-Tarif für ChatGPT bis Ende März")
    card.get_by_label("verantwortlich").select_option(label="Maria Roth")
    card.get_by_label("fällig am").fill("2027-03-31")
    card.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(r"/massnahmen/$"))
    assert (
        "Business-Tarif für ChatGPT bis Ende März"
        in page.locator(f"#action-{action.pk}").inner_text()
    )
    context.close()

    context, page = _context(browser)
    _login(page, live_server, owner.email, r"/organisationen/")
    page.goto(f"{live_server.url}/bewertungen/{assessment.pk}/")
    plan = page.locator("section[aria-labelledby=h-plan]")
    assert "Business-Tarif für ChatGPT bis Ende März" in plan.inner_text()
    assert "Maria Roth" in plan.inner_text()
    assert "in Prüfung" in page.content()
    plan.get_by_role("link", name="Maßnahmen bearbeiten").click()
    card = page.locator(f"#action-{action.pk}")
    card.locator("summary", has_text="Bearbeiten").click()
    assert card.get_by_label("Titel").count() == 0  # the wording is the consultant's
    card.get_by_label("Stand").select_option(label="erledigt")
    card.get_by_role("button", name="Speichern").click()
    page.wait_for_selector(f'#action-{action.pk} [data-state="done"]')
    context.close()

    action.refresh_from_db()
    assert (action.state, action.owner, action.updated_by) == ("done", owner, owner)
    assert str(action.due_date) == "2027-03-31"
