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
    facts = catalogue_facts_stale(max_age_days=20, today=dt.date(2026, 12, 15))
    keys = [f.key for f in facts]
    # catalogue 2027.01: ms_eudb checked on 2026-10-01, the ms_copilot_terms group on 2026-11-15
    # and gdpr_basics on 2026-11-20 are older than 20 days on 15 December; facts re-checked on
    # 2026-12-05 (flex routing, the Assistants API shutdown) are not
    assert keys[0] == "ms_eudb"
    assert {"ms_copilot_terms", "gdpr_basics"} <= set(keys)
    assert not {"ms_flex_routing", "openai_assistants_shutdown", "ai_act_penalties"} & set(keys)
    assert facts[0].age_days == 75 and facts[0].version == active


def test_nothing_is_stale_within_the_age(active):
    assert catalogue_facts_stale(max_age_days=365, today=dt.date(2026, 12, 15)) == []


def test_admin_page_uses_the_setting_and_a_chosen_age(admin_client, active, settings):
    settings.CATALOGUE_FACT_MAX_AGE_DAYS = 0
    body = admin_client.get(reverse(URL)).content.decode()
    assert "ms_eudb" in body
    assert "Microsoft Learn: EU Data Boundary" in body  # the source
    assert "(aktiv)" in body

    body = admin_client.get(reverse(URL), {"days": "3650"}).content.decode()
    # numbers are grouped as German readers write them, in the title and in the text alike
    assert "Keine Fakten älter als 3.650 Tage." in body
    assert "Fakten älter als 3.650 Tage" in body.split("<title>")[1].split("</title>")[0]


def test_admin_page_refuses_a_bad_age(admin_client, active, settings):
    settings.CATALOGUE_FACT_MAX_AGE_DAYS = 0
    response = admin_client.get(reverse(URL), {"days": "-3"})
    assert response.status_code == 400
    assert "ms_eudb" in response.content.decode()  # falls back to the setting


def test_admin_page_is_for_staff_only(client, alice, active):
    client.force_login(alice)
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
