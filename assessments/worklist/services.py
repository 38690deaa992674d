"""Writes for saved filters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from portal.models import User

from .models import SavedFilter

DROPPED = {"page", "format", "csrfmiddlewaretoken"}


def clean_query(query: str) -> str:
    """The query string without paging and export parameters, at most 500 characters."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in DROPPED]
    cleaned = urlencode(pairs)
    if len(cleaned) > 500:
        raise ValidationError(_("Dieser Filter ist zu lang zum Speichern."))
    return cleaned


def saved_filter_save(*, user: User, page: str, name: str, query: str) -> SavedFilter:
    if not user.is_consultant:
        raise PermissionDenied
    if page not in SavedFilter.Page.values:
        raise ValidationError(_("Unbekannte Seite."))
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError(_("Bitte geben Sie dem Filter einen Namen."))
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, page=page, name=name, defaults={"query": clean_query(query)}
    )
    return saved


def saved_filter_delete(*, saved: SavedFilter, user: User) -> None:
    if saved.user_id != user.pk:
        raise PermissionDenied
    saved.delete()
