"""``manage.py rescore``: only the stale results by default (``computed_with`` differs from the
stamp of the scoring code and the result's catalogue version now), every result with ``--all``,
``--jobs``; the frozen answers the stamp relies on. Runs on SQLite and PostgreSQL
(DATABASE_URL)."""

import copy
import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from assessments import services
from assessments.admin import AnswerInline, AssessmentAdmin
from assessments.models import Answer, Assessment, QuestionnaireVersion, Result
from assessments.questionnaire.services import AssessmentLocked, answer_save
from assessments.results import services as result_services
from assessments.results import services as results_services
from assessments.scoring import stamp
from assessments.scoring.stamp import result_stamp
from portal.models import ClientSummary
from portal.portfolio.summary import client_summaries_refresh
from tests.conftest import WIZARD_CATALOGUE
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
    """A hand edit of the stored row: the stamp stays, so only ``--all`` notices it."""
    Result.objects.filter(pk=assessment.pk).update(gdpr=99, readiness=0)


def _stored(pk):
    return Result.objects.filter(pk=pk).values(*result_services.RESCORE_FIELDS).get()


def _new_format(monkeypatch, suffix=" next"):
    """What a deploy with changed scoring code does to the stamp of every result."""
    monkeypatch.setattr(stamp, "RESULT_FORMAT", stamp.RESULT_FORMAT + suffix)


# --- frozen answers: what lets the stamp leave them out ----------------------------------------


def test_answers_of_a_submitted_assessment_cannot_change(two, alice):
    """The stamp hashes no answers because no code path changes those of a submitted
    assessment: saving an answer is refused, the admin shows status and answers read-only, and
    nothing outside a query ever sets an assessment back to draft."""
    first, _second = two
    with pytest.raises(AssessmentLocked):
        answer_save(assessment=first, user=alice, question_key="staff", value=1)
    assert "status" in AssessmentAdmin.readonly_fields
    editable = {f.name for f in Answer._meta.get_fields() if getattr(f, "editable", False)}
    assert editable - {"id", "assessment"} <= set(AnswerInline.readonly_fields)
    assert AnswerInline.can_delete is False
    assert AnswerInline.has_add_permission(AnswerInline(Assessment, admin.site), None) is False

    root = Path(__file__).resolve().parents[2]
    draft = re.compile(r"""status\s*=\s*(Assessment\.Status\.DRAFT|Status\.DRAFT|["']draft["'])""")
    writers = []
    for path in [*root.glob("assessments/**/*.py"), *root.glob("portal/**/*.py")]:
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not draft.search(line):
                continue
            # a write: an update() or an assignment to .status; anything else on such a line is
            # a read (filter, get, Q) or the field's default
            if "QuestionnaireVersion" in line or not (
                ".update(" in line or re.search(r"\.status\s*=[^=]", line)
            ):
                continue
            writers.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert writers == []


# --- the stamp ---------------------------------------------------------------------------------


def test_stamp_depends_on_catalogue_and_scoring_code(questionnaire, monkeypatch):
    document = questionnaire.document
    base = result_stamp(document)

    assert result_stamp(copy.deepcopy(document)) == base  # an equal document: the same stamp
    # a catalogue fix: one option's points changed, everything else equal
    fixed = copy.deepcopy(document)
    option = fixed["sections"][0]["questions"][0]["options"][0]
    option["scores"] = {**option.get("scores", {}), "gdpr": 7}
    assert result_stamp(fixed) != base
    # a new scoring version (or card format, or scoring code) changes RESULT_FORMAT
    _new_format(monkeypatch)
    assert result_stamp(document) != base


def test_every_writer_stores_the_same_stamp(two):
    first, second = two
    expected = {a.pk: result_stamp(a.questionnaire.document) for a in (first, second)}
    stored_on_submit = dict(Result.objects.values_list("pk", "computed_with"))

    _rescore("--all")

    assert stored_on_submit == expected
    assert dict(Result.objects.values_list("pk", "computed_with")) == expected


# --- default: only the stale results -----------------------------------------------------------


