"""Audit of reads of client data: who at the consultancy looked at which client's data, and when.

Every URL declares whether its page shows client data (decision 0040, ``docs/decisions``):

- a view: ``@client_data("answers")`` as its outermost decorator, or ``@client_data(None)``;
- a ModelAdmin: the class attribute ``client_data = "answers"`` (or ``None``);
- views the project does not write (Django's admin site pages, ``set_language``, the sitemap):
  ``THIRD_PARTY`` below, by view name.

``ReadAuditMiddleware`` reads the declaration of the view that answered and, when a consultant or
an admin got the page (2xx, or 400 for a form shown again), writes one ``AuditLog`` entry
``consultant.read.<what>``, whatever the request headers (htmx fragments and polls included).
Clients reading their own company are not audited here (their data; downloads and exports are,
by their services). If the entry cannot be written, the page is not handed out (503).

An identical read (same person, page, query and client) within ``AUDIT_READ_REPEAT_SECONDS``
is written once: a panel that polls every two seconds is one read, not thirty.

``tests/privacy/test_read_audit.py`` walks the URL resolver: a URL without a declaration fails it,
and so does a client-data URL whose read leaves no audit entry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.shortcuts import render
from django.views.generic import RedirectView

from portal.models import AuditLog, Organization

logger = logging.getLogger(__name__)

ACTION_PREFIX = "consultant.read."


@dataclass(frozen=True)
class ClientData:
    """What a page shows of a client; ``what=None``: nothing of any client."""

    what: str | None
    organization: Callable[..., object] | None = None
    methods: frozenset[str] = field(default=frozenset({"GET", "HEAD"}))

    @property
    def shows_client_data(self) -> bool:
        return self.what is not None


def client_data(
    what: str | None,
    *,
    organization: Callable[..., object] | None = None,
    methods: Iterable[str] = ("GET", "HEAD"),
):
    """Declare what a view's page shows of a client (``None``: nothing).

    ``organization(**url_kwargs)`` returns the client's organisation id when the URL kwargs are
    not one of ``ORGANIZATION_LOOKUPS`` (or call ``audit_subject`` in the view). ``methods``: the
    requests whose answer is a read (``("GET", "POST")`` for a sandbox that answers a POST with
    data; a write's own answer is not a read).
    """
    declaration = ClientData(what, organization, frozenset(m.upper() for m in methods))

    def decorate(view):
        view.client_data = declaration
        return view

    return decorate


UNDECLARED = ClientData("undeclared")
NO_CLIENT_DATA = ClientData(None)

# Views the project does not write, by view name (``namespace:url_name``, or the view's dotted
# path for an unnamed URL, as ``ResolverMatch.view_name`` has it).
THIRD_PARTY: dict[str, ClientData] = {
    name: ClientData(what)
    for name, what in {
        "set_language": None,
        "news:sitemap": None,
        "admin:index": None,
        "admin:login": None,
        "admin:logout": None,
        "admin:password_change": None,
        "admin:password_change_done": None,
        "admin:jsi18n": None,
        "admin:app_list": None,
        "admin:view_on_site": None,  # a redirect to the object's own (audited) page
        "admin:django.contrib.admin.sites.catch_all_view": None,
        "admin:django.views.generic.base.RedirectView": None,  # <id>/ -> <id>/change/
        # the search behind autocomplete fields: names and e-mail addresses of clients
        "admin:autocomplete": "admin_search",
        # custom pages of the account admins: a person's e-mail address, a TOTP device's key
        "admin:auth_user_password_change": "accounts",
        "admin:otp_totp_totpdevice_config": "accounts",
        "admin:otp_totp_totpdevice_qrcode": "accounts",
    }.items()
}

# Admin pages of apps the project does not write, by model (app_label.model_name).
THIRD_PARTY_MODELS: dict[str, str | None] = {
    "auth.group": None,
    "axes.accessattempt": "login_records",
    "axes.accesslog": "login_records",
    "axes.accessfailurelog": "login_records",
    "otp_totp.totpdevice": "accounts",
    "otp_static.staticdevice": "accounts",
}

# URL kwarg -> function(value) returning the organisation id. Apps register theirs in
# ``AppConfig.ready`` (``organization_lookup_register``), so this module imports none of them.
ORGANIZATION_LOOKUPS: dict[str, Callable[[object], object]] = {
    "organization_id": lambda value: value,
}


def organization_lookup_register(kwarg: str, lookup: Callable[[object], object]) -> None:
    ORGANIZATION_LOOKUPS[kwarg] = lookup


def declaration_for(func, view_name: str) -> ClientData:
    """The declaration of the view ``func`` reached as ``view_name`` (``UNDECLARED`` if none)."""
    declared = getattr(func, "client_data", None)
    if isinstance(declared, ClientData):
        return declared
    model_admin = getattr(func, "model_admin", None)
    if model_admin is not None:
        if view_name.endswith("_add") or _is_redirect(func):
            return NO_CLIENT_DATA  # an empty form, or a redirect to the object's change page
        if hasattr(type(model_admin), "client_data"):
            return ClientData(model_admin.client_data)
        label = model_admin.opts.label_lower
        if label in THIRD_PARTY_MODELS:
            return ClientData(THIRD_PARTY_MODELS[label])
    return THIRD_PARTY.get(view_name, UNDECLARED)


def _is_redirect(func) -> bool:
    view_class = getattr(func, "view_class", None)
    return view_class is not None and issubclass(view_class, RedirectView)


def audit_subject(request, *, organization=None, actor=None, target: str = "") -> None:
    """Name the client whose data this request reads (when the URL does not say it), for a
    token-authenticated page the person the token belongs to, and what to record as the target
    when the URL's own id is a secret."""
    if organization is not None:
        request._audit_organization_id = getattr(organization, "pk", organization)
    if actor is not None:
        request._audit_actor = actor
    if target:
        request._audit_target = target


def _is_audited_reader(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_consultant or user.is_staff or user.is_superuser)
    )


