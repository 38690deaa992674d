"""``manage.py rescore``: the full recompute (default), the skip path (``--skip-unchanged``) and
the fingerprint it relies on, ``--jobs``. Runs on SQLite and PostgreSQL (DATABASE_URL)."""

import copy
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, QuestionnaireVersion, Result
from assessments.scoring import fingerprint
from assessments.scoring.fingerprint import result_fingerprint
from assessments.selectors import answers_dict
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.wizard.conftest import COMPLETE, fill

pytestmark = pytest.mark.django_db

RISKY = {**COMPLETE, "chatgpt_data": "yes", "maturity": 1}


def _submit(organization, user, answers):
    assessment = services.assessment_start(
        organization=organization, user=user, copy_previous=False
    ).assessment
    fill(assessment, user, answers)
    return services.assessment_submit(assessment=assessment, user=user)


@pytest.fixture
def two(questionnaire, org_a, alice, org_b, charlie):
    """Two submitted assessments of two clients, each with its stored result."""
    return _submit(org_a, alice, COMPLETE), _submit(org_b, charlie, RISKY)


def _rescore(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rescore", *args, stdout=out)
    return out.getvalue()


def _damage(assessment):
    """A hand edit that leaves the inputs (and so the fingerprint) alone."""
    Result.objects.filter(pk=assessment.pk).update(gdpr=99, readiness=0)


# --- the fingerprint ---------------------------------------------------------------------------


def test_fingerprint_depends_on_answers_catalogue_and_scoring_version(questionnaire, monkeypatch):
    document = questionnaire.document
    base = result_fingerprint(document, COMPLETE)

    # the same answers in another key order (jsonb returns them sorted): the same inputs
    assert result_fingerprint(document, dict(reversed(list(COMPLETE.items())))) == base
    # one answer changed
    assert result_fingerprint(document, {**COMPLETE, "chatgpt_data": "yes"}) != base
    # an answer removed
    assert result_fingerprint(document, {k: v for k, v in COMPLETE.items() if k != "staff"}) != (
        base
    )
    # a catalogue fix: one option's points changed, everything else equal
    fixed = copy.deepcopy(document)
    option = fixed["sections"][0]["questions"][0]["options"][0]
    option["scores"] = {**option.get("scores", {}), "gdpr": 7}
    assert result_fingerprint(fixed, COMPLETE) != base
    # a new scoring version (or card format, or scoring code) changes RESULT_FORMAT
    monkeypatch.setattr(fingerprint, "RESULT_FORMAT", fingerprint.RESULT_FORMAT + " next")
    assert result_fingerprint(document, COMPLETE) != base


def test_every_writer_stores_the_same_fingerprint(two):
    first, second = two
    expected = {
        a.pk: result_fingerprint(a.questionnaire.document, answers_dict(a)) for a in (first, second)
    }
    stored_on_submit = dict(Result.objects.values_list("pk", "fingerprint"))

    _rescore()

    assert stored_on_submit == expected
    assert dict(Result.objects.values_list("pk", "fingerprint")) == expected


# --- full rescore (default) --------------------------------------------------------------------


def test_rescore_recomputes_every_result_and_repairs_hand_edits(two):
    first, second = two
    before = {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()}
    _damage(first)
    _damage(second)
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)

    output = _rescore("--batch-size", "1")

    assert {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()} == before
    assert not Result.objects.filter(computed_at=earlier).exists()
    assert "Rescored 2 results" in output


# --- writing only what changed -----------------------------------------------------------------


def _stored(pk):
    return Result.objects.filter(pk=pk).values(*services.RESCORE_FIELDS).get()


def test_rescore_writes_only_the_rows_whose_result_changed(two):
    """Both results were stored by submit from the same answers, catalogue and code, so a
    recompute gives equal fields: neither is written (computed_at stays). After a hand edit of
    one row, only that row differs from its recomputed result and is written."""
    first, second = two
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)
    before = {pk: _stored(pk) for pk in (first.pk, second.pk)}

    outcome = services.results_rescore(batch_size=1)

    assert (outcome.rescored, outcome.written, outcome.fingerprints) == (2, 0, 0)
    assert {pk: _stored(pk) for pk in (first.pk, second.pk)} == before

    _damage(second)
    outcome = services.results_rescore()

    assert (outcome.rescored, outcome.written, outcome.fingerprints) == (2, 1, 0)
    assert _stored(first.pk) == before[first.pk]  # computed_at too: not written
    repaired = _stored(second.pk)
    assert repaired["computed_at"] > earlier
    assert {k: v for k, v in repaired.items() if k != "computed_at"} == {
        k: v for k, v in before[second.pk].items() if k != "computed_at"
    }


