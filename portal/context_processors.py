from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"consultancy": settings.CONSULTANCY}
