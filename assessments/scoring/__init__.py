"""Pure scoring engine: ``score(document, answers) -> ScoreCard`` (no Django, no ORM, no I/O)."""

from .engine import (
    SCORING_VERSION,
    level_for,
    round_half_up,
    score,
    score_and_missing,
    score_figures,
)
from .index import DocumentIndex, index_for
from .model import (
    AI_ACT_CLASSES,
    LEVELS,
    DimensionScore,
    Driver,
    Figures,
    Recommendation,
    ScoreCard,
    UseCaseClassification,
)

__all__ = [
    "AI_ACT_CLASSES",
    "LEVELS",
    "SCORING_VERSION",
    "DimensionScore",
    "DocumentIndex",
    "Driver",
    "Figures",
    "Recommendation",
    "ScoreCard",
    "UseCaseClassification",
    "index_for",
    "level_for",
    "round_half_up",
    "score",
    "score_and_missing",
    "score_figures",
]
