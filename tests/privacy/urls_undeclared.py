"""A URL conf with one view that does not say whether it shows client data."""

from django.http import HttpResponse
from django.urls import path


def new_page(request):
    return HttpResponse("neu")


urlpatterns = [path("neu/", new_page, name="neu")]
