from django import template

from assessments.questionnaire.selectors import active_questionnaire_effort

register = template.Library()


@register.simple_tag
def questionnaire_effort():
    """``{% questionnaire_effort as effort %}``: questions and minutes of the active catalogue."""
    return active_questionnaire_effort()
