"""The dashboard's filters and sort, read from and written back to the URL (bookmarkable)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Industry, SizeBand

LEVELS = ("low", "medium", "high", "critical")
DIMENSIONS = ("lock_in", "gdpr", "ai_act", "continuity", "governance")
SCORE_FIELDS = ("readiness", *DIMENSIONS)
SORTS = {
    "name": "name",
    "readiness": "summary__readiness",
    "lock_in": "summary__lock_in",
    "gdpr": "summary__gdpr",
    "ai_act": "summary__ai_act",
    "continuity": "summary__continuity",
    "governance": "summary__governance",
    "submitted": "summary__submitted_at",
}
LEVEL_LABELS = {
    "low": pgettext_lazy("risk level", "gering"),
    "medium": pgettext_lazy("risk level", "mittel"),
    "high": pgettext_lazy("risk level", "hoch"),
    "critical": pgettext_lazy("risk level", "kritisch"),
}
VENDOR_OPERATORS = {"ge": "≥", "gt": ">"}
PAGE_SIZE = 50


def _level_choices(empty):
    return [("", empty), *LEVEL_LABELS.items()]


class PortfolioFilterForm(forms.Form):
    """Parses the query string; a bad value is dropped (and shown), never a 500."""

    q = forms.CharField(required=False, max_length=100, label=_("Suche"))
    level = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("höchste Risikostufe")
    )
    lvl_lock_in = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("Anbieterabhängigkeit")
    )
    lvl_gdpr = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("Datenschutz (DSGVO)")
    )
    lvl_ai_act = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("EU AI Act")
    )
    lvl_continuity = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("Kontinuität und Kosten")
    )
    lvl_governance = forms.ChoiceField(
        required=False, choices=_level_choices(_("alle")), label=_("Governance und Kompetenz")
    )
    industry = forms.ChoiceField(
        required=False, choices=[("", _("alle"))] + Industry.choices, label=_("Branche")
    )
    size = forms.ChoiceField(
        required=False, choices=[("", _("alle"))] + SizeBand.choices, label=_("Größe")
    )
    consultant = forms.ChoiceField(required=False, label=_("Berater/in"))
    unassigned = forms.BooleanField(required=False, label=_("ohne Berater/in"))
    mine = forms.BooleanField(required=False, label=_("nur meine Kunden"))
    review = forms.ChoiceField(required=False, label=_("Prüfstand"))
    vendor = forms.ChoiceField(required=False, label=_("Anbieter"))
    vendor_op = forms.ChoiceField(
        required=False, choices=list(VENDOR_OPERATORS.items()), label=_("Vergleich")
    )
    vendor_min = forms.IntegerField(
        required=False, min_value=0, max_value=100, label=_("Anbieter-Exposition")
    )
    stale = forms.BooleanField(required=False, label=_("älter als 12 Monate"))
    incomplete = forms.BooleanField(required=False, label=_("unvollständig beantwortet"))
    overdue = forms.BooleanField(required=False, label=_("Maßnahmen überfällig"))
    sort = forms.CharField(required=False, max_length=20)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, consultants, vendors, review_states) -> None:
        super().__init__(data)
        self.fields["consultant"].choices = [("", _("alle"))] + [
            (str(pk), name) for pk, name in consultants
        ]
        self.fields["vendor"].choices = [("", _("–"))] + list(vendors)
        self.fields["review"].choices = [("", _("alle"))] + list(review_states)
        if not review_states:
            del self.fields["review"]

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "name"
        return sort if sort.lstrip("-") in SORTS else "name"


@dataclass(frozen=True)
class PortfolioFilter:
    q: str = ""
    level: str = ""
    dimension_levels: dict[str, str] = field(default_factory=dict)
    industry: str = ""
    size: str = ""
    consultant: str = ""
    unassigned: bool = False
    mine: bool = False
    review: str = ""
    vendor: str = ""
    vendor_op: str = "ge"
    vendor_min: int | None = None
    stale: bool = False
    incomplete: bool = False
    overdue: bool = False
    sort: str = "name"
    page: int = 1

    @classmethod
    def from_form(cls, form: PortfolioFilterForm) -> PortfolioFilter:
        form.is_valid()  # fills cleaned_data with the valid fields only
        data = form.cleaned_data
        return cls(
            q=(data.get("q") or "").strip(),
            level=data.get("level") or "",
            dimension_levels={
                dim: data[f"lvl_{dim}"] for dim in DIMENSIONS if data.get(f"lvl_{dim}")
            },
            industry=data.get("industry") or "",
            size=data.get("size") or "",
            consultant=data.get("consultant") or "",
            unassigned=bool(data.get("unassigned")),
            mine=bool(data.get("mine")),
            review=data.get("review") or "",
            vendor=data.get("vendor") or "",
            vendor_op=data.get("vendor_op") or "ge",
            vendor_min=data.get("vendor_min"),
            stale=bool(data.get("stale")),
            incomplete=bool(data.get("incomplete")),
            overdue=bool(data.get("overdue")),
            sort=data.get("sort") or "name",
            page=data.get("page") or 1,
        )

    @property
    def is_filtered(self) -> bool:
        return self.query_items(sort=False, page=False) != []

    def query_items(self, *, sort: bool = True, page: bool = True) -> list[tuple[str, str]]:
        items = []
        for name, value in (
            ("q", self.q),
            ("level", self.level),
            *((f"lvl_{dim}", self.dimension_levels.get(dim, "")) for dim in DIMENSIONS),
            ("industry", self.industry),
            ("size", self.size),
            ("consultant", self.consultant),
            ("unassigned", "1" if self.unassigned else ""),
            ("mine", "1" if self.mine else ""),
            ("review", self.review),
            ("vendor", self.vendor if self.vendor_min is not None else ""),
            ("vendor_op", self.vendor_op if self.vendor and self.vendor_min is not None else ""),
            ("vendor_min", "" if self.vendor_min is None or not self.vendor else self.vendor_min),
            ("stale", "1" if self.stale else ""),
            ("incomplete", "1" if self.incomplete else ""),
            ("overdue", "1" if self.overdue else ""),
            ("sort", self.sort if sort and self.sort != "name" else ""),
            ("page", self.page if page and self.page != 1 else ""),
        ):
            if value not in ("", None):
                items.append((name, str(value)))
        return items

    def url(self, **changes) -> str:
        """``?…`` of this filter with ``changes`` applied (page back to 1 unless given)."""
        changes.setdefault("page", 1)
        if "dimension_levels" in changes:
            changes["dimension_levels"] = {
                k: v
                for k, v in {**self.dimension_levels, **changes["dimension_levels"]}.items()
                if v
            }
        query = urlencode(replace(self, **changes).query_items())
        return f"?{query}" if query else "?"

    def sort_url(self, key: str) -> str:
        return self.url(sort=key if self.sort == f"-{key}" else f"-{key}")
