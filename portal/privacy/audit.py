"""Audit of consultants' reads of client answers, results and reports.

A middleware, so that every page listed here is covered however its view changes: after a
successful GET by a consultant it writes one audit entry naming what was read.
"""

from __future__ import annotations

from portal.models import AuditLog

# url name → what the page shows of the client
READ_AUDITED = {
    "assessment_section": "answers",
    "assessment_review": "answers",
    "assessment_whatif": "answers",
    "assessment_done": "results",
    "report_download": "report",
}


def _organization_id(view_name: str, kwargs: dict):
    from assessments.models import Assessment, Report

    if "assessment_id" in kwargs:
        return (
            Assessment.objects.filter(pk=kwargs["assessment_id"])
            .values_list("organization_id", flat=True)
            .first()
        )
    if "report_id" in kwargs:
        return (
            Report.objects.filter(pk=kwargs["report_id"])
            .values_list("assessment__organization_id", flat=True)
            .first()
        )
    return None


class ConsultantReadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            match is not None
            and match.view_name in READ_AUDITED
            and request.method == "GET"
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
            and user.is_consultant
            and not request.headers.get("HX-Request")
        ):
            what = READ_AUDITED[match.view_name]
            target = str(match.kwargs.get("assessment_id") or match.kwargs.get("report_id") or "")
            AuditLog.objects.create(
                action=f"consultant.read.{what}",
                actor=user,
                organization_id=_organization_id(match.view_name, match.kwargs),
                target=target,
                data={"path": request.path[:200]},
            )
        return response


# --- per-view declaration (the names the privacy branch defines for every view) ---------------

_ORGANIZATION_KWARGS = ("organization_id", "assessment_id", "report_id", "action_id")


def _organization_from_kwargs(kwargs: dict):
    from assessments.models import Action

    if "organization_id" in kwargs:
        return kwargs["organization_id"]
    if "assessment_id" in kwargs:
        return _organization_id("assessment_section", kwargs)
    if "report_id" in kwargs:
        return _organization_id("report_download", kwargs)
    if "action_id" in kwargs:
        return (
            Action.objects.filter(pk=kwargs["action_id"])
            .values_list("assessment__organization_id", flat=True)
            .first()
        )
    return None


def audit_subject(request, *, organization=None, actor=None) -> None:
    """Name the organisation whose data the current view shows (for kwargs the decorator cannot
    resolve)."""
    request._audit_organization = getattr(organization, "pk", organization)
    if actor is not None:
        request._audit_actor = actor


def client_data(what: str | None, *, methods=("GET", "HEAD"), organization=None):
    """Declare whether a view shows client data; a consultant's successful read of it is
    written to the audit log as ``consultant.read.<what>``."""

    def decorator(view):
        from functools import wraps

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            user = getattr(request, "_audit_actor", None) or getattr(request, "user", None)
            if (
                what is not None
                and request.method in methods
                and 200 <= response.status_code < 300
                and user is not None
                and user.is_authenticated
                and (user.is_consultant or user.is_staff)
            ):
                if hasattr(request, "_audit_organization"):
                    organization_id = request._audit_organization
                elif organization is not None:
                    organization_id = organization(**kwargs)
                else:
                    organization_id = _organization_from_kwargs(kwargs)
                target = next((str(kwargs[k]) for k in _ORGANIZATION_KWARGS if k in kwargs), "")
                AuditLog.objects.create(
                    action=f"consultant.read.{what}",
                    actor=user,
                    organization_id=organization_id,
                    target=target,
                    data={"path": request.path[:200]},
                )
            return response

        wrapper.client_data = what
        return wrapper

    return decorator
