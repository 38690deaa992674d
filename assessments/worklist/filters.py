"""The task list's filters and sort, read from and written back to the URL (bookmarkable)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import bootstrap_widgets

from ..actionplan.models import Action

DUE_CHOICES = [
    ("", _("alle")),
    ("overdue", _("überfällig")),
    ("week", _("fällig in 7 Tagen")),
    ("month", _("fällig in 30 Tagen")),
    ("none", _("ohne Fälligkeit")),
]
OWNER_CHOICES = [
    ("", _("alle")),
    ("me", _("mir zugeordnet")),
    ("client", _("beim Kunden")),
    ("nobody", _("niemandem zugeordnet")),
]
SORTS = {
    "due": _("Fälligkeit"),
    "priority": _("Priorität"),
    "client": _("Kunde"),
    "updated": _("zuletzt geändert"),
}
STATE_CHOICES = [("", _("offen oder in Arbeit")), *Action.State.choices[:2]]
PAGE_SIZE = 50


class TaskFilterForm(forms.Form):
    """Parses the query string; a bad value is dropped, never a 500."""

    q = forms.CharField(required=False, max_length=100, label=_("Suche (Maßnahme oder Kunde)"))
    due = forms.ChoiceField(required=False, choices=DUE_CHOICES, label=_("Fälligkeit"))
    state = forms.ChoiceField(required=False, choices=STATE_CHOICES, label=_("Stand"))
    priority = forms.ChoiceField(
        required=False,
        choices=[("", _("alle")), ("1", "1"), ("2", "2"), ("3", "3")],
        label=_("Priorität"),
    )
    owner = forms.ChoiceField(required=False, choices=OWNER_CHOICES, label=_("verantwortlich"))
    mine = forms.BooleanField(required=False, label=_("nur meine Kunden"))
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()), label=_("Sortierung"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self, small=True)


@dataclass(frozen=True)
class TaskFilter:
    q: str = ""
    due: str = ""
    state: str = ""
    priority: str = ""
    owner: str = ""
    mine: bool = False
    sort: str = "due"
    page: int = 1

    @classmethod
    def from_query(cls, query) -> tuple[TaskFilter, TaskFilterForm]:
        form = TaskFilterForm(query)
        form.is_valid()
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        try:
            page = max(1, int(query.get("page", 1)))
        except (TypeError, ValueError):
            page = 1
        return (
            cls(
                q=(data.get("q") or "").strip(),
                due=data.get("due") or "",
                state=data.get("state") or "",
                priority=data.get("priority") or "",
                owner=data.get("owner") or "",
                mine=bool(data.get("mine")),
                sort=data.get("sort") or "due",
                page=min(page, 10_000),
            ),
            form,
        )

    def query(self, **changes) -> str:
        """The query string of these filters (with ``changes``), without defaults."""
        values = asdict(replace(self, **changes))
        params = {
            k: ("1" if v is True else v)
            for k, v in values.items()
            if v not in ("", False, None)
            and not (k == "sort" and v == "due")
            and not (k == "page" and v == 1)
        }
        return urlencode(params)