def test_nothing_stale_reads_one_query_of_results_and_writes_nothing(
    two, django_assert_num_queries
):
    """Both results were stored by submit with this code and catalogue: nothing is stale. The
    run reads the versions (with their documents) and asks for stale results once; no answers,
    no writes, no latest-result refresh."""
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)
    before = {r.pk: _stored(r.pk) for r in Result.objects.all()}

    with django_assert_num_queries(2) as queries:
        outcome = result_services.results_rescore()

    assert (outcome.stale, outcome.rescored, outcome.written, outcome.stamps) == (0, 0, 0, 0)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
    assert {r.pk: _stored(r.pk) for r in Result.objects.all()} == before
    output = _rescore()
    assert "0 stale results; recomputed 0 (the stale ones)" in output


def test_a_hand_edit_is_not_stale_but_all_repairs_it(two):
    first, second = two
    before = {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()}
    _damage(first)
    _damage(second)
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)

    assert "0 stale results; recomputed 0" in _rescore()
    assert Result.objects.filter(gdpr=99).count() == 2

    output = _rescore("--all", "--batch-size", "1")

    assert {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()} == before
    assert not Result.objects.filter(computed_at=earlier).exists()
    assert "0 stale results; recomputed 2 (every result)" in output
    assert "2 changed and written" in output


def test_a_new_scoring_format_makes_every_result_stale(two, monkeypatch):
    """A deploy with changed scoring code: every stamp differs, so every result is recomputed.
    Results whose fields changed are written in full; one whose fields are equal gets only the
    new stamp and keeps its computed_at. Next time nothing is stale."""
    first, second = two
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)
    before = {pk: _stored(pk) for pk in (first.pk, second.pk)}
    Result.objects.filter(pk=second.pk).update(gdpr=99)  # the new code scores this one anew
    _new_format(monkeypatch)

    outcome = result_services.results_rescore(batch_size=1)

    assert (outcome.stale, outcome.rescored, outcome.written, outcome.stamps) == (2, 2, 1, 1)
    new = result_stamp(first.questionnaire.document)
    unchanged = _stored(first.pk)
    assert unchanged == {**before[first.pk], "computed_with": new}  # computed_at kept
    rewritten = _stored(second.pk)
    assert rewritten["computed_with"] == new and rewritten["gdpr"] == before[second.pk]["gdpr"]
    assert rewritten["computed_at"] > earlier
    assert result_services.results_rescore() == result_services.RescoreOutcome(stale=0, rescored=0)


def test_a_result_without_stamp_is_stale(two):
    first, second = two
    Result.objects.filter(pk=first.pk).update(computed_with="", gdpr=99)

    output = _rescore()

    assert Result.objects.get(pk=first.pk).gdpr != 99
    assert Result.objects.get(pk=first.pk).computed_with == result_stamp(
        first.questionnaire.document
    )
    assert "1 stale results; recomputed 1 (the stale ones)" in output
    assert "1 changed and written" in output


def test_a_changed_catalogue_document_makes_only_its_results_stale(two, org_a, alice):
    """Two catalogue versions with results; a fix of the first version's stored document makes
    only its two results stale, the second version's result is not even read."""
    first, second = two
    source = WIZARD_CATALOGUE.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"')
    other = services.questionnaire_load(source=source)
    services.questionnaire_publish(version=other)
    services.questionnaire_activate(version=other)
    third = _submit(org_a, alice, RISKY)
    assert third.questionnaire_id == other.pk
    Result.objects.update(gdpr=99)  # only what is recomputed loses this
    version = QuestionnaireVersion.objects.get(pk=first.questionnaire_id)
    document = copy.deepcopy(version.document)
    document["title"]["de"] += " (korrigiert)"  # any change to the stored document counts
    QuestionnaireVersion.objects.filter(pk=version.pk).update(document=document)

    output = _rescore()

    assert "2 stale results; recomputed 2 (the stale ones)" in output
    assert set(Result.objects.filter(gdpr=99).values_list("pk", flat=True)) == {third.pk}
    assert dict(Result.objects.values_list("pk", "computed_with")) == {
        first.pk: result_stamp(document),
        second.pk: result_stamp(document),
        third.pk: result_stamp(other.document),
    }


