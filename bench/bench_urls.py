"""The portal's URLs plus two baselines (bench only, never deployed): ``/__bench__/bare/`` (the
same middleware, no work) and ``/bench/static/?size=N`` (a bare Django view rendering a static
template of N bytes, no queries of its own)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

LINE = "<tr><td>Bodensee Fensterbau GmbH</td><td>42</td><td>57</td><td>13</td></tr>\n"
MAX_SIZE = 50_000_000
_templates = {}


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def static_template(size: int):
    """A compiled template of exactly ``size`` bytes of static HTML (compiled once per size)."""
    if size not in _templates:
        text = (LINE * (size // len(LINE) + 1))[:size]
        _templates[size] = engines["django"].from_string(text)
    return _templates[size]


def static_page(request: HttpRequest) -> HttpResponse:
    """A bare Django view: render a static template of the requested size with the request's
    context processors, as ``render`` does for a real page."""
    try:
        size = min(max(int(request.GET.get("size", "1000")), 0), MAX_SIZE)
    except ValueError:
        size = 1000
    return HttpResponse(static_template(size).render({}, request))


urlpatterns = [
    path("__bench__/bare/", bare),
    path("bench/static/", static_page),
    path("", include("portal.urls")),
]
