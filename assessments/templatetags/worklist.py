"""``{% saved_filters "portfolio" %}``: a consultant's saved filters of a page, and a form that
saves the current one (used on the task list and the portfolio dashboard)."""

from django import template

from ..worklist.selectors import saved_filters as saved_filters_of

register = template.Library()


@register.inclusion_tag("assessments/worklist/_saved_filters.html", takes_context=True)
def saved_filters(context, page: str):
    request = context["request"]
    if not request.user.is_consultant:
        return {"show": False}
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    return {
        "show": True,
        "page": page,
        "filters": saved_filters_of(user=request.user, page=page),
        "query": query.urlencode(),
        "path": request.path,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
