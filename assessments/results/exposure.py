"""Vendor exposure of client organisations: the one public door other apps (news) read through.

Callers get plain dataclasses, never model instances, so they need not import our models. The
organisations come from ``Result.objects.visible_to(user).latest_per_organization()``, the same
"latest result per organisation" the dashboard uses.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils.translation import get_language

from ..catalogue.text import tr
from ..questionnaire.answers import answer_label

TOP_LOCK_IN_DRIVERS = 3


@dataclass(frozen=True)
class ExposureDriver:
    """One answer that ties the client to a vendor (or raises its lock-in), readable."""

    question: str
    answer: str


@dataclass(frozen=True)
class ClientExposure:
    organization_id: uuid.UUID
    organization_name: str
    exposure: int  # the highest exposure (0..100) among the vendors asked about
    vendors: dict[str, int]  # vendor key → exposure 0..100, only the vendors asked about, > 0
    lock_in: int  # lock-in risk 0..100 of the latest result
    lock_in_level: str  # low | medium | high | critical ("" unless ``detailed``)
    assessed_at: datetime
    drivers: tuple[ExposureDriver, ...] = ()

    @property
    def lock_in_level_label(self) -> str:
        from .presentation import LEVEL_LABELS

        return str(LEVEL_LABELS.get(self.lock_in_level, self.lock_in_level))


def vendor_names(*, language: str | None = None) -> dict[str, str]:
    """The vendor keys of the active catalogue with their names (``{"microsoft": "Microsoft"}``)."""
    from ..models import QuestionnaireVersion

    active = QuestionnaireVersion.objects.active()
    if active is None:
        return {}
    return {key: tr(label, language) for key, label in active.document.get("vendors", {}).items()}


def clients_exposed_to(
    *,
    user,
    vendors: Iterable[str],
    organization_ids: Iterable[uuid.UUID] | None = None,
    detailed: bool = False,
) -> list[ClientExposure]:
    """Organisations ``user`` may see whose latest result shows exposure to any of ``vendors``.

    Ranked by the highest exposure among those vendors, then their sum, then lock-in risk.
    ``detailed`` adds the lock-in level and the drivers (reads the stored cards of the matches
    only); without it, one query over plain columns serves counts on busy pages.
    """
    from ..models import Result

    wanted = tuple(dict.fromkeys(v for v in vendors if v))
    if not wanted:
        return []
    results = Result.objects.visible_to(user).latest_per_organization()
    if organization_ids is not None:
        results = results.filter(organization_id__in=list(organization_ids))
    rows = []
    for row in results.values(
        "assessment_id",
        "organization_id",
        "organization__name",
        "lock_in",
        "vendor_exposure",
        "assessment__submitted_at",
        # the version's id and checksum name its (cached) catalogue: no query per version
        *(
            ("lock_in_drivers", "assessment__questionnaire_id", "assessment__questionnaire__sha256")
            if detailed
            else ()
        ),
    ):
        exposure = row["vendor_exposure"] or {}
        per_vendor = {key: int(exposure[key]) for key in wanted if (exposure.get(key) or 0) > 0}
        if per_vendor:
            rows.append((row, per_vendor))
    rows.sort(
        key=lambda item: (
            -max(item[1].values()),
            -sum(item[1].values()),
            -item[0]["lock_in"],
            item[0]["organization__name"].lower(),
        )
    )
    levels: dict = {}
    drivers: dict = {}
    if detailed and rows:
        levels, drivers = _details([row for row, _per_vendor in rows], wanted)
    return [
        ClientExposure(
            organization_id=row["organization_id"],
            organization_name=row["organization__name"],
            exposure=max(per_vendor.values()),
            vendors=per_vendor,
            lock_in=row["lock_in"],
            lock_in_level=levels.get(row["assessment_id"], ""),
            assessed_at=row["assessment__submitted_at"],  # not computed_at: rescores touch it
            drivers=drivers.get(row["assessment_id"], ()),
        )
        for row, per_vendor in rows
    ]


@dataclass(frozen=True)
class ResultExposure:
    vendors: dict[str, int]  # vendor key → exposure 0..100, only the vendors asked about, > 0
    drivers: tuple[ExposureDriver, ...]


# What ``results_exposure`` reads of a result, by its path from the result: a caller whose rows
# lead to each client's latest result reads these with its rows (``result_fields``).
_RESULT_PATHS = {
    "vendor_exposure": "vendor_exposure",
    "lock_in_drivers": "lock_in_drivers",
    "assessment__questionnaire_id": "assessment__questionnaire_id",
    "assessment__questionnaire__sha256": "assessment__questionnaire__sha256",
}


def result_fields(prefix: str) -> dict[str, F]:
    """Annotations reading through ``prefix`` (the path to a result, such as
    ``"organization__latest_result__"``) what ``results_exposure`` needs of it."""
    return {_alias(name): F(prefix + path) for name, path in _RESULT_PATHS.items()}


def _alias(name: str) -> str:
    return "exposure_" + name.replace("__", "_")


def results_exposure(*, results: dict, vendors: Iterable[str]) -> dict:
    """``{result id: ResultExposure}``: the exposure to each of ``vendors`` and the drivers, as
    ``clients_exposed_to(detailed=True)`` gives them, for a caller that read the rows of a page
    each with its client's latest result and its ``result_fields`` (``results``: ``{result id:
    row}``, each row a mapping with those fields; news reads its stored rows so). One query, for
    the results' tagged answers. Callers pass only results their user may see."""
    wanted = tuple(dict.fromkeys(v for v in vendors if v))
    rows = [
        {
            "assessment_id": pk,
            **{name: row[_alias(name)] for name in _RESULT_PATHS},
        }
        for pk, row in results.items()
        if pk is not None
    ]
    if not wanted or not rows:
        return {}
    _levels, drivers = _details(rows, wanted, with_levels=False)
    out = {}
    for row in rows:
        exposure = row["vendor_exposure"] or {}
        out[row["assessment_id"]] = ResultExposure(
            vendors={key: int(exposure[key]) for key in wanted if (exposure.get(key) or 0) > 0},
            drivers=drivers.get(row["assessment_id"], ()),
        )
    return out


