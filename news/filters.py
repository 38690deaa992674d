"""Filters and sort of "Welche Kunden betrifft das?", read from and written back to the URL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.portfolio.filters import LEVEL_LABELS

SORT_CHOICES = [
    ("exposure", _("Abhängigkeit: höchste zuerst")),
    ("lock_in", _("Lock-in: höchster zuerst")),
    ("submitted", _("Stand: neueste zuerst")),
    ("name", _("Kunde: A–Z")),
]
INFORMED_CHOICES = [("", _("alle")), ("no", _("noch nicht informiert")), ("yes", _("informiert"))]


class AffectedFilterForm(forms.Form):
    """A bad value is dropped (the rest still applies), never a 500."""

    q = forms.CharField(required=False, max_length=100, label=_("Suche nach Firmenname"))
    level = forms.ChoiceField(
        required=False, choices=[("", _("alle")), *LEVEL_LABELS.items()], label=_("Lock-in-Stufe")
    )
    informed = forms.ChoiceField(required=False, choices=INFORMED_CHOICES, label=_("Informiert"))
    mine = forms.BooleanField(required=False, label=_("nur meine Kunden"))
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label=_("Sortierung"))
    page = forms.IntegerField(required=False, min_value=1)


@dataclass(frozen=True)
class AffectedFilter:
    q: str = ""
    level: str = ""
    informed: str = ""
    mine: bool = False
    sort: str = "exposure"
    page: int = 1

    @classmethod
    def from_query(cls, data) -> AffectedFilter:
        form = AffectedFilterForm(data)
        form.is_valid()  # cleaned_data keeps the valid fields only
        clean = form.cleaned_data
        return cls(
            q=(clean.get("q") or "").strip(),
            level=clean.get("level") or "",
            informed=clean.get("informed") or "",
            mine=bool(clean.get("mine")),
            sort=clean.get("sort") or "exposure",
            page=clean.get("page") or 1,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.level or self.informed or self.mine)

    def url(self, **changes) -> str:
        """``?…`` of this filter with ``changes`` applied (page back to 1 unless given)."""
        changes.setdefault("page", 1)
        state = replace(self, **changes)
        items = [
            (name, value)
            for name, value in (
                ("q", state.q),
                ("level", state.level),
                ("informed", state.informed),
                ("mine", "1" if state.mine else ""),
                ("sort", "" if state.sort == "exposure" else state.sort),
                ("page", "" if state.page == 1 else str(state.page)),
            )
            if value
        ]
        return "?" + urlencode(items) if items else "?"
