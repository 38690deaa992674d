"""Admins see catalogue facts whose "as of" date is older than a configurable age."""

import datetime as dt

import pytest
from django.urls import reverse

from assessments.demo import questionnaire_ensure_active
from assessments.selectors import catalogue_facts_stale

pytestmark = pytest.mark.django_db

URL = "admin:assessments_questionnaireversion_facts"


@pytest.fixture
def active():
    return questionnaire_ensure_active()


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    return client


def test_selector_lists_facts_older_than_the_age_oldest_first(active):
    facts = catalogue_facts_stale(max_age_days=60, today=dt.date(2026, 12, 15))
    keys = [f.key for f in facts]
    # checked on 2026-09-01 and 2026-10-01: older than 60 days on 15 December
    assert keys[0] == "openai_assistants_shutdown"
    assert {"ms_eudb", "ms_flex_routing"} <= set(keys)
    assert "ai_act_penalties" not in keys  # checked 2026-11-20
    assert facts[0].age_days == 105 and facts[0].version == active


def test_nothing_is_stale_within_the_age(active):
    assert catalogue_facts_stale(max_age_days=365, today=dt.date(2026, 12, 15)) == []


def test_admin_page_uses_the_setting_and_a_chosen_age(admin_client, active, settings):
    settings.CATALOGUE_FACT_MAX_AGE_DAYS = 0
    body = admin_client.get(reverse(URL)).content.decode()
    assert "openai_assistants_shutdown" in body
    assert "OpenAI: Deprecations – Assistants API" in body  # the source
    assert "(aktiv)" in body

    body = admin_client.get(reverse(URL), {"days": "3650"}).content.decode()
    assert "Keine Fakten älter als 3650 Tage." in body


def test_admin_page_refuses_a_bad_age(admin_client, active, settings):
    settings.CATALOGUE_FACT_MAX_AGE_DAYS = 0
    response = admin_client.get(reverse(URL), {"days": "-3"})
    assert response.status_code == 400
    assert "openai_assistants_shutdown" in response.content.decode()  # falls back to the setting


def test_admin_page_is_for_staff_only(client, alice, active):
    client.force_login(alice)
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
