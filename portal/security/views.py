"""Views for account security: password reset, MFA, active sessions."""

from django.conf import settings
from django.contrib.auth import views as auth_views


class PasswordResetView(auth_views.PasswordResetView):
    """Links in the e-mail point at ``SITE_URL``, never at the Host header of the request.

    A forged Host would otherwise make the portal mail a reset link to an attacker's domain.
    """

    template_name = "portal/auth/password_reset.html"
    email_template_name = "portal/email/password_reset_body.txt"
    html_email_template_name = "portal/email/password_reset_body.html"
    subject_template_name = "portal/email/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {
            "consultancy": settings.CONSULTANCY,
            "site_url": settings.SITE_URL,
        }
        return super().form_valid(form)
