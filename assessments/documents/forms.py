from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import bootstrap_widgets

from .models import MEASURE_FIELDS, LiteracyMeasure


class DocumentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 28, "class": "form-control font-monospace small"}),
        help_text=_(
            "## Überschrift, - Aufzählung, **fett**, Tabellen mit | Spalte | Spalte |. "
            "Jede gespeicherte Änderung wird eine neue Fassung."
        ),
    )
    summary = forms.CharField(
        label=_("Was haben Sie geändert?"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LiteracyMeasureForm(forms.ModelForm):
    class Meta:
        model = LiteracyMeasure
        fields = list(MEASURE_FIELDS)
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": forms.Textarea(attrs={"rows": 2}),
            "participants": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
        self.fields["participant_count"].min_value = 1
