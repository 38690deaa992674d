from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class ReminderSettingForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Wie oft möchten Sie an fällige Maßnahmen erinnert werden?"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )
