"""The audit log's one write: who did what to which client, kept when the client's data is
erased (see ``portal/privacy/``; reads of client data are audited by ``privacy/audit.py``)."""

from .models import AuditLog, Organization, User


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organization: Organization | None = None,
    target: str = "",
    data: dict | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organization=organization,
        target=target[:200],
        data=data or {},
    )
