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
