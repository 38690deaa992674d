"""The portfolio dashboard: filters, sort, search, pagination, summary, exports, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services
from assessments.models import Assessment, Report, Result
from assessments.results import services as result_services
from assessments.review.services import review_transition
from portal.models import Industry, Membership, Organization, SizeBand
from portal.portfolio.seed import portfolio_seed
from tests.factories import ConsultantFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

URL = reverse("consultant_dashboard")
RISKY = {**COMPLETE, "chatgpt_data": "yes", "staff": 400, "maturity": 1, "role": "build"}
CAREFUL = {**COMPLETE, "services": ["m365_copilot"], "staff": 3, "maturity": 5}


def _submit(organization, answers, *, when=None):
    owner = UserFactory()
    MembershipFactory(user=owner, organization=organization, role=Membership.Role.OWNER)
    assessment = services.assessment_start(organization=organization, user=owner).assessment
    fill(assessment, owner, answers)
    assessment = services.assessment_submit(assessment=assessment, user=owner)
    if when is not None:
        Assessment.objects.filter(pk=assessment.pk).update(submitted_at=when)
        # what every writer of submitted_at does (contracts): latest result and summary row
        result_services.latest_results_refresh(organization_ids=[organization.pk])
    return assessment


@pytest.fixture
def clients(questionnaire, consultant):
    """Four clients that differ in every filtered property."""
    other = ConsultantFactory(email="olaf@beratung.example", first_name="Olaf")
    risky = OrganizationFactory(
        name="Riskant Logistik KG",
        industry=Industry.LOGISTICS,
        size_band=SizeBand.MEDIUM,
        consultant=None,
    )
    careful = OrganizationFactory(
        name="Vorsicht Steuerberatung",
        industry=Industry.PROFESSIONAL,
        size_band=SizeBand.MICRO,
        consultant=consultant,
    )
    old = OrganizationFactory(
        name="Altbestand Bäckerei",
        industry=Industry.CRAFT,
        size_band=SizeBand.SMALL,
        consultant=other,
    )
    fresh = OrganizationFactory(
        name="Neukunde AG", industry=Industry.IT, size_band=SizeBand.LARGE, consultant=consultant
    )
    _submit(risky, RISKY)
    _submit(careful, CAREFUL)
    _submit(
        old, {**COMPLETE, "services": ["chatgpt_free"]}, when=timezone.now() - timedelta(days=500)
    )
    return {"risky": risky, "careful": careful, "old": old, "fresh": fresh, "other": other}


def _names(client, query=""):
    body = client.get(URL + query).content.decode()
    table = body.split("portfolio-table", 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    names = ["Riskant Logistik KG", "Vorsicht Steuerberatung", "Altbestand Bäckerei", "Neukunde AG"]
    return [name for name in sorted(names, key=lambda n: table.find(n)) if name in table]


def test_filters_select_the_expected_clients(client, consultant, clients):
    client.force_login(consultant)
    risky = Result.objects.get(organization=clients["risky"])
    careful = Result.objects.get(organization=clients["careful"])

    assert _names(client, "?q=steuer") == ["Vorsicht Steuerberatung"]
    assert _names(client, "?industry=logistics") == ["Riskant Logistik KG"]
    assert _names(client, "?size=large") == ["Neukunde AG"]
    assert _names(client, "?unassigned=1") == ["Riskant Logistik KG"]
    assert set(_names(client, "?mine=1")) == {"Vorsicht Steuerberatung", "Neukunde AG"}
    assert _names(client, f"?consultant={clients['other'].pk}") == ["Altbestand Bäckerei"]
    assert _names(client, "?stale=1") == ["Altbestand Bäckerei"]
    assert _names(client, f"?level={risky.worst_level}")[0] == "Riskant Logistik KG"
    gdpr_level = "critical" if risky.gdpr >= 75 else "high" if risky.gdpr >= 50 else "medium"
    assert "Riskant Logistik KG" in _names(client, f"?lvl_gdpr={gdpr_level}")
    assert "Vorsicht Steuerberatung" not in _names(client, f"?lvl_gdpr={gdpr_level}")
    microsoft = careful.vendor_exposure["microsoft"]
    assert "Vorsicht Steuerberatung" in _names(
        client, f"?vendor=microsoft&vendor_op=ge&vendor_min={microsoft}"
    )
    assert "Vorsicht Steuerberatung" not in _names(
        client, f"?vendor=microsoft&vendor_op=gt&vendor_min={microsoft}"
    )
    assert _names(client, "?vendor=openai&vendor_op=gt&vendor_min=0") == [
        n
        for n in _names(client, "?sort=name")
        if n
        in {
            o.name
            for o in Organization.objects.filter(latest_result__vendor_exposure__openai__gt=0)
        }
    ]


def test_incomplete_filter_matches_nothing_without_the_flag_or_the_flagged(
    client, consultant, clients
):
    client.force_login(consultant)
    expected = set()
    if any(f.name == "incomplete_answers" for f in Result._meta.get_fields()):
        expected = set(
            Organization.objects.filter(latest_result__incomplete_answers=True).values_list(
                "name", flat=True
            )
        )
    assert set(_names(client, "?incomplete=1")) == expected


def test_sort_by_score_and_submission_with_empty_rows_last(client, consultant, clients):
    client.force_login(consultant)

    by_lock_in = _names(client, "?sort=-lock_in")
    assert by_lock_in[0] == "Riskant Logistik KG" and by_lock_in[-1] == "Neukunde AG"
    ascending = _names(client, "?sort=readiness")
    assert ascending.index("Riskant Logistik KG") < ascending.index("Vorsicht Steuerberatung")
    assert ascending[-1] == "Neukunde AG"
    assert _names(client, "?sort=-submitted")[-2:] == ["Altbestand Bäckerei", "Neukunde AG"]
    assert _names(client, "?sort=-name")[0] == "Vorsicht Steuerberatung"


def test_filters_and_sort_stay_in_links(client, consultant, clients):
    client.force_login(consultant)

    body = client.get(URL + "?industry=logistics&unassigned=1&sort=-gdpr").content.decode()

    assert "industry=logistics&amp;unassigned=1&amp;sort=-lock_in" in body  # a sort header
    assert "industry=logistics&amp;unassigned=1&amp;sort=-gdpr&amp;format=csv" in body
    assert 'aria-sort="descending"' in body


def test_bad_filter_values_are_ignored_not_errors(client, consultant, clients):
    client.force_login(consultant)

    response = client.get(
        URL + "?level=extreme&lvl_gdpr=x&industry=mining&vendor=nobody&vendor_min=500"
        "&consultant=abc&page=-3&sort=drop+table"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "ungültig" in body
    assert len(_names(client, "?level=extreme&page=zzz&sort=%27")) == 4


def test_pagination_keeps_filters_and_splits_pages(client, consultant, questionnaire):
    portfolio_seed(organizations=60, assessments=60, with_answers=False)
    client.force_login(consultant)

    first = client.get(URL + "?sort=-readiness").content.decode()
    second = client.get(URL + "?sort=-readiness&page=2").content.decode()
    beyond = client.get(URL + "?sort=-readiness&page=99")

    assert first.count('class="cell-name"') == 50
    assert second.count('class="cell-name"') == 10
    assert "sort=-readiness&amp;page=2" in first
    assert beyond.status_code == 200 and beyond.content.decode().count('class="cell-name"') == 10


def test_summary_counts_heat_map_and_attention(client, consultant, clients):
    risky = clients["risky"]
    report = Report.objects.create(
        assessment=risky.assessments.get(), status=Report.Status.FAILED, requested_by=consultant
    )
    client.force_login(consultant)

    response = client.get(URL)
    summary = response.context["summary"]
    attention = {item["name"]: item["reasons"] for item in response.context["attention"]}

    assert summary["total"] == 4 and summary["no_result"] == 1
    assert sum(item["count"] for item in summary["levels"]) == 3
    for row in summary["heat"]:
        assert sum(cell["count"] for cell in row["cells"]) == 3
    assert summary["attention_counts"]["reports"] == 1
    assert summary["attention_counts"]["unassigned"] == 1
    assert summary["attention_counts"]["stale"] == 1
    assert "Bericht fehlgeschlagen oder hängt" in attention["Riskant Logistik KG"]
    assert "ohne Berater/in" in attention["Riskant Logistik KG"]
    assert "letzte Bewertung älter als 12 Monate" in attention["Altbestand Bäckerei"]
    assert list(attention)[0] == "Riskant Logistik KG"  # the failed report comes first
    # each entry links to the client's page (the id comes back as text on SQLite)
    assert response.context["attention"][0]["url"] == reverse(
        "organization_detail", args=[risky.pk]
    )
    assert f'href="{reverse("organization_detail", args=[risky.pk])}"' in response.content.decode()
    report.delete()


def test_csv_and_xlsx_export_the_current_filter_with_the_same_columns(client, consultant, clients):
    Organization.objects.filter(pk=clients["careful"].pk).update(name="=1+1 Steuerberatung")
    client.force_login(consultant)

    response = client.get(URL + "?mine=1&sort=name&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    raw = response.getvalue().decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["'=1+1 Steuerberatung", "Neukunde AG"]
    careful = Result.objects.get(organization=clients["careful"])
    assert rows[1][5] == str(careful.readiness) and rows[1][1] == str(Industry.PROFESSIONAL.label)

    xlsx = client.get(URL + "?mine=1&sort=name&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == rows[0]
    assert values[1][0] == "=1+1 Steuerberatung"  # text, not a formula
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert values[1][5] == careful.readiness
    assert len(values) == len(rows)


def test_clients_and_anonymous_get_no_dashboard_or_exports(client, alice, clients):
    for query in ("", "?format=csv", "?format=xlsx", "?unassigned=1"):
        assert client.get(URL + query).status_code == 302
    client.force_login(alice)
    for query in ("", "?format=csv", "?format=xlsx", "?unassigned=1"):
        assert client.get(URL + query).status_code == 404


def _queries(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + query)
        response.getvalue()  # an export streams: its queries run while it is read
    assert response.status_code == 200
    return len(captured)


def test_query_count_is_the_same_for_10_and_500_clients(
    client, consultant, questionnaire, settings
):
    # the page as it is built (a cached page costs fewer: tests/portal/test_portfolio_cache.py)
    settings.PORTFOLIO_CACHE_SECONDS = 0
    settings.AUDIT_READ_REPEAT_SECONDS = 0  # every read is one audit entry (one INSERT)
    portfolio_seed(organizations=10, assessments=20, with_answers=False, seed=1)
    client.force_login(consultant)
    client.get(URL)  # the catalogue facts are cached per version after the first page
    small = [_queries(client), _queries(client, "?lvl_gdpr=high&sort=-lock_in&stale=1")]

    portfolio_seed(organizations=490, assessments=980, with_answers=False, seed=2)
    assert Organization.objects.count() == 500
    large = [_queries(client), _queries(client, "?lvl_gdpr=high&sort=-lock_in&stale=1")]

    assert small == large
    assert max(large) <= 10  # issue 20: whatever the portfolio's size


def test_exports_take_the_same_few_queries_for_10_and_500_clients(client, consultant, settings):
    # the rows are read with a server-side cursor in chunks on PostgreSQL: still one query each
    settings.AUDIT_READ_REPEAT_SECONDS = 0
    portfolio_seed(organizations=10, assessments=20, with_answers=False, seed=5)
    client.force_login(consultant)
    client.get(URL + "?format=xlsx").getvalue()  # the catalogue facts are cached per version
    small = [_queries(client, "?format=csv"), _queries(client, "?format=xlsx")]

    portfolio_seed(organizations=490, assessments=980, with_answers=False, seed=6)
    large = [_queries(client, "?format=csv"), _queries(client, "?format=xlsx")]
    rows = load_workbook(io.BytesIO(client.get(URL + "?format=xlsx").getvalue())).active.max_row

    assert small == large
    # session, user, second factor, form choices, the rows, the read audit
    assert max(large) <= 6
    assert rows == 501  # the header and every client


def test_translations_do_not_grow_with_rows(client, consultant, questionnaire, monkeypatch):
    from django.utils.translation import trans_real

    calls = []
    original = trans_real.gettext
    monkeypatch.setattr(trans_real, "gettext", lambda m: (calls.append(m), original(m))[1])
    client.force_login(consultant)

    def count(query):
        calls.clear()
        client.get(URL + query).getvalue()  # an export streams: read it all
        return len(calls)

    portfolio_seed(organizations=5, assessments=5, with_answers=False, seed=3)
    few = (count(""), count("?format=csv"))
    portfolio_seed(organizations=120, assessments=120, with_answers=False, seed=4)
    many = (count(""), count("?format=csv"))

    assert few == many


def test_review_state_filter_uses_the_latest_assessment(client, consultant, clients):
    risky = clients["risky"]
    latest = Assessment.objects.get(organization=risky)
    review_transition(assessment=latest, to_state="in_review", actor=consultant)
    client.force_login(consultant)

    assert _names(client, "?review=in_review") == ["Riskant Logistik KG"]
    assert "Riskant Logistik KG" not in _names(client, "?review=submitted")
    assert client.get(URL + "?review=bogus").status_code == 200


def test_sort_is_also_a_field_of_the_filter_form(client, consultant, clients):
    # on a phone the column headers are hidden, so the form must offer every order they offer
    client.force_login(consultant)
    body = client.get(URL + "?sort=-gdpr&unassigned=1").content.decode()
    form = body.split('id="f-sort"', 1)[1].split("</select>", 1)[0]
    assert '<option value="-gdpr" selected>' in form
    for key in ("name", "readiness", "lock_in", "gdpr", "ai_act", "continuity", "governance"):
        assert f'value="{key}"' in form and f'value="-{key}"' in form
    assert 'value="submitted"' in form and 'value="-submitted"' in form
    # submitting the form keeps the order together with the filter
    assert _names(client, "?sort=-lock_in&unassigned=1") == ["Riskant Logistik KG"]


def test_empty_heat_map_cells_are_not_shaded(client, consultant, clients):
    client.force_login(consultant)
    response = client.get(URL)
    cells = [cell for row in response.context["summary"]["heat"] for cell in row["cells"]]
    assert any(cell["count"] == 0 for cell in cells)
    for cell in cells:
        assert (cell["opacity"] == "0") == (cell["count"] == 0)
