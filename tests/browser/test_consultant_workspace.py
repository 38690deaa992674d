"""A consultant finds a new client on the portfolio (unassigned, high lock-in), takes it on,
reviews it and hands an action to the client's owner, who ticks it off — in Chromium."""

import re

import pytest

from assessments import services
from assessments.demo import profile_answers, questionnaire_ensure_active
from assessments.models import Action
from assessments.questionnaire.services import answer_save
from portal.models import Membership, Organization
from tests.factories import PASSWORD, ConsultantFactory, OrganizationFactory, UserFactory

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


USE_CASES = [
    {
        "name": "Angebotstexte formulieren",
        "area": "office_text",
        "service": "openai",
        "role": "use_product",
        "affected": "customers",
        "output_use": "no_people",
        "safety_purpose": "no",
    }
]


def _answers(document, care, **overrides):
    return profile_answers(document, care, {"use_cases": USE_CASES, **overrides})


def _submitted(organization, owner, answers):
    Membership.objects.create(user=owner, organization=organization, role="owner")
    assessment = services.assessment_start(organization=organization, user=owner).assessment
    for key, value in answers.items():
        answer_save(assessment=assessment, user=owner, question_key=key, value=value)
    return services.assessment_submit(assessment=assessment, user=owner)


def test_consultant_filters_claims_reviews_and_delegates_client_marks_done(browser, live_server):
    document = questionnaire_ensure_active().document  # the shipped catalogue: graded lock-in
    organization = OrganizationFactory(name="Hegau Metallbau GmbH")
    owner = UserFactory(email="maria@metallbau.example", first_name="Maria", last_name="Roth")
    # a middling client on Copilot and Azure OpenAI whose own features sit on the vendor's
    # proprietary core: lock-in "hoch"
    answers = _answers(
        document,
        0.5,
        services_used=["m365_copilot", "azure_openai"],
        proprietary_features="core",
    )
    assessment = _submitted(organization, owner, answers)
    assert 50 <= assessment.result.lock_in < 75  # the set-up the filter below relies on
    # unassigned too, but careful with vendors: the lock-in filter must leave it out
    careful = OrganizationFactory(name="Seetal Bäckerei KG")
    _submitted(careful, UserFactory(), _answers(document, 0.2, services_used=["m365_copilot"]))
    assert careful.assessments.get().result.lock_in < 25
    consultant = ConsultantFactory(email="carla@beratung.example", first_name="Carla")
    action = Action.objects.filter(assessment=assessment).order_by("created_at").first()

    context, page = _context(browser)
    _login(page, live_server, consultant.email, r"/berater/")
    page.locator("summary", has_text="Filter").click()
    page.locator("#f-unassigned").check()
    page.locator("#f-lvl_lock_in").select_option("high")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(re.compile(r"unassigned=1"))
    assert "lvl_lock_in=high" in page.url
    names = page.locator(".portfolio-table td.cell-name a")
    assert names.all_inner_texts() == ["Hegau Metallbau GmbH"]
    names.first.click()
    page.wait_for_url(re.compile(rf"/organisationen/{organization.pk}/$"))
    with page.expect_navigation():
        page.get_by_role("button", name="Kunden übernehmen").click()
    assert page.url.endswith(f"/organisationen/{organization.pk}/")
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
