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


def catalogue_facts() -> CatalogueFacts:
    """Level thresholds and vendors of the active catalogue version (shipped defaults without)."""
    from assessments.models import QuestionnaireVersion

    active = (
        QuestionnaireVersion.objects.published()
        .filter(is_active=True)
        .values_list("pk", "sha256")
        .first()
    )
    if active is None:
        return facts_of(None)
    return _facts(*active)


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
