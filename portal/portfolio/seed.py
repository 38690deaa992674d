"""A realistic portfolio for load tests: many clients, several assessments each, spaced months
apart, answered from the real catalogue and scored by the real engine.

Used by ``manage.py seed_load`` and by tests that need many organisations. Rows go in with
``bulk_create``; everything else (answers, scores, cards, the latest-result reference) is what
the product itself would have stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
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
CARE_STEPS = 11


@dataclass
class SeedResult:
    organizations: int
    assessments: int
    answers: int
    consultants: int


def _profiles(document: dict) -> list[dict]:
    from assessments.demo import profile_answers

    return [profile_answers(document, step / (CARE_STEPS - 1), {}) for step in range(CARE_STEPS)]


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
            local = min(max(care + rng.uniform(-0.3, 0.3), 0.0), 1.0)
            profile = profiles[round(local * (CARE_STEPS - 1))]
            if key in profile:
                answers[key] = profile[key]
    return answers


def portfolio_seed(
    *,
    organizations: int,
    assessments: int,
    consultants: int = 6,
    seed: int = 2026,
    with_answers: bool = True,
    chunk: int = 500,
) -> SeedResult:
    """Add ``organizations`` clients sharing ``assessments`` submitted assessments."""
    from assessments import services
    from assessments.demo import questionnaire_ensure_active
    from assessments.models import Answer, Assessment, Result

    rng = random.Random(seed)
    version = questionnaire_ensure_active()
    document = version.document
    profiles = _profiles(document)
    now = timezone.now()
    staff = []
    for number in range(consultants):
        user, _created = User.objects.get_or_create(
            email=f"berater{number + 1}@seed.example",
            defaults={
                "first_name": rng.choice(("Julia", "Markus", "Sabine", "Tobias", "Anna", "Jonas")),
                "last_name": rng.choice(("Brenner", "Wehrle", "Maier", "Fischer", "Keller")),
                "is_consultant": True,
            },
        )
        staff.append(user)
    owner = User.objects.get_or_create(
        email="inhaber@seed.example", defaults={"first_name": "Seed", "last_name": "Inhaber"}
    )[0]

    per_org = [assessments // organizations] * organizations
    for index in rng.sample(range(organizations), assessments % organizations):
        per_org[index] += 1

    total_answers = 0
    created_orgs = 0
    for start in range(0, organizations, chunk):
        with transaction.atomic():
            batch = Organization.objects.bulk_create(
                Organization(
                    name=f"{rng.choice(NAMES)} {rng.choice(TRADES)} {start + i + 1:04d} "
                    f"{rng.choice(FORMS)}",
                    industry=rng.choice(Industry.values),
                    size_band=rng.choice(SizeBand.values),
                    consultant=None if rng.random() < 0.15 else rng.choice(staff),
                    created_at=now - timedelta(days=rng.randint(400, 2000)),
                )
                for i in range(min(chunk, organizations - start))
            )
            created_orgs += len(batch)
            Membership.objects.bulk_create(
                Membership(user=owner, organization=org, role=Membership.Role.OWNER)
                for org in batch
            )
            rows = []  # (assessment, answers)
            for offset, org in enumerate(batch):
                count = per_org[start + offset]
                care = rng.random()
                # newest 0–20 months ago (some stale), earlier ones 3–8 months apart
                when = now - timedelta(days=rng.randint(0, 600), minutes=rng.randint(0, 1440))
                dates = []
                for _ in range(count):
                    dates.append(when)
                    when -= timedelta(days=rng.randint(90, 240))
                previous = None
                for submitted_at in reversed(dates):
                    care = min(max(care + rng.uniform(-0.2, 0.15), 0.0), 1.0)
                    assessment = Assessment(
                        organization=org,
                        questionnaire=version,
                        previous=previous,
                        status=Assessment.Status.SUBMITTED,
                        started_by=owner,
                        submitted_by=owner,
                        created_at=submitted_at - timedelta(days=rng.randint(0, 20)),
                        submitted_at=submitted_at,
                    )
                    previous = assessment
                    rows.append((assessment, _answers(document, profiles, care, rng)))
            Assessment.objects.bulk_create([assessment for assessment, _answers in rows])
            if with_answers:
                answer_rows = [
                    Answer(
                        assessment=assessment,
                        question_key=key,
                        value=value,
                        updated_by=owner,
                        updated_at=assessment.submitted_at,
                    )
                    for assessment, answers in rows
                    for key, value in answers.items()
                ]
                Answer.objects.bulk_create(answer_rows, batch_size=5000)
                total_answers += len(answer_rows)
            Result.objects.bulk_create(
                [
                    Result(
                        assessment=assessment,
                        organization_id=assessment.organization_id,
                        computed_at=now,
                        **services.result_fields(document=document, answers=answers),
                    )
                    for assessment, answers in rows
                ],
                batch_size=1000,
            )
    services.latest_results_refresh()
    return SeedResult(
        organizations=created_orgs,
        assessments=assessments,
        answers=total_answers,
        consultants=len(staff),
    )
