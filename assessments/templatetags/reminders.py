"""``{% reminders_sent organization %}``: what the client's people were reminded of."""

from django import template

from ..reminders.selectors import digests_for_organization

register = template.Library()


@register.inclusion_tag("assessments/reminders/_sent.html", takes_context=True)
def reminders_sent(context, organization):
    user = context["request"].user
    if not user.is_consultant:
        return {"digests": []}
    return {"digests": digests_for_organization(organization=organization)}
