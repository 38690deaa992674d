"""Response headers that Django and django-csp do not set themselves."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; ``Cache-Control: no-store`` for signed-in people.

    Pages of a signed-in person carry client data: neither the browser's back-forward cache on a
    shared office PC nor a proxy on the way may keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