def _is_secret(kwarg: str) -> bool:
    return "token" in kwarg


def _path(request, kwargs: dict) -> str:
    """The path read, without secrets: a token in the URL is the key to an invitation or a
    calendar and is stored nowhere in clear, not in the audit log either."""
    path = request.path
    for key, value in kwargs.items():
        if _is_secret(key) and value:
            path = path.replace(str(value), "…")
    return path[:200]


def _target(request, kwargs: dict) -> str:
    if getattr(request, "_audit_target", ""):
        return request._audit_target[:200]
    for key in sorted(kwargs):
        if key.endswith("_id") or key in ("slug", "object_id", "pk"):
            return str(kwargs[key])[:200]
    return ""


def _organization_id(request, declaration: ClientData, func, kwargs: dict):
    if hasattr(request, "_audit_organization_id"):
        return request._audit_organization_id
    if declaration.organization is not None:
        return declaration.organization(**kwargs)
    model_admin = getattr(func, "model_admin", None)
    if model_admin is not None:
        return _admin_organization_id(model_admin.model, kwargs.get("object_id"))
    for key, lookup in ORGANIZATION_LOOKUPS.items():
        if key in kwargs:
            return lookup(kwargs[key])
    return None


def _admin_organization_id(model, object_id):
    """The organisation of an admin change/delete/history page, when its model has one."""
    if not object_id:
        return None
    if model is Organization:
        return object_id
    names = {f.name for f in model._meta.get_fields()}
    for relation, column in (
        ("organization", "organization_id"),
        ("assessment", "assessment__organization_id"),
    ):
        if relation in names:
            rows = model._default_manager.filter(pk=object_id).values_list(column, flat=True)
            return rows.first()
    return None


def _repeat_key(actor_id, action: str, organization_id, target: str, path: str, query: str):
    raw = f"{actor_id}|{action}|{organization_id}|{target}|{path}|{query}"
    return "audit-read:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _seen_recently(key: str) -> bool:
    """Only a positive answer of the cache skips the entry: a cache that fails answers "not
    seen", and the read is written (never the other way round)."""
    try:
        return cache.get(key) is not None
    except Exception:  # noqa: BLE001 - a cache fault must never cost an audit entry
        return False


def _remember(key: str) -> None:
    try:
        cache.set(key, 1, settings.AUDIT_READ_REPEAT_SECONDS)
    except Exception:  # noqa: BLE001 - the next identical read is written again, that is all
        logger.warning("Audit: could not note a read in the cache", exc_info=True)


def read_record(request, *, declaration: ClientData, func, kwargs: dict) -> None:
    """Write the audit entry of one read (raises ``DatabaseError`` when it cannot)."""
    actor = getattr(request, "_audit_actor", None) or request.user
    action = ACTION_PREFIX + declaration.what
    organization_id = _organization_id(request, declaration, func, kwargs)
    target = _target(request, kwargs)
    path = _path(request, kwargs)
    query = request.META.get("QUERY_STRING", "")[:300]
    key = None
    if settings.AUDIT_READ_REPEAT_SECONDS > 0:
        key = _repeat_key(actor.pk, action, organization_id, target, path, query)
        if _seen_recently(key):
            return
    data = {"path": path}
    if query:
        data["query"] = query
    if request.method not in ("GET", "HEAD"):
        data["method"] = request.method
    AuditLog.objects.create(
        action=action,
        actor=actor,
        organization_id=organization_id,
        target=target,
        data=data,
    )
    if key is not None:
        _remember(key)


class ReadAuditMiddleware:
    """Write an audit entry for every page of client data a consultant or an admin gets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        request._client_data = (
            declaration_for(view_func, match.view_name if match else ""),
            view_func,
            view_kwargs,
        )

    def __call__(self, request):
        response = self.get_response(request)
        declared = getattr(request, "_client_data", None)
        if declared is None:
            return response
        declaration, func, kwargs = declared
        if (
            not declaration.shows_client_data
            or request.method not in declaration.methods
            or not (200 <= response.status_code < 300 or response.status_code == 400)
            or not _is_audited_reader(getattr(request, "_audit_actor", None) or request.user)
        ):
            return response
        if declaration is UNDECLARED:
            logger.warning(
                "Audit: %s declares no client_data; audited as a read to be safe", request.path
            )
        try:
            read_record(request, declaration=declaration, func=func, kwargs=kwargs)
        except DatabaseError:
            logger.exception(
                "Audit: the read of %s could not be recorded; not served", request.path
            )
            if hasattr(response, "close"):
                response.close()
            return render(request, "portal/audit_unavailable.html", status=503)
        return response