def test_a_changed_card_alone_is_written(two):
    """The card is compared too, not only the scores: a stored card in another (older) form
    reads the same but is not what this code stores, so the row is written."""
    first, _second = two
    Result.objects.filter(pk=first.pk).update(
        card=Result.objects.get(pk=first.pk).scorecard().to_dict()
    )

    outcome = services.results_rescore()

    assert outcome.written == 1
    assert Result.objects.get(pk=first.pk).card["format"] == "compact-1"


def test_a_new_fingerprint_with_an_equal_result_writes_only_the_fingerprint(two, monkeypatch):
    """A code change that changes no result (say, a refactoring) changes every fingerprint but
    no stored field: only the fingerprints are written, so that ``--skip-unchanged`` skips these
    results next time, and the results keep their computed_at."""
    first, second = two
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)
    before = {pk: _stored(pk) for pk in (first.pk, second.pk)}
    monkeypatch.setattr(fingerprint, "RESULT_FORMAT", fingerprint.RESULT_FORMAT + " refactored")

    outcome = services.results_rescore()

    assert (outcome.rescored, outcome.written, outcome.fingerprints) == (2, 0, 2)
    for assessment in (first, second):
        after = _stored(assessment.pk)
        assert after["fingerprint"] == result_fingerprint(
            assessment.questionnaire.document, answers_dict(assessment)
        )
        assert after["fingerprint"] != before[assessment.pk]["fingerprint"]
        assert {k: v for k, v in after.items() if k != "fingerprint"} == {
            k: v for k, v in before[assessment.pk].items() if k != "fingerprint"
        }
    output = _rescore("--skip-unchanged")
    assert "Rescored 0 results" in output and "skipped 2 unchanged" in output


# --- skip path ---------------------------------------------------------------------------------


def test_skip_unchanged_leaves_results_whose_inputs_are_unchanged(two):
    first, _second = two
    _damage(first)  # the inputs are unchanged, so the skip path cannot notice this edit

    output = _rescore("--skip-unchanged")

    assert Result.objects.get(pk=first.pk).gdpr == 99
    assert "Rescored 0 results" in output and "skipped 2 unchanged" in output


def test_skip_unchanged_recomputes_a_result_whose_answers_changed(two):
    first, second = two
    _damage(first)
    _damage(second)
    # a data fix on one assessment's answers: only that result's inputs changed
    Answer.objects.filter(assessment=first, question_key="chatgpt_data").update(value="yes")
    old = Result.objects.get(pk=first.pk).fingerprint

    output = _rescore("--skip-unchanged")

    refreshed = Result.objects.get(pk=first.pk)
    assert refreshed.gdpr != 99
    assert refreshed.fingerprint == result_fingerprint(
        first.questionnaire.document, answers_dict(first)
    )
    assert refreshed.fingerprint != old
    assert Result.objects.get(pk=second.pk).gdpr == 99  # untouched inputs: skipped
    assert "Rescored 1 results" in output and "skipped 1 unchanged" in output


def test_skip_unchanged_recomputes_everything_after_a_catalogue_fix(two):
    version = QuestionnaireVersion.objects.get()
    document = copy.deepcopy(version.document)
    document["title"]["de"] += " (korrigiert)"  # any change to the stored document counts
    QuestionnaireVersion.objects.filter(pk=version.pk).update(document=document)
    Result.objects.update(gdpr=99)

    output = _rescore("--skip-unchanged")

    assert not Result.objects.filter(gdpr=99).exists()
    assert "Rescored 2 results" in output and "skipped 0 unchanged" in output


def test_skip_unchanged_recomputes_everything_after_a_new_scoring_version(two, monkeypatch):
    Result.objects.update(gdpr=99)
    monkeypatch.setattr(fingerprint, "RESULT_FORMAT", "scoring 9.9; a later release")

    output = _rescore("--skip-unchanged")

    assert not Result.objects.filter(gdpr=99).exists()
    assert "Rescored 2 results" in output


def test_skip_unchanged_recomputes_results_stored_before_fingerprints(two):
    first, second = two
    Result.objects.filter(pk=first.pk).update(fingerprint="", gdpr=99)

    output = _rescore("--skip-unchanged")

    assert Result.objects.get(pk=first.pk).gdpr != 99
    assert Result.objects.get(pk=first.pk).fingerprint
    assert "Rescored 1 results" in output and "skipped 1 unchanged" in output


