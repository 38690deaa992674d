"""The portal's URLs plus one bare view for section 5's baseline (bench only, never deployed)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

STATIC = {"template": engines["django"].from_string("")}


def static_page(request):
    """A bare Django view: render a static template (of the dashboard's size), no queries."""
    return HttpResponse(STATIC["template"].render({}, request))


def static_page_set(size: int) -> None:
    line = "<tr><td>Bodensee Fensterbau GmbH</td><td>42</td><td>57</td><td>13</td></tr>\n"
    text = (line * (size // len(line) + 1))[:size]
    STATIC["template"] = engines["django"].from_string(text)


urlpatterns = [
    path("bench/static/", static_page),
    path("", include("portal.urls")),
]