def test_skip_unchanged_is_a_deprecated_alias_of_the_default(two, capsys):
    first, _second = two
    Result.objects.filter(pk=first.pk).update(computed_with="")

    output = _rescore("--skip-unchanged")

    assert "1 stale results; recomputed 1 (the stale ones)" in output
    with pytest.raises(CommandError, match="contradict"):
        _rescore("--skip-unchanged", "--all")


# --- writing only what changed (--all) ---------------------------------------------------------


def test_all_writes_only_the_rows_whose_result_changed(two):
    """Both results were stored by submit from the same answers, catalogue and code, so a
    recompute gives equal fields: neither is written (computed_at stays). After a hand edit of
    one row, only that row differs from its recomputed result and is written."""
    first, second = two
    earlier = timezone.now() - timedelta(days=3)
    Result.objects.update(computed_at=earlier)
    before = {pk: _stored(pk) for pk in (first.pk, second.pk)}

    outcome = result_services.results_rescore(batch_size=1, all_results=True)

    assert (outcome.stale, outcome.rescored, outcome.written, outcome.stamps) == (0, 2, 0, 0)
    assert {pk: _stored(pk) for pk in (first.pk, second.pk)} == before

    _damage(second)
    outcome = result_services.results_rescore(all_results=True)

    assert (outcome.rescored, outcome.written, outcome.stamps) == (2, 1, 0)
    assert _stored(first.pk) == before[first.pk]  # computed_at too: not written
    repaired = _stored(second.pk)
    assert repaired["computed_at"] > earlier
    assert {k: v for k, v in repaired.items() if k != "computed_at"} == {
        k: v for k, v in before[second.pk].items() if k != "computed_at"
    }


def test_a_changed_json_field_alone_is_written(two):
    """The JSON fields are compared too, not only the scores (on PostgreSQL as the text jsonb
    prints): stored drivers that differ from the recomputed ones make the row be written."""
    first, _second = two
    drivers = Result.objects.get(pk=first.pk).lock_in_drivers
    assert drivers
    Result.objects.filter(pk=first.pk).update(lock_in_drivers=[])

    outcome = result_services.results_rescore(all_results=True)

    assert outcome.written == 1
    assert Result.objects.get(pk=first.pk).lock_in_drivers == drivers


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


def _seven(prefix):
    """Seven clients with a submitted assessment each, every other one risky."""
    assessments = []
    for number in range(7):
        organization = OrganizationFactory(name=f"{prefix} {number} GmbH")
        owner = UserFactory()
        MembershipFactory(user=owner, organization=organization)
        assessments.append(_submit(organization, owner, RISKY if number % 2 else COMPLETE))
    return assessments


