"""The portal's URLs plus two baselines (bench only, never deployed): ``/__bench__/bare/`` (the
same middleware, no work) and ``/bench/static/`` (a static template of a given size)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

STATIC = {"template": engines["django"].from_string("")}


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def static_page(request):
    """A bare Django view: render a static template (of the dashboard's size), no queries."""
    return HttpResponse(STATIC["template"].render({}, request))


def static_page_set(size: int) -> None:
    line = "<tr><td>Bodensee Fensterbau GmbH</td><td>42</td><td>57</td><td>13</td></tr>\n"
    text = (line * (size // len(line) + 1))[:size]
    STATIC["template"] = engines["django"].from_string(text)


urlpatterns = [
    path("__bench__/bare/", bare),
    path("bench/static/", static_page),
    path("", include("portal.urls")),
]
