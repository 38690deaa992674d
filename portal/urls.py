from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import health, views
from .forms import EmailAuthenticationForm
from .portfolio import views as portfolio_views
from .privacy import views as privacy_views
from .privacy.audit import client_data
from .security import views as security_views
from .security.views import PasswordResetView

# Django's sign-in and password pages show the person's own account, no client data.
own_account = client_data(None)

auth_patterns = [
    path(
        "anmelden/",
        own_account(
            auth_views.LoginView.as_view(
                template_name="portal/auth/login.html",
                authentication_form=EmailAuthenticationForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("abmelden/", own_account(auth_views.LogoutView.as_view()), name="logout"),
    path("registrieren/", views.signup, name="signup"),
    path("registrieren/gesendet/", views.signup_done, name="signup_done"),
    path("bestaetigen/<str:token>/", views.email_verify, name="email_verify"),
    path("bestaetigen-erneut/", views.email_verify_resend, name="email_verify_resend"),
    path("zwei-faktor/einrichten/", security_views.mfa_setup, name="mfa_setup"),
    path("zwei-faktor/code/", security_views.mfa_verify, name="mfa_verify"),
    path("sicherheit/", security_views.account_security, name="account_security"),
    path(
        "passwort/aendern/",
        own_account(security_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "passwort/geaendert/",
        own_account(
            auth_views.PasswordChangeDoneView.as_view(
                template_name="portal/auth/password_change_done.html"
            )
        ),
        name="password_change_done",
    ),
    path(
        "passwort/vergessen/",
        own_account(PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "passwort/vergessen/gesendet/",
        own_account(
            auth_views.PasswordResetDoneView.as_view(
                template_name="portal/auth/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        own_account(
            security_views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        own_account(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="portal/auth/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.landing, name="landing"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("healthz", health.healthz, name="healthz"),
    path("konto/", include(auth_patterns)),
    path("start/", views.home, name="home"),
    path(
        "organisationen/<uuid:organization_id>/",
        views.organization_detail,
        name="organization_detail",
    ),
    path(
        "organisationen/<uuid:organization_id>/bearbeiten/",
        views.organization_edit,
        name="organization_edit",
    ),
    path(
        "organisationen/<uuid:organization_id>/einladen/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisationen/<uuid:organization_id>/einladungen/<uuid:invitation_id>/zurueckziehen/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisationen/<uuid:organization_id>/mitglieder/<int:membership_id>/",
        views.membership_update,
        name="membership_update",
    ),
    path(
        "organisationen/<uuid:organization_id>/datenschutz/",
        privacy_views.organization_privacy,
        name="organization_privacy",
    ),
    path(
        "organisationen/<uuid:organization_id>/datenschutz/export/",
        privacy_views.organization_export,
        name="organization_export",
    ),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("berater/", portfolio_views.consultant_dashboard, name="consultant_dashboard"),
    path("", include("portal.clients.urls")),
    path("", include("assessments.urls")),
    path("", include("portal.leads.urls")),
    path("", include("news.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "KI-Readiness-Portal"
admin.site.site_title = "KI-Readiness-Portal"
