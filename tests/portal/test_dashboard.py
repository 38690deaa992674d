import csv
import io

import pytest
from django.urls import reverse

from assessments import services
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db


def _submitted(organization, answers):
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role="owner")
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


@pytest.fixture
def portfolio(questionnaire, consultant):
    careful = OrganizationFactory(name="Vorsichtig GmbH", consultant=consultant)
    risky = OrganizationFactory(name='=HYPERLINK("http://x") Riskant KG')
    untouched = OrganizationFactory(name="Neukunde AG")
    _submitted(careful, {**COMPLETE, "services": ["m365_copilot"], "staff": 3, "maturity": 5})
    _submitted(
        risky, {**COMPLETE, "chatgpt_data": "yes", "staff": 400, "maturity": 1, "role": "build"}
    )
    return careful, risky, untouched


def test_dashboard_lists_latest_scores_and_sorts(client, consultant, portfolio):
    careful, risky, untouched = portfolio
    client.force_login(consultant)

    body = client.get(reverse("consultant_dashboard") + "?sort=-lock_in").content.decode()

    assert body.index("Riskant KG") < body.index("Vorsichtig GmbH") < body.index("Neukunde AG")
    assert "noch nicht begonnen" in body
    assert str(risky.results.get().readiness) in body
    ascending = client.get(reverse("consultant_dashboard") + "?sort=readiness").content.decode()
    assert ascending.index("Riskant KG") < ascending.index("Vorsichtig GmbH")


def test_dashboard_filters_by_level_and_own_clients(client, consultant, portfolio):
    careful, risky, _ = portfolio
    client.force_login(consultant)
    level = risky.results.get().worst_level

    body = client.get(reverse("consultant_dashboard") + f"?level={level}").content.decode()
    assert "Riskant KG" in body and "Neukunde AG" not in body

    mine = client.get(reverse("consultant_dashboard") + "?mine=1").content.decode()
    assert "Vorsichtig GmbH" in mine and "Riskant KG" not in mine


def test_csv_export_has_scores_and_defuses_formulas(client, consultant, portfolio):
    careful, risky, _ = portfolio
    client.force_login(consultant)

    response = client.get(reverse("consultant_dashboard") + "?format=csv&sort=name")

    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Unternehmen", "Branche"]
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x") Riskant KG' in names
    careful_row = next(row for row in rows if row[0] == "Vorsichtig GmbH")
    assert careful_row[5] == str(careful.results.get().readiness)


def test_clients_cannot_see_dashboard_or_export(client, alice):
    client.force_login(alice)
    assert client.get(reverse("consultant_dashboard")).status_code == 404
    assert client.get(reverse("consultant_dashboard") + "?format=csv").status_code == 404
