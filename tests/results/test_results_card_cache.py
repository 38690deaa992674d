"""The results page keeps what follows from the card alone (gauge, charts, AI Act table, drivers,
changed answers) in the cache, under a key of exactly its inputs (decision 0051): a second view
scores nothing and reads no answers, and any change of an input shows at once."""

import dataclasses
import re
import socket

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import scoring, services
from assessments.models import Result
from assessments.results import fragments
from assessments.results.presentation import READINESS_LABELS
from assessments.scoring import stamp
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def _submit(organization, user, answers):
    assessment = services.assessment_start(organization=organization, user=user).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


def _page(client, assessment) -> tuple[str, list[str]]:
    """The page's HTML (without the form tokens, which differ per response) and its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("assessment_done", args=[assessment.pk]))
    assert response.status_code == 200
    body = CSRF.sub("", response.content.decode())
    return body, [q["sql"] for q in queries.captured_queries]


def _reads_answers(queries) -> bool:
    return any('FROM "assessments_answer"' in sql for sql in queries)


@pytest.fixture
def two(questionnaire, org_a, alice):
    first = _submit(org_a, alice, {**COMPLETE, "chatgpt_data": "yes"})
    second = _submit(org_a, alice, {"chatgpt_data": "no", "maturity": 1})
    return first, second


def test_a_second_view_is_served_from_the_cache_and_reads_the_same(client, two, consultant):
    _first, second = two
    client.force_login(consultant)

    built, built_queries = _page(client, second)
    cached, cached_queries = _page(client, second)

    assert _reads_answers(built_queries) and not _reads_answers(cached_queries)
    assert cached == built
    assert "Was sich seit der Bewertung" in cached and 'data-changed="chatgpt_data"' in cached


@pytest.mark.parametrize("reader", ["consultant", "alice", "bob"])
def test_each_reader_sees_from_the_cache_what_a_fresh_build_shows(client, two, reader, request):
    """Consultants and the client's members get their own entry (the legal path is open for
    consultants), whoever filled the cache first."""
    _first, second = two
    others = [name for name in ("consultant", "alice", "bob") if name != reader]
    for name in others:  # the entries of the other readers exist already
        client.force_login(request.getfixturevalue(name))
        _page(client, second)
    client.force_login(request.getfixturevalue(reader))
    from_cache, _queries = _page(client, second)

    cache.clear()
    fresh, queries = _page(client, second)

    assert _reads_answers(queries)
    assert from_cache == fresh


def test_another_client_gets_404_with_the_card_in_the_cache(client, two, alice, charlie):
    _first, second = two
    client.force_login(alice)
    _page(client, second)

    client.force_login(charlie)
    assert client.get(reverse("assessment_done", args=[second.pk])).status_code == 404


def test_a_rescored_previous_result_changes_the_comparison_at_once(client, two, consultant):
    """The change per dimension is this card against the previous result's stored scores: a
    rescore of the previous result (new numbers) moves the key."""
    first, second = two
    client.force_login(consultant)
    _page(client, second)
    previous = Result.objects.get(pk=first.pk)
    card = Result.objects.get(pk=second.pk).scorecard()
    target = card.dimension("governance").score - 7  # the governance change becomes +7
    assert target >= 0 and previous.governance != target
    Result.objects.filter(pk=first.pk).update(governance=target)

    body, queries = _page(client, second)

    assert _reads_answers(queries)
    row = re.search(r'href="#dim-governance">(?:(?!</tr>).)*</tr>', body, re.S).group(0)
    assert '<span class="text-danger">+7 ▲</span>' in row


def test_new_scoring_code_shows_its_card_after_the_rescore(client, two, consultant, monkeypatch):
    _first, second = two
    client.force_login(consultant)
    before, _queries = _page(client, second)
    level = (
        "low" if Result.objects.get(pk=second.pk).scorecard().readiness_level != "low" else "high"
    )
    label = f'<p class="fw-semibold mb-0">{READINESS_LABELS[level]}</p>'
    assert label not in before

    real = scoring.score

    def other(document, answers):  # a new engine that reads readiness differently
        return dataclasses.replace(real(document, answers), readiness_level=level)

    monkeypatch.setattr(scoring, "score", other)
    monkeypatch.setattr(stamp, "RESULT_FORMAT", stamp.RESULT_FORMAT + " (new engine)")
    call_command("rescore", batch_size=10)

    after, queries = _page(client, second)
    assert _reads_answers(queries)
    assert label in after


def test_the_key_holds_every_input(two, consultant, monkeypatch):
    _first, second = two
    second.refresh_from_db()
    previous = {"readiness": 50, "lock_in": 10}

    def key(**changes):
        arguments = {"assessment": second, "previous": previous, "consultant": True, **changes}
        return fragments.cache_key(**arguments)

    base = key()
    assert key() == base
    assert key(consultant=False) != base
    assert key(previous=None) != base
    assert key(previous={**previous, "lock_in": 11}) != base
    second.result.computed_with = "another stamp"
    assert key() != base
    second.result.refresh_from_db()
    assert key() == base

    from django.utils import translation

    with translation.override("en"):
        assert key() != base

    import datetime

    monkeypatch.setattr(fragments.timezone, "localdate", lambda: datetime.date(2099, 1, 1))
    assert key() != base  # "seit …" and "bis …" of legal dates follow the day
    monkeypatch.undo()
    monkeypatch.setattr(stamp, "RESULT_FORMAT", stamp.RESULT_FORMAT + " (new code)")
    assert key() != base


def test_an_unreachable_cache_serves_the_page(client, two, consultant, settings):
    """Decision 0026: a cache server that is down is an empty cache; the page is built each time."""
    _first, second = two
    client.force_login(consultant)
    expected, _queries = _page(client, second)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        },
    }
    try:
        for _ in range(2):
            body, queries = _page(client, second)
            assert _reads_answers(queries)
            assert body == expected
    finally:
        caches["default"].close()


def test_a_changed_action_shows_at_once(client, two, consultant):
    """The plan's table is kept by a hash of the rows read on each view: a new state is a new
    key."""
    from assessments.actionplan import services as plan_services

    _first, second = two
    client.force_login(consultant)
    before, _queries = _page(client, second)
    action = second.actions.order_by("priority", "created_at").first()
    assert 'class="badge action-done"' not in before

    plan_services.action_update(action=action, actor=consultant, fields={"state": "done"})

    after, _queries = _page(client, second)
    assert after.count('class="badge action-done"') == 1
    assert "erledigt" in after
