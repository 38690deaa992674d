"""Markup that assistive technology relies on: every question's legend names its group, a form
answered with errors leads with a summary that takes the focus, and the what-if page gives a
phone the changed scores beside the questions."""

import re

import pytest
from django.urls import reverse

from tests.portal.test_auth import SIGNUP
from tests.results.test_results import _submit
from tests.wizard.conftest import COMPLETE

pytestmark = pytest.mark.django_db

FIELDSET = re.compile(r"<fieldset\b[^>]*>\s*(<\w+)", re.S)


def test_every_visible_question_starts_with_its_legend(client, alice, draft):
    client.force_login(alice)
    for section in ("basics", "details"):
        body = client.get(reverse("assessment_section", args=[draft.pk, section])).content
        first_children = FIELDSET.findall(body.decode())
        assert first_children, section
        # hidden questions render an empty fieldset; the others open with their legend
        assert set(first_children) == {"<legend"}, (section, first_children)


def test_failed_sign_up_leads_with_an_error_summary_that_takes_the_focus(client):
    response = client.post(reverse("signup"), {**SIGNUP, "password2": "anders"})

    body = response.content.decode()
    tag = re.search(r'<div id="error-summary"[^>]*>', body)
    assert tag and tag.start() < body.index('name="first_name"')
    assert "data-error-summary" in tag.group() and 'tabindex="-1"' in tag.group()
    assert 'href="#id_password2"' in body


def test_whatif_answers_carry_the_phone_summary_out_of_band(client, questionnaire, org_a, alice):
    assessment = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    client.force_login(alice)

    page = client.get(reverse("assessment_whatif", args=[assessment.pk])).content.decode()
    assert 'id="whatif-summary"' in page
    response = client.post(
        reverse("assessment_whatif", args=[assessment.pk]),
        {"chatgpt_data__present": "1", "chatgpt_data": "no"},
    )

    body = response.content.decode()
    assert 'id="whatif-summary" class="whatif-summary d-lg-none" hx-swap-oob="true"' in body
    assert "1 Antwort geändert" in body
