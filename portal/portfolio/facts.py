"""What the portfolio needs from the active catalogue version: the level thresholds and the
vendors (one small query; the document is read once per version and process)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .filters import LEVELS

DEFAULT_THRESHOLDS = {"medium": 25, "high": 50, "critical": 75}


@dataclass(frozen=True)
class CatalogueFacts:
    thresholds: dict[str, int]
    vendors: tuple[tuple[str, dict], ...]  # (key, {de, en})


@lru_cache(maxsize=8)
def _facts(version_id: int, sha256: str) -> CatalogueFacts:
    from assessments.models import QuestionnaireVersion

    document = QuestionnaireVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return facts_of(document)


def facts_of(document: dict | None) -> CatalogueFacts:
    document = document or {}
    levels = {**DEFAULT_THRESHOLDS, **(document.get("levels") or {})}
    vendors = tuple((key, label) for key, label in (document.get("vendors") or {}).items())
    return CatalogueFacts(thresholds=levels, vendors=vendors)


def _active_version():
    """The active published version's (pk, sha256) as a query (at most one row)."""
    from assessments.models import QuestionnaireVersion

    active = QuestionnaireVersion.objects.published().filter(is_active=True)
    if not active.ordered:
        active = active.order_by("pk")
    return active.values_list("pk", "sha256")[:1]


def catalogue_facts() -> CatalogueFacts:
    """Level thresholds and vendors of the active catalogue version (shipped defaults without)."""
    return facts_for(_active_version().first())


def facts_for(active: tuple[int, str] | None) -> CatalogueFacts:
    """The facts of the version ``active`` (``(pk, sha256)`` or None: the shipped defaults)."""
    if active is None:
        return facts_of(None)
    return _facts(*active)


def facts_and_consultants() -> tuple[CatalogueFacts, list[tuple[int, str]]]:
    """What the dashboard's filter form offers: the active version's facts (thresholds,
    vendors) and the active consultants as (pk, display name), by e-mail."""
    return facts_and_consultants_of(filter_choices())


def facts_and_consultants_of(choices) -> tuple[CatalogueFacts, list[tuple[int, str]]]:
    active, people = choices
    return facts_for(active), people


def filter_choices() -> tuple[tuple[int, str] | None, list[tuple[int, str]]]:
    """The active version as ``(pk, sha256)`` (None without one) and the active consultants as
    (pk, display name), in one statement: plain values, which the dashboard caches under the
    people's and the catalogue's change counters.

    Both change rarely and are small; reading them together saves a round trip on every built
    page (issue 20: a built dashboard takes at most ten queries)."""
    from django.db import connection

    from portal.models import User

    version_sql, version_params = _active_version().query.sql_with_params()
    consultants = (
        User.objects.filter(is_consultant=True, is_active=True)
        .order_by()
        .values_list("pk", "first_name", "last_name", "email")
    )
    consultant_sql, consultant_params = consultants.query.sql_with_params()
    # every piece of the text is the ORM's; the values go in as parameters
    sql = (
        f"SELECT 0, v.*, NULL, NULL FROM ({version_sql}) v "  # noqa: S608 - ORM text
        f"UNION ALL SELECT 1, c.* FROM ({consultant_sql}) c ORDER BY 1, 5, 2"
    )
    active, people = None, []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*version_params, *consultant_params])
        for kind, pk, first, last, email in cursor.fetchall():
            if kind == 0:
                active = (pk, first)  # the version's sha256 stands in the first text column
            else:
                person = User(first_name=first, last_name=last, email=email)
                people.append((pk, person.display_name))
    return active, people


def level_range(thresholds: dict[str, int], level: str) -> tuple[int, int | None]:
    """Scores ``[low, high)`` that have ``level`` under these thresholds."""
    bounds = [0, thresholds["medium"], thresholds["high"], thresholds["critical"], None]
    index = LEVELS.index(level)
    return bounds[index], bounds[index + 1]


def risk_level(score: int | None, thresholds: dict[str, int]) -> str:
    if score is None:
        return ""
    for level in ("critical", "high", "medium"):
        if score >= thresholds[level]:
            return level
    return "low"
