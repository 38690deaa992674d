from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.privacy.audit import client_data
from portal.views import consultant_required

from . import selectors, services
from .filters import TaskFilter
from .models import SavedFilter

PAGES = {SavedFilter.Page.TASKS: "task_list", SavedFilter.Page.PORTFOLIO: "consultant_dashboard"}


@client_data("tasks")
@consultant_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """Every open action of the consultant's clients, overdue first (filters in the URL)."""
    filters, form = TaskFilter.from_query(request.GET)
    today = timezone.localdate()
    tasks, has_next = selectors.tasks_page(user=request.user, filters=filters, today=today)
    overdue, capped = selectors.overdue_count(user=request.user, filters=filters, today=today)
    return render(
        request,
        "assessments/worklist/tasks.html",
        {
            "form": form,
            "filters": filters,
            "tasks": tasks,
            "overdue": overdue,
            "overdue_capped": capped,
            "page": filters.page,
            "prev_query": filters.query(page=filters.page - 1) if filters.page > 1 else None,
            "next_query": filters.query(page=filters.page + 1) if has_next else None,
            "query": filters.query(page=1),
            "sort_queries": {
                key: filters.query(sort=key, page=1) for key in ("due", "priority", "client")
            },
        },
    )


@client_data(None)
@consultant_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("page", "")
    target = reverse(PAGES.get(page, "task_list"))
    try:
        saved = services.saved_filter_save(
            user=request.user,
            page=page,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if back and safe else target)
    messages.success(request, _("Filter „%(name)s“ ist gespeichert.") % {"name": saved.name})
    return redirect(f"{target}?{saved.query}" if saved.query else target)


@client_data(None)
@consultant_required
@require_POST
def saved_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=filter_id, user=request.user)
    services.saved_filter_delete(saved=saved, user=request.user)
    messages.success(request, _("Filter „%(name)s“ ist gelöscht.") % {"name": saved.name})
    return redirect(PAGES.get(saved.page, "task_list"))
