from django import forms
from django.utils.translation import gettext_lazy as _


class InformClientsForm(forms.Form):
    """Which affected clients to tell, and whether by e-mail or only marked (e.g. after a call)."""

    SEND = "send"
    MARK = "mark"

    organizations = forms.MultipleChoiceField(
        label=_("Kunden"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte wählen Sie mindestens einen Kunden aus.")},
    )
    action = forms.ChoiceField(
        choices=[(SEND, _("E-Mail senden")), (MARK, _("nur als informiert markieren"))]
    )

    def __init__(self, *args, organization_ids: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = [(str(pk), str(pk)) for pk in organization_ids]

    def clean_organizations(self) -> list[str]:
        return list(self.cleaned_data["organizations"])

    def clean_action(self) -> bool:
        """``True`` when the clients get an e-mail."""
        return self.cleaned_data["action"] == self.SEND