def _details(
    rows: list[dict], vendors: tuple[str, ...], *, with_levels: bool = True
) -> tuple[dict, dict]:
    """Per assessment: the lock-in level, and the drivers (the answers tagged with one of
    ``vendors``, then the top lock-in drivers), readable. From the stored keys
    (``Result.lock_in_drivers``) and the catalogue's texts; only a result stored before those
    keys existed is scored again from its answers (``rescore`` fills them)."""
    from ..models import Answer
    from ..questionnaire.selectors import questionnaire_of
    from ..scoring import index_for, level_for

    # The catalogue of each result's version, from the version's id and checksum read with the
    # rows; the parsed documents are cached per version.
    versions = {
        version: questionnaire_of(*version)
        for version in {
            (row["assessment__questionnaire_id"], row["assessment__questionnaire__sha256"])
            for row in rows
        }
    }
    questionnaires = {
        row["assessment_id"]: versions[
            row["assessment__questionnaire_id"], row["assessment__questionnaire__sha256"]
        ]
        for row in rows
    }
    # Only the answers to questions whose options carry vendor tags (a handful per catalogue).
    tagged_questions = set()
    for questionnaire in versions.values():
        tagged_questions |= set(questionnaire.vendor_tagged)
    answers: dict = {}
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=list(questionnaires), question_key__in=tagged_questions
    ).values_list("assessment_id", "question_key", "value"):
        answers.setdefault(assessment_id, {})[key] = value
    stored = {row["assessment_id"]: row["lock_in_drivers"] for row in rows}
    missing = [
        pk
        for pk, pairs in stored.items()
        if not pairs or any(key not in questionnaires[pk].questions for key, _a in pairs)
    ]
    cards = _readable_cards(missing) if missing else {}
    language = get_language()
    # clients answer alike: each (catalogue, question, answer) is made readable once per call
    memo: dict = {}

    def readable(questionnaire, key: str, value, tagged: bool) -> ExposureDriver | None:
        memo_key = (id(questionnaire), key, _frozen(value), tagged)
        if memo_key not in memo:
            question = questionnaire.questions[key]
            if tagged:
                labels = _tagged_choice_labels(question, value, vendors, language)
                answer = ", ".join(labels) if labels else None
            else:
                answer = answer_label(question, value, language)
            memo[memo_key] = (
                None
                if answer is None
                else ExposureDriver(question=tr(question["text"], language), answer=answer)
            )
        return memo[memo_key]

    levels, out = {}, {}
    for row in rows:
        pk = row["assessment_id"]
        questionnaire = questionnaires[pk]
        if with_levels:
            levels[pk] = level_for(index_for(questionnaire.document), row["lock_in"])
        given = answers.get(pk, {})
        drivers: list[ExposureDriver] = []
        tagged_keys = set()
        for key in questionnaire.vendor_tagged:
            if key not in given:
                continue
            driver = readable(questionnaire, key, given[key], tagged=True)
            if driver is not None:
                tagged_keys.add(key)
                drivers.append(driver)
        if pk in cards:  # an older result: its card has the drivers with their texts
            for driver in _card_lock_in_drivers(cards[pk]):
                if driver["question_key"] in tagged_keys:
                    continue
                question = questionnaire.questions.get(driver["question_key"])
                label = (
                    answer_label(question, driver.get("answer"), language)
                    if question
                    else tr(driver.get("answer_label"), language)
                )
                drivers.append(
                    ExposureDriver(question=tr(driver.get("question_text"), language), answer=label)
                )
        else:
            for key, answer in stored[pk]:
                if key in tagged_keys:
                    continue
                drivers.append(readable(questionnaire, key, answer, tagged=False))
        out[pk] = tuple(drivers)
    return levels, out


