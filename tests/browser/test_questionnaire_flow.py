"""A client fills in the whole real questionnaire in Chromium, leaves mid-way, comes back."""

import re

import pytest

from assessments.demo import questionnaire_ensure_active
from assessments.models import Answer, Assessment
from portal.models import Membership
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(db):
    questionnaire_ensure_active()
    organization = OrganizationFactory(name="Bodensee Bäckerei GmbH")
    user = UserFactory(email="chefin@baeckerei.example")
    Membership.objects.create(user=user, organization=organization, role="owner")
    return user


def _login(page, live_server, user):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/organisationen/"))


FILLED = """el => [...el.querySelectorAll('input,textarea,select')].some(i =>
    (i.type === 'radio' || i.type === 'checkbox') ? i.checked
    : (i.type !== 'hidden' && i.value !== ''))"""


def _answer_visible_questions(page) -> list[str]:
    """Answer every visible question on the page that has no answer yet; returns the keys."""
    answered: list[str] = []
    done: set[str] = set()
    while True:
        pending = [
            fieldset
            for fieldset in page.locator("fieldset.question:not([hidden])").all()
            if fieldset.get_attribute("id")[2:] not in done
        ]
        if not pending:
            return answered
        fieldset = pending[0]
        key = fieldset.get_attribute("id")[2:]
        done.add(key)
        if fieldset.evaluate(FILLED):
            continue
        status = page.locator(f"#status-{key}")
        if (
            fieldset.locator("input[type=checkbox]").count()
            and not fieldset.locator(f"input[name='{key}-rows']").count()
        ):
            boxes = fieldset.locator("input[type=checkbox]:not([value=unknown]):not([value=na])")
            boxes.nth(min(3, boxes.count() - 1)).check()
        elif fieldset.locator("input[type=radio]").count():
            fieldset.locator("input[type=radio]").first.check()
        elif fieldset.locator(f"input[name='{key}-rows']").count():
            fieldset.locator(f"input[name='{key}-0-name']").fill("Angebote schreiben")
            fieldset.locator(f"select[name='{key}-0-area']").select_option(index=1)
        elif fieldset.locator("input[type=number]").count():
            fieldset.locator("input[type=number]").fill("12")
        elif fieldset.locator("textarea").count():
            fieldset.locator("textarea").fill("Wir möchten unabhängiger werden.")
        elif fieldset.locator("input[type=text]").count():
            fieldset.locator("input[type=text]").first.fill("Testeintrag")
        try:
            status.filter(has_text="Gespeichert um").wait_for()
        except Exception:
            pytest.fail(f"{key} not saved: {status.inner_text()!r}")
        answered.append(key)


def test_client_fills_questionnaire_leaves_and_finds_every_answer(browser, live_server, owner):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server, owner)
    page.get_by_role("button", name="Selbstcheck starten").click()
    page.wait_for_url(re.compile(r"/abschnitt/"))

    answered = _answer_visible_questions(page)
    page.get_by_role("button", name=re.compile("Speichern und weiter")).click()
    page.wait_for_load_state()
    answered += _answer_visible_questions(page)  # second section: then the tab is closed
    context.close()

    assessment = Assessment.objects.get()
    stored = dict(assessment.answers.values_list("question_key", "value"))
    assert set(answered) <= set(stored), set(answered) - set(stored)

    # Back the next day, in a new browser session: every answer is still there.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, live_server, owner)
    page.get_by_role("link", name="Weiter ausfüllen").click()
    sections = [
        link.get_attribute("href") for link in page.locator("main a.review-section-link").all()
    ]
    page.goto(live_server.url + sections[0])
    for key in answered:
        if page.locator(f"#q-{key}").count() == 0:
            page.goto(live_server.url + sections[1])
        fieldset = page.locator(f"#q-{key}")
        assert fieldset.is_visible(), key
        assert fieldset.evaluate(FILLED), key

    # Finish the rest, section by section, and submit.
    for href in sections:
        page.goto(live_server.url + href)
        _answer_visible_questions(page)
    page.goto(live_server.url + f"/bewertungen/{assessment.pk}/pruefen/")
    assert "Pflichtfrage" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Antworten absenden").click()
    page.wait_for_url(re.compile(rf"/bewertungen/{assessment.pk}/$"))
    assert page.get_by_role("heading", name="Ihr Ergebnis").is_visible()
    assert page.locator("svg[role=img]").count() >= 3
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert Answer.objects.filter(assessment=assessment).count() >= len(answered)
    context.close()
