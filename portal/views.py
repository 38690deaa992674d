from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessments import selectors as assessment_selectors

from . import selectors, services
from .clients.selectors import consultants_assignable
from .forms import InvitationAcceptForm, InvitationForm, OrganizationForm, SignupForm
from .models import Invitation, Membership, User, invitation_token_hash
from .privacy.audit import audit_subject, client_data


def consultant_required(view):
    """Consultant-only pages answer 404 to everybody else, like any page they may not see."""

    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_consultant:
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@client_data(None)
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/landing.html")


@client_data(None)
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (feeds, PDFs): the logo."""
    return redirect(static(settings.CONSULTANCY["logo"]))


# Paths behind a sign-in or carrying a personal token (see templates/portal/robots.txt).
ROBOTS_PRIVATE_PATHS = (
    "/admin/",
    "/konto/",
    "/start/",
    "/berater/",
    "/bewertungen/",
    "/berichte/",
    "/massnahmen/",
    "/organisationen/",
    "/einladung/",
    "/kalender/",
    "/aktuelles/abbestellen/",
    "/i18n/",
    "/healthz",
)


@client_data(None)
@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    body = (
        engines["text"]
        .get_template("portal/robots.txt")
        .render({"private_paths": ROBOTS_PRIVATE_PATHS, "site_url": settings.SITE_URL})
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@client_data(None)
@require_GET
def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/imprint.html")


@client_data(None)
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    retention = {
        "audit": settings.AUDIT_RETENTION_DAYS,
        "sessions": settings.SESSION_RETENTION_DAYS,
        "drafts": settings.DRAFT_RETENTION_DAYS,
        "leads": settings.LEAD_RETENTION_DAYS,
        "leads_open": settings.LEAD_OPEN_RETENTION_DAYS,
        "erasure": settings.ERASURE_GRACE_DAYS,
        "device_cookie": settings.DEVICE_COOKIE_DAYS,
    }
    return render(request, "portal/privacy.html", {"retention": retention})


@client_data(None)
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A new and an already registered address get the same answer (see user_signup).
        services.user_signup(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organization_name=data["organization_name"],
            industry=data["industry"],
            size_band=data["size_band"],
        )
        return redirect("signup_done")
    return render(request, "portal/signup.html", {"form": form})


@client_data(None)
@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signup_done.html")


@client_data(None)
@require_GET
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    user = services.email_verify(token=token)
    if user is None:
        return render(
            request,
            "portal/link_invalid.html",
            {
                "heading": _("Bestätigungslink nicht gültig"),
                "message": _(
                    "Dieser Bestätigungslink ist ungültig oder abgelaufen. Melden Sie sich an, "
                    "um einen neuen anzufordern."
                ),
            },
            status=410,
        )
    messages.success(request, _("Danke! Ihre E-Mail-Adresse ist bestätigt."))
    if request.user.is_authenticated:
        return redirect("home")
    return redirect("login")


@client_data(None)
@login_required
@require_http_methods(["POST"])
def email_verify_resend(request: HttpRequest) -> HttpResponse:
    if not request.user.email_verified:
        services.email_verification_send(user=request.user)
        messages.info(request, _("Wir haben Ihnen den Bestätigungslink noch einmal geschickt."))
    return redirect("home")


@client_data(None)
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: consultants on their dashboard, clients on their company."""
    if request.user.is_consultant:
        return redirect("consultant_dashboard")
    organizations = list(selectors.organizations_for_user(user=request.user))
    if len(organizations) == 1:
        return redirect("organization_detail", organization_id=organizations[0].pk)
    return render(request, "portal/home.html", {"organizations": organizations})


@client_data("organisation")
@login_required
@require_GET
def organization_detail(request: HttpRequest, organization_id) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    can_manage = services.can_manage_members(user=request.user, organization=organization)
    assessments = assessment_selectors.assessments_for_organization(
        user=request.user, organization=organization
    )
    context = {
        "assessments": assessments,
        "latest": assessment_selectors.latest_result_for(organization=organization),
        "has_draft": any(a.is_draft for a in assessments),
        "has_submitted": any(not a.is_draft for a in assessments),
        "organization": organization,
        "memberships": organization.memberships.select_related("user"),
        "invitations": organization.invitations.pending() if can_manage else [],
        "can_manage": can_manage,
        "role": selectors.membership_role(user=request.user, organization=organization),
        "invitation_form": InvitationForm() if can_manage else None,
        "assignable": consultants_assignable() if request.user.can_assign_clients else [],
    }
    return render(request, "portal/organization_detail.html", context)