def _frozen(value):
    """An answer as a dictionary key (lists and objects as tuples, tagged by their kind)."""
    if isinstance(value, list):
        return ("list", *(_frozen(item) for item in value))
    if isinstance(value, dict):
        return ("dict", *sorted((key, _frozen(item)) for key, item in value.items()))
    return value


def _readable_cards(assessment_ids: list) -> dict:
    """``{pk: card as to_dict()}`` of these results, scored from their stored answers
    (``Result.scorecard``): one query for the answers, one per catalogue version."""
    from ..models import Answer, Assessment, QuestionnaireVersion
    from ..scoring import score

    versions = dict(
        Assessment.objects.filter(pk__in=assessment_ids).values_list("pk", "questionnaire_id")
    )
    documents = dict(
        QuestionnaireVersion.objects.filter(pk__in=set(versions.values())).values_list(
            "pk", "document"
        )
    )
    answers: dict = {pk: {} for pk in versions}
    for assessment_id, key, value in Answer.objects.filter(
        assessment_id__in=list(versions)
    ).values_list("assessment_id", "question_key", "value"):
        answers[assessment_id][key] = value
    return {
        pk: score(documents[version_id], answers[pk]).to_dict()
        for pk, version_id in versions.items()
    }


def _tagged_choice_labels(
    question: dict, value, vendors: tuple[str, ...], language: str | None = None
) -> list[str]:
    if value is None:
        return []
    if question["type"] == "yes_no":
        block = question.get(value) if value in ("yes", "no") else None
        if block and set(block.get("vendors") or ()) & set(vendors):
            return [answer_label(question, value, language)]
        return []
    chosen = value if isinstance(value, list) else [value]
    return [
        tr(option["label"], language)
        for option in question.get("options", ())
        if option["key"] in chosen and set(option.get("vendors") or ()) & set(vendors)
    ]


def _card_lock_in_drivers(card: dict) -> list[dict]:
    for dimension in card.get("dimensions", ()):
        if dimension.get("key") == "lock_in":
            return list(dimension.get("drivers", ()))[:TOP_LOCK_IN_DRIVERS]
    return []
