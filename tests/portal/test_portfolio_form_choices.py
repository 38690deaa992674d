"""The dashboard's filter form reads the active catalogue version's facts and the consultants in
one statement (``portal.portfolio.facts.facts_and_consultants``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.portfolio.facts import DEFAULT_THRESHOLDS, catalogue_facts, facts_and_consultants
from tests.factories import ConsultantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_active_consultants_by_e_mail_and_the_active_version_s_facts(questionnaire):
    ConsultantFactory(email="zora@beratung.example", first_name="Zora", last_name="Ziegler")
    ConsultantFactory(email="anna@beratung.example", first_name="", last_name="")
    ConsultantFactory(email="gone@beratung.example", is_active=False)
    UserFactory(email="kunde@firma.example")  # a client, not a consultant

    facts_and_consultants()  # the version's document is read once per version and process
    with CaptureQueriesContext(connection) as captured:
        facts, consultants = facts_and_consultants()

    assert len(captured) == 1
    assert facts == catalogue_facts()  # the same as the version's own read
    assert facts.vendors  # the test catalogue names vendors
    names = [name for _pk, name in consultants]
    assert names == ["anna@beratung.example", "Zora Ziegler"]  # by e-mail; no name: the e-mail


def test_without_an_active_version_the_shipped_thresholds():
    ConsultantFactory(email="berater@beratung.example", first_name="Ben", last_name="Berg")

    facts, consultants = facts_and_consultants()

    assert facts.thresholds == DEFAULT_THRESHOLDS and facts.vendors == ()
    assert [name for _pk, name in consultants] == ["Ben Berg"]
