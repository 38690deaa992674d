from django import template

register = template.Library()

# The shipped catalogue's thresholds; a stored card carries its own levels where it matters.
DEFAULT_LEVELS = ((75, "critical"), (50, "high"), (25, "medium"))


@register.filter
def risk_level(score) -> str:
    """Level of a 0–100 risk score, for colouring dashboard cells."""
    if score is None or score == "":
        return ""
    for bound, level in DEFAULT_LEVELS:
        if score >= bound:
            return level
    return "low"