@pytest.mark.skipif(connection.vendor != "postgresql", reason="--jobs needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_jobs_rescore_every_result_in_separate_processes(questionnaire):
    assessments = _seven("Parallel")
    before = {r.pk: (r.gdpr, r.readiness, r.computed_with) for r in Result.objects.all()}
    # five stale (no stamp), two only hand-edited
    stale = [a.pk for a in assessments[:5]]
    Result.objects.update(gdpr=99, readiness=0)
    Result.objects.filter(pk__in=stale).update(computed_with="")

    output = _rescore("--jobs", "3", "--batch-size", "2")

    assert "5 stale results; recomputed 5 (the stale ones)" in output
    after = {r.pk: (r.gdpr, r.readiness, r.computed_with) for r in Result.objects.all()}
    assert {pk: after[pk] for pk in stale} == {pk: before[pk] for pk in stale}
    assert Result.objects.filter(gdpr=99).count() == 2
    assert "0 stale results; recomputed 0" in _rescore("--jobs", "2")

    output = _rescore("--jobs", "3", "--batch-size", "2", "--all")

    assert {r.pk: (r.gdpr, r.readiness, r.computed_with) for r in Result.objects.all()} == before
    assert "0 stale results; recomputed 7 (every result)" in output
    assert "2 changed and written" in output
    assert Assessment.objects.filter(status="submitted").count() == 7


def test_a_real_card_compares_equal_to_what_the_database_stored(org_a, alice):
    """The shipped catalogue, every multi-choice option ticked, use cases named with umlauts
    and the readiness inputs as a client gives them: the card has texts outside ASCII, floats
    and answer rows. On PostgreSQL the stored JSON fields are compared as the text jsonb prints; the
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
    stored = Result.objects.values("vendor_exposure", "lock_in_drivers").get(pk=submitted.pk)
    # the JSON fields the text compare must get: floats, nested lists, texts outside ASCII
    assert stored["vendor_exposure"] and stored["lock_in_drivers"]
    assert "Bewerberprüfung" in json.dumps(
        Result.objects.get(pk=submitted.pk).scorecard().to_dict(), ensure_ascii=False
    )

    outcome = result_services.results_rescore(all_results=True)

    assert (outcome.rescored, outcome.written, outcome.stamps) == (1, 0, 0)

    Result.objects.filter(pk=submitted.pk).update(scoring_version="0.9")
    outcome = result_services.results_rescore(all_results=True)

    assert (outcome.rescored, outcome.written) == (1, 1)
    assert Result.objects.get(pk=submitted.pk).scoring_version != "0.9"


def _rescore_threads():
    return [t for t in threading.enumerate() if t.name.startswith("rescore-db")]


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the thread needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_thread_reads_and_writes_while_this_one_scores(
    questionnaire, monkeypatch
):
    """Committed rows, no transaction around the run: the queries go to a thread with its own
    connection, batch after batch; what it wrote is what the run in place writes, and afterwards
    neither the thread nor its connection is left, and the interpreter switches threads as
    before."""
    import sys

    assessments = _seven("Faden")
    before = {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()}
    threads = []
    real_fetch = results_services._answers_by_assessment

    def fetch(ids, **kwargs):
        threads.append(threading.current_thread().name)
        return real_fetch(ids, **kwargs)

    monkeypatch.setattr(results_services, "_answers_by_assessment", fetch)
    edited = [a.pk for a in assessments[:3]]
    Result.objects.filter(pk__in=edited).update(gdpr=99)
    clients = [a.organization_id for a in assessments[:3]]
    client_summaries_refresh(organization_ids=clients)  # the portfolio shows the edit
    assert set(ClientSummary.objects.filter(pk__in=clients).values_list("gdpr", flat=True)) == {99}
    _new_format(monkeypatch)
    backends = _backends()
    interval = sys.getswitchinterval()

    outcome = result_services.results_rescore(batch_size=2)

    assert (outcome.stale, outcome.rescored, outcome.written, outcome.stamps) == (7, 7, 3, 4)
    assert threads and all(name.startswith("rescore-db") for name in threads)
    assert len(threads) == 4  # 2 + 2 + 2 + 1
    assert {r.pk: (r.gdpr, r.readiness) for r in Result.objects.all()} == before
    # the rows written in the thread brought their clients' portfolio rows along
    assert {s.pk: s.gdpr for s in ClientSummary.objects.filter(pk__in=clients)} == {
        a.organization_id: before[a.pk][0] for a in assessments[:3]
    }
    stamp_now = result_stamp(questionnaire.document)
    assert set(Result.objects.values_list("computed_with", flat=True)) == {stamp_now}
    assert _rescore_threads() == []
    assert _backends() == backends
    assert sys.getswitchinterval() == interval


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the thread needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_failed_write_in_the_thread_stops_the_run_with_its_error(questionnaire, monkeypatch):
    """The second batch's write fails: the run ends with that error, the first batch stays
    written (its own transaction), nothing is left running, and the next run finishes."""
    import sys

    _seven("Fehler")
    _new_format(monkeypatch)
    real_write = results_services._stamps_write
    calls = []

    def failing(pairs):
        calls.append(len(pairs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_write(pairs)

    monkeypatch.setattr(results_services, "_stamps_write", failing)
    interval = sys.getswitchinterval()
    backends = _backends()

    with pytest.raises(RuntimeError, match="disk full"):
        result_services.results_rescore(batch_size=3)

    stamp_now = result_stamp(questionnaire.document)
    done = Result.objects.filter(computed_with=stamp_now).count()
    # the first batch; the last one (one result) too if its write started before the error
    # reached this thread
    assert done in (3, 4)
    assert _rescore_threads() == []
    assert _backends() == backends
    assert sys.getswitchinterval() == interval

    monkeypatch.setattr(results_services, "_stamps_write", real_write)
    outcome = result_services.results_rescore(batch_size=3)
    assert (outcome.stale, outcome.stamps) == (7 - done, 7 - done)
    assert not Result.objects.exclude(computed_with=stamp_now).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the thread needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_thread_cannot_close_is_logged(questionnaire, monkeypatch, caplog):
    from django.db import connections

    _seven("Schließen")
    _new_format(monkeypatch)
    real_close = connections.close_all

    def close_all():
        real_close()
        if threading.current_thread().name.startswith("rescore-db"):
            raise OSError("socket already gone")

    monkeypatch.setattr(connections, "close_all", close_all)

    outcome = result_services.results_rescore(batch_size=3)

    assert (outcome.rescored, outcome.stamps) == (7, 7)  # the run itself stands
    warnings = [r for r in caplog.records if r.name == "assessments.results.services"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert "could not close the database thread's connection" in warnings[0].getMessage()
    assert "socket already gone" in caplog.text
    assert _rescore_threads() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="--jobs needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_default_jobs_use_the_cores_only_for_enough_results(questionnaire, monkeypatch):
    """Without --jobs: one process per core, but only with enough results per process; here
    (7 results) the threshold is lowered to 2, so 3 cores give 3 processes, and a run with one
    stale result stays in this process."""
    assessments = _seven("Auto")
    before = dict(Result.objects.values_list("pk", "gdpr"))
    monkeypatch.setattr(results_services, "idle_cores", lambda: 3)
    monkeypatch.setattr(results_services, "PARALLEL_MIN_RESULTS", 2)
    Result.objects.update(gdpr=99, computed_with="")

    output = _rescore()

    assert "7 stale results; recomputed 7 (the stale ones)" in output
    assert "in 3 processes" in output
    assert dict(Result.objects.values_list("pk", "gdpr")) == before

    Result.objects.filter(pk=assessments[0].pk).update(computed_with="")
    output = _rescore()
    assert "1 stale results; recomputed 1" in output and "processes" not in output


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL default")
def test_default_jobs_stay_in_process_inside_a_transaction(two, monkeypatch):
    monkeypatch.setattr(results_services, "idle_cores", lambda: 4)
    monkeypatch.setattr(results_services, "PARALLEL_MIN_RESULTS", 1)
    Result.objects.update(computed_with="")

    output = _rescore()

    assert "2 stale results; recomputed 2" in output and "processes" not in output


@pytest.mark.parametrize(("idle_ticks", "expected"), [(200, 4), (150, 3), (60, 1), (10, 1), (0, 1)])
def test_default_jobs_count_only_idle_cores(monkeypatch, idle_ticks, expected):
    """A process per core that other work leaves idle (measured over a moment from the CPU
    counters, rounded, at least one): on a busy shared machine more processes only contend.
    4 CPUs, 200 ticks in the moment measured (50 per CPU)."""
    samples = iter([(1000, 5000), (1000 + idle_ticks, 5200)])
    monkeypatch.setattr(results_services, "_cpu_times", lambda: next(samples))
    monkeypatch.setattr(results_services.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.setattr(results_services.os, "cpu_count", lambda: 4)

    assert results_services.idle_cores(sample_seconds=0) == expected


def test_idle_cores_without_cpu_counters_are_all_cores(monkeypatch):
    def unreadable():
        raise OSError("no /proc")

    monkeypatch.setattr(results_services, "_cpu_times", unreadable)
    monkeypatch.setattr(results_services.os, "sched_getaffinity", lambda _pid: {0, 1})

    assert results_services.idle_cores(sample_seconds=0) == 2


def test_the_collector_is_paused_only_during_a_batch(two):
    import gc

    seen = []
    real = results_services.result_fields

    def spy(**kwargs):
        seen.append(gc.isenabled())
        return real(**kwargs)

    results_services.result_fields = spy
    try:
        assert gc.isenabled()
        result_services.results_rescore(all_results=True, batch_size=1)
        assert gc.isenabled()  # resumed
        gc.disable()
        result_services.results_rescore(all_results=True)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
        results_services.result_fields = real
    assert seen == [False, False, False, False]
