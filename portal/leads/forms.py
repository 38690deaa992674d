from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Industry, SizeBand

from .models import Lead


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Ihr Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    company = forms.CharField(
        label=_("Firma"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Telefon (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    message = forms.CharField(
        label=_("Ihre Nachricht"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    consent = forms.BooleanField(
        label=_(
            "Ich bin einverstanden, dass meine Angaben zur Bearbeitung der Anfrage gespeichert "
            "werden."
        ),
        error_messages={
            "required": _("Ohne Ihre Einwilligung können wir die Anfrage nicht bearbeiten.")
        },
    )
    # Honeypot: hidden from people by CSS and aria-hidden; bots that fill every field give
    # themselves away.
    website = forms.CharField(required=False, label=_("Website"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class LeadStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Lead.State.NEW, Lead.State.NEW.label),
            (Lead.State.CONTACTED, Lead.State.CONTACTED.label),
            (Lead.State.CLOSED, Lead.State.CLOSED.label),
        ],
    )
    notes = forms.CharField(
        label=_("interne Notiz"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LeadConvertForm(forms.Form):
    # Branch and size start empty and must be chosen: a preselected first option once made an
    # orthopaedics practice a machine builder with one click.
    name = forms.CharField(label=_("Firmenname"), max_length=200)
    industry = forms.ChoiceField(
        label=_("Branche"),
        choices=[("", _("Bitte wählen …")), *Industry.choices],
        error_messages={"required": _("Bitte wählen Sie die Branche.")},
    )
    size_band = forms.ChoiceField(
        label=_("Unternehmensgröße"),
        choices=[("", _("Bitte wählen …")), *SizeBand.choices],
        error_messages={"required": _("Bitte wählen Sie die Unternehmensgröße.")},
    )
