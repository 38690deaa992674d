"""The portal's URLs plus ``/__bench__/bare/``: the same middleware, no work (the baseline)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/bare/", bare),
    path("", include("portal.urls")),
]