@client_data("organisation")
@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, organization_id) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if not services.can_manage_members(user=request.user, organization=organization):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            organization=organization,
            actor=request.user,
            fields={name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, _("Die Firmendaten wurden gespeichert."))
        return redirect("organization_detail", organization_id=organization.pk)
    return render(
        request, "portal/organization_edit.html", {"organization": organization, "form": form}
    )


@client_data(None)
@login_required
@require_http_methods(["POST"])
def invitation_create(request: HttpRequest, organization_id) -> HttpResponse:
    organization = selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if not services.can_manage_members(user=request.user, organization=organization):
        raise PermissionDenied
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None if error.code in ("limit", "email_unverified") else "email", error)
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s ist verschickt.") % form.cleaned_data,
            )
            return redirect("organization_detail", organization_id=organization.pk)
    context = {
        "organization": organization,
        "memberships": organization.memberships.select_related("user"),
        "invitations": organization.invitations.pending(),
        "can_manage": True,
        "invitation_form": form,
    }
    return render(request, "portal/organization_detail.html", context, status=400)


@client_data("invitation")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token=invitation_token_hash(token))
        .first()
    )
    if invitation is None:  # mistyped, cut off in the mail program, or made up
        return _invitation_invalid(
            request,
            _(
                "Diesen Einladungslink kennen wir nicht. Bitte öffnen Sie den Link aus der "
                "E-Mail vollständig oder bitten Sie um eine neue Einladung."
            ),
            status=404,
        )
    audit_subject(request, organization=invitation.organization_id)
    try:
        services.invitation_check(invitation)
    except services.InvitationInvalid as error:
        return _invitation_invalid(request, str(error), status=410)
    account_exists = User.objects.filter(email__iexact=invitation.email).exists()
    if request.user.is_authenticated or account_exists:
        return _invitation_accept_existing(request, invitation)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(
            invitation=invitation,
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Willkommen bei %(org)s!") % {"org": invitation.organization.name}
        )
        return redirect("organization_detail", organization_id=invitation.organization_id)
    return render(
        request, "portal/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _invitation_invalid(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request,
        "portal/link_invalid.html",
        {"heading": _("Einladung nicht gültig"), "message": message},
        status=status,
    )


def _invitation_accept_existing(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    if not request.user.is_authenticated:
        messages.info(request, _("Bitte melden Sie sich an, um die Einladung anzunehmen."))
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationInvalid as error:
            messages.error(request, str(error))
            return _invitation_invalid(request, str(error), status=403)
        messages.success(
            request, _("Sie sind jetzt Mitglied von %(org)s.") % {"org": invitation.organization}
        )
        return redirect("organization_detail", organization_id=invitation.organization_id)
    return render(request, "portal/invitation_accept.html", {"invitation": invitation})


def _managed_organization(request: HttpRequest, organization_id):
    organization = selectors.organization_get_for_user(
        user=request.user, organization_id=organization_id
    )
    if not services.can_manage_members(user=request.user, organization=organization):
        raise PermissionDenied
    return organization


@client_data(None)
@login_required
@require_http_methods(["POST"])
def invitation_revoke(request: HttpRequest, organization_id, invitation_id) -> HttpResponse:
    organization = _managed_organization(request, organization_id)
    invitation = get_object_or_404(organization.invitations.pending(), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(
        request, _("Die Einladung an %(email)s ist zurückgezogen.") % {"email": invitation.email}
    )
    return redirect("organization_detail", organization_id=organization.pk)


@client_data(None)
@login_required
@require_http_methods(["POST"])
def membership_update(request: HttpRequest, organization_id, membership_id) -> HttpResponse:
    """Change a member's role (``role``) or remove them (``remove``)."""
    organization = _managed_organization(request, organization_id)
    membership = get_object_or_404(
        Membership.objects.select_related("user").filter(organization=organization),
        pk=membership_id,
    )
    try:
        if "remove" in request.POST:
            services.membership_remove(membership=membership, actor=request.user)
            messages.success(
                request,
                _("%(name)s gehört nicht mehr zu %(org)s.")
                % {"name": membership.user.display_name, "org": organization.name},
            )
            if membership.user_id == request.user.pk:
                return redirect("home")
        else:
            services.membership_role_change(
                membership=membership, role=request.POST.get("role", ""), actor=request.user
            )
            messages.success(request, _("Die Rolle ist geändert."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organization_detail", organization_id=organization.pk)
