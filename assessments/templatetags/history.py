"""``{% answer_changes organization %}``: what changed between a client's last two assessments
(client page), with a link to compare any two."""

from django import template

from ..history.selectors import answer_diff, latest_two_submitted

register = template.Library()
SHOWN = 5


@register.inclusion_tag("assessments/_answer_changes.html", takes_context=True)
def answer_changes(context, organization):
    assessments = latest_two_submitted(user=context["request"].user, organization=organization)
    if len(assessments) < 2:
        return {"diff": None}
    diff = answer_diff(before=assessments[1], after=assessments[0])
    return {
        "diff": diff,
        "rows": diff["rows"][:SHOWN],
        "more": max(0, len(diff["rows"]) - SHOWN),
        "organization": organization,
    }