def test_bad_arguments_are_refused(two):
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        _rescore("--jobs", "0")
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        _rescore("--batch-size", "0")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_jobs_on_sqlite_is_refused_with_a_clear_error(two):
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        _rescore("--jobs", "2")
    assert Result.objects.count() == 2  # nothing lost


# --- ordering ----------------------------------------------------------------------------------


def test_default_result_order_is_latest_submission_first(questionnaire, org_a, alice):
    older = _submit(org_a, alice, COMPLETE)
    newer = _submit(org_a, alice, RISKY)
    # computed_at says the opposite (as after a rescore that happened to run in that order)
    Result.objects.filter(pk=older.pk).update(computed_at=timezone.now() + timedelta(hours=1))

    assert [r.pk for r in Result.objects.all()] == [newer.pk, older.pk]
    assert Result.objects.first().pk == newer.pk


# --- parallel (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="--jobs needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_jobs_rescore_every_result_in_separate_processes(questionnaire):
    assessments = []
    for number in range(7):
        organization = OrganizationFactory(name=f"Parallel {number} GmbH")
        owner = UserFactory()
        MembershipFactory(user=owner, organization=organization)
        answers = RISKY if number % 2 else COMPLETE
        assessments.append(_submit(organization, owner, answers))
    before = {r.pk: (r.gdpr, r.readiness, r.fingerprint) for r in Result.objects.all()}
    Result.objects.update(gdpr=99, readiness=0, fingerprint="")

    output = _rescore("--jobs", "3", "--batch-size", "2")

    assert {r.pk: (r.gdpr, r.readiness, r.fingerprint) for r in Result.objects.all()} == before
    assert "Rescored 7 results" in output
    assert Assessment.objects.filter(status="submitted").count() == 7

    Result.objects.filter(pk=assessments[0].pk).update(gdpr=99)
    skipped = _rescore("--jobs", "2", "--skip-unchanged")
    assert "Rescored 0 results" in skipped and "skipped 7 unchanged" in skipped


def test_a_real_card_compares_equal_to_what_the_database_stored(org_a, alice):
    """The shipped catalogue, every multi-choice option ticked, use cases named with umlauts
    and the readiness inputs as a client gives them: the stored card contains texts outside
    ASCII, floats and answer rows. On PostgreSQL it is compared as the text jsonb prints; the
    recompute gives the same result, so nothing may be written. A changed scoring version in
    the row is then noticed and written."""
    from assessments.catalogue import CATALOGUE_DIR, load_document, to_plain
    from assessments.demo import profile_answers

    source = (CATALOGUE_DIR / "ki-readiness-2026.12.yaml").read_text(encoding="utf-8")
    version = services.questionnaire_load(source=source)
    services.questionnaire_publish(version=version)
    services.questionnaire_activate(version=version)
    document = to_plain(load_document(source))
    answers = profile_answers(document, 1.0, {})
    for section in document["sections"]:
        for question in section["questions"]:
            if question["type"] == "multi_choice":
                answers[question["key"]] = [o["key"] for o in question["options"]]
            if question["type"] == "repeat_group":
                rows = []
                for number, name in enumerate(("Bewerberprüfung", "Kündigungs-Assistent »Ü«")):
                    row = {}
                    for field in question["fields"]:
                        keys = [o["key"] for o in field.get("options", ())]
                        if field["type"] == "text":
                            row[field["key"]] = name
                        elif field["type"] == "yes_no":
                            row[field["key"]] = "yes"
                        elif keys:
                            row[field["key"]] = keys[(number * 3 + 1) % len(keys)]
                    rows.append(row)
                answers[question["key"]] = rows
    submitted = _submit(org_a, alice, answers)
    stored = json.dumps(Result.objects.get(pk=submitted.pk).card, ensure_ascii=False)
    assert "Bewerberprüfung" in stored and "»Ü«" in stored  # the case the text compare must get

    outcome = services.results_rescore()

    assert (outcome.rescored, outcome.written, outcome.fingerprints) == (1, 0, 0)

    Result.objects.filter(pk=submitted.pk).update(scoring_version="0.9")
    outcome = services.results_rescore()

    assert (outcome.rescored, outcome.written) == (1, 1)
    assert Result.objects.get(pk=submitted.pk).scoring_version != "0.9"
