from portal.models import User

from .models import REVIEW_ORDER, ReviewState, ReviewStep


def review_history(*, assessment) -> list[ReviewStep]:
    """The review's steps, oldest first, with what the results page shows of each (and the
    assessment's id, which the related manager compares for every row)."""
    return list(
        assessment.review_steps.select_related("actor").only(
            "assessment", "to_state", "reason", "actor", "created_at", *User.name_fields("actor")
        )
    )


def review_options(*, assessment) -> dict:
    """The next state forward (if any) and the earlier states one may go back to."""
    if assessment.review_state not in REVIEW_ORDER:
        return {"forward": None, "back": []}
    index = REVIEW_ORDER.index(assessment.review_state)
    forward = REVIEW_ORDER[index + 1] if index + 1 < len(REVIEW_ORDER) else None
    return {
        "current": ReviewState(assessment.review_state),
        "forward": ReviewState(forward) if forward else None,
        "back": [ReviewState(state) for state in REVIEW_ORDER[:index]],
    }
