"""A portfolio that looks like a real one, for load tests: many clients, each with its own owner
and members, several assessments months apart answered from the real catalogue (use cases
included) and scored by the real engine, an action plan with owners, due dates and states,
reports, the review workflow, consultants with assigned clients, and the demo news articles.

Used by ``manage.py seed_load``, the benchmarks and tests that need many organisations. Rows go
in with ``bulk_create``; everything derived (scores, cards, the latest result, the portfolio's
summary rows and figures, the clients each article concerns) is what the product itself stores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from ..models import Industry, Membership, Organization, SizeBand, User

NAMES = (
    "Hegau",
    "Seetal",
    "Bodensee",
    "Radolfzell",
    "Singen",
    "Konstanz",
    "Reichenau",
    "Höri",
    "Untersee",
    "Überlingen",
    "Stockach",
    "Engen",
)
TRADES = (
    "Fensterbau",
    "Steuerberatung",
    "Maschinenbau",
    "Zahnarztpraxis",
    "Logistik",
    "Druckerei",
    "Software",
    "Hotel",
    "Elektrotechnik",
    "Kanzlei",
    "Bäckerei",
    "Versicherungsmakler",
)
FORMS = ("GmbH", "GmbH & Co. KG", "AG", "e. K.", "KG")
FIRST = ("Julia", "Markus", "Sabine", "Tobias", "Anna", "Jonas", "Petra", "Lukas", "Mia", "Felix")
LAST = ("Brenner", "Wehrle", "Maier", "Fischer", "Keller", "Graf", "Hug", "Stadler", "Roth")
CARE_STEPS = 11
MAX_USE_CASES = 4
# the latest assessment's place in the review workflow, and its actions' states
REVIEW_MIX = (("submitted", 0.25), ("in_review", 0.25), ("discussed", 0.25), ("closed", 0.25))
ACTION_STATES = (("open", 0.45), ("in_progress", 0.25), ("done", 0.25), ("not_relevant", 0.05))


@dataclass
class SeedResult:
    organizations: int
    assessments: int
    answers: int
    consultants: int
    users: int = 0
    actions: int = 0
    reports: int = 0


def _profiles(document: dict) -> list[dict]:
    from assessments.demo import profile_answers

    return [profile_answers(document, step / (CARE_STEPS - 1), {}) for step in range(CARE_STEPS)]


def _use_cases(question: dict, rng: random.Random) -> list[dict] | None:
    """0–4 use cases, every field filled (choices at random)."""
    from assessments.questionnaire.answers import AnswerInvalid, validate_value

    rows = []
    for number in range(1, rng.randint(0, MAX_USE_CASES) + 1):
        row = {}
        for field in question["fields"]:
            kind = field["type"]
            if kind == "text":
                row[field["key"]] = f"Anwendungsfall {number}"
            elif kind == "yes_no":
                row[field["key"]] = rng.choice(("yes", "no"))
            elif kind in ("single_choice", "multi_choice"):
                keys = [o["key"] for o in field.get("options", ())]
                if keys:
                    choice = rng.choice(keys)
                    row[field["key"]] = [choice] if kind == "multi_choice" else choice
        rows.append(row)
    try:
        return validate_value(question, rows)
    except AnswerInvalid:
        return None


def _answers(document: dict, profiles: list[dict], care: float, rng: random.Random) -> dict:
    """Each question from a profile near ``care``; multi-choice questions get 1–3 options."""
    answers = {}
    for section in document["sections"]:
        for question in section["questions"]:
            key = question["key"]
            if question["type"] == "multi_choice":
                options = [o["key"] for o in question.get("options", ())]
                if options:
                    answers[key] = rng.sample(options, k=min(len(options), rng.randint(1, 3)))
                continue
            if question["type"] == "repeat_group":
                rows = _use_cases(question, rng)
                if rows:
                    answers[key] = rows
                continue
            local = min(max(care + rng.uniform(-0.3, 0.3), 0.0), 1.0)
            profile = profiles[round(local * (CARE_STEPS - 1))]
            if key in profile:
                answers[key] = profile[key]
    return answers


def _pick(rng: random.Random, mix) -> str:
    return rng.choices([value for value, _w in mix], weights=[w for _v, w in mix])[0]


def _consultants(count: int, rng: random.Random, password: str) -> list[User]:
    staff = []
    for number in range(count):
        user, _created = User.objects.get_or_create(
            email=f"berater{number + 1}@seed.example",
            defaults={
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "is_consultant": True,
                "password": password,
            },
        )
        staff.append(user)
    return staff


def portfolio_seed(
    *,
    organizations: int,
    assessments: int | None = None,
    consultants: int | None = None,
    seed: int = 2026,
    with_answers: bool = True,
    with_work: bool = True,
    chunk: int = 500,
) -> SeedResult:
    """Add ``organizations`` clients sharing ``assessments`` submitted assessments (default 2.5
    per client), ``consultants`` consultants (default one per 400 clients, at least 6).

    ``with_answers=False`` leaves the answers out (faster; scores are computed all the same);
    ``with_work=False`` leaves out members, action plans and reports."""
    from assessments.actionplan.models import Action
    from assessments.actionplan.services import action_rows
    from assessments.demo import questionnaire_ensure_active
    from assessments.models import Answer, Assessment, Report, Result
    from assessments.results import services
    from assessments.scoring import score

    rng = random.Random(seed)
    if assessments is None:
        assessments = organizations * 5 // 2
    if consultants is None:
        consultants = max(6, organizations // 400)
    version = questionnaire_ensure_active()
    document = version.document
    profiles = _profiles(document)
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(None)  # unusable: nobody signs in as a seeded person
    staff = _consultants(consultants, rng, password)
    run = f"{seed}-{User.objects.count()}"  # e-mail addresses unique across runs

    per_org = [assessments // organizations] * organizations
    for index in rng.sample(range(organizations), assessments % organizations):
        per_org[index] += 1
    if assessments >= organizations:  # some clients with fewer, some with more, same total
        for _ in range(organizations // 3):
            a, b = rng.randrange(organizations), rng.randrange(organizations)
            if per_org[a] > 1:
                per_org[a] -= 1
                per_org[b] += 1

    result = SeedResult(organizations=0, assessments=assessments, answers=0, consultants=len(staff))
    for start in range(0, organizations, chunk):
        size = min(chunk, organizations - start)
        with transaction.atomic():
            batch = Organization.objects.bulk_create(
                Organization(
                    name=f"{rng.choice(NAMES)} {rng.choice(TRADES)} {start + i + 1:05d} "
                    f"{rng.choice(FORMS)}",
                    industry=rng.choice(Industry.values),
                    size_band=rng.choice(SizeBand.values),
                    consultant=None if rng.random() < 0.15 else rng.choice(staff),
                    created_at=now - timedelta(days=rng.randint(400, 2000)),
                )
                for i in range(size)
            )
            result.organizations += len(batch)
            people = []  # per organisation: owner first, then 0–2 members
            for offset in range(size):
                number = start + offset + 1
                count = 1 + (rng.choice((0, 0, 1, 2)) if with_work else 0)
                people.append(
                    [
                        User(
                            email=f"person{k}.kunde{number}.{run}@seed.example",
                            first_name=rng.choice(FIRST),
                            last_name=rng.choice(LAST),
                            password=password,
                            email_verified_at=now,
                        )
                        for k in range(count)
                    ]
                )
            User.objects.bulk_create([user for group in people for user in group])
            result.users += sum(len(group) for group in people)
            Membership.objects.bulk_create(
                Membership(
                    user=user,
                    organization=org,
                    role=Membership.Role.OWNER if k == 0 else Membership.Role.MEMBER,
                )
                for org, group in zip(batch, people, strict=True)
                for k, user in enumerate(group)
            )
            rows = []  # (assessment, answers, latest?)
            for offset, org in enumerate(batch):
                count = per_org[start + offset]
                owner = people[offset][0]
                care = rng.random()
                # newest 0–20 months ago (some stale), earlier ones 3–8 months apart
                when = now - timedelta(days=rng.randint(0, 600), minutes=rng.randint(0, 1440))
                dates = []
                for _ in range(count):
                    dates.append(when)
                    when -= timedelta(days=rng.randint(90, 240))
                previous = None
                for index, submitted_at in enumerate(reversed(dates)):
                    care = min(max(care + rng.uniform(-0.2, 0.15), 0.0), 1.0)
                    latest = index == count - 1
                    assessment = Assessment(
                        organization=org,
                        questionnaire=version,
                        previous=previous,
                        status=Assessment.Status.SUBMITTED,
                        started_by=owner,
                        submitted_by=rng.choice(people[offset]),
                        created_at=submitted_at - timedelta(days=rng.randint(0, 20)),
                        submitted_at=submitted_at,
                        review_state=_pick(rng, REVIEW_MIX) if latest else "closed",
                    )
                    previous = assessment
                    rows.append((assessment, _answers(document, profiles, care, rng), latest))
            Assessment.objects.bulk_create([assessment for assessment, _a, _l in rows])
            if with_answers:
                answer_rows = [
                    Answer(
                        assessment=assessment,
                        question_key=key,
                        value=value,
                        updated_by=assessment.submitted_by,
                        updated_at=assessment.submitted_at,
                    )
                    for assessment, answers, _latest in rows
                    for key, value in answers.items()
                ]
                Answer.objects.bulk_create(answer_rows, batch_size=5000)
                result.answers += len(answer_rows)
            Result.objects.bulk_create(
                [
                    Result(
                        assessment=assessment,
                        organization_id=assessment.organization_id,
                        computed_at=assessment.submitted_at,
                        **services.result_fields(document=document, answers=answers),
                    )
                    for assessment, answers, _latest in rows
                ],
                batch_size=1000,
            )
            if with_work:
                members = {org.pk: group for org, group in zip(batch, people, strict=True)}
                actions, reports = [], []
                for assessment, answers, latest in rows:
                    if not latest:
                        continue
                    card = score(document, answers).to_dict()
                    for action in action_rows(
                        assessment=assessment, card=card, now=assessment.submitted_at
                    ):
                        action.state = _pick(rng, ACTION_STATES)
                        if rng.random() < 0.7:
                            action.owner = rng.choice(members[assessment.organization_id])
                        if rng.random() < 0.8:
                            action.due_date = today + timedelta(days=rng.randint(-120, 240))
                        actions.append(action)
                    if rng.random() < 0.6:
                        failed = rng.random() < 0.03
                        released = not failed and rng.random() < 0.6
                        reports.append(
                            Report(
                                assessment=assessment,
                                organization_id=assessment.organization_id,
                                status=Report.Status.FAILED if failed else Report.Status.READY,
                                last_error="Seed: Speicher nicht beschreibbar" if failed else "",
                                requested_by=rng.choice(staff),
                                released=released,
                                released_at=assessment.submitted_at if released else None,
                                created_at=assessment.submitted_at,
                                queued_at=assessment.submitted_at,
                                finished_at=assessment.submitted_at,
                            )
                        )
                Action.objects.bulk_create(actions, batch_size=2000)
                Report.objects.bulk_create(reports, batch_size=2000)
                result.actions += len(actions)
                result.reports += len(reports)
    database_analyze()  # before the refresh: its UPDATE over every client needs the statistics
    # the latest result of every client, its summary row and the figures, news' stored sets
    services.latest_results_refresh()
    return result


def demo_articles_present() -> int:
    """The demo news articles (with their vendor tags), written by the first consultant."""
    from news.demo import demo_articles_seed

    author = User.objects.filter(is_consultant=True).order_by("pk").first()
    return len(demo_articles_seed(author=author))


def database_analyze() -> None:
    """Fresh planner statistics after a bulk load (a refresh of every client's latest result took
    233 s right after a load of 17,000 clients and 0.4 s after ``ANALYZE``). On PostgreSQL also
    ``VACUUM``, as autovacuum would soon: right after a load the visibility map is empty, so the
    dashboard's index-only counts ("ohne Berater/in", "älter als 12 Monate") visit every row
    (2.2 ms instead of 0.9 ms at 20,000 clients). VACUUM cannot run inside a transaction (the
    tests): there it is ``ANALYZE`` alone."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
