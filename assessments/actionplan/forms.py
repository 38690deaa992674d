from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import bootstrap_widgets
from portal.models import User

from .models import Action
from .selectors import owner_candidates

PRIORITIES = [(1, "1"), (2, "2"), (3, "3")]
CONSULTANT_ONLY = ("title", "text", "priority", "internal_note")


def _owner_label(user: User) -> str:
    if user.is_consultant:
        return _("%(name)s (Beratung)") % {"name": user.display_name}
    return user.display_name


class OwnerField(forms.ChoiceField):
    """The owner picked from candidates loaded once per page (not once per action's form);
    cleans to the ``User`` or ``None``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.candidates: dict[str, User] = {}

    def set_candidates(self, candidates) -> None:
        self.candidates = {str(user.pk): user for user in candidates}
        self.choices = [("", _("– niemand –"))] + [
            (key, _owner_label(user)) for key, user in self.candidates.items()
        ]

    def clean(self, value):
        value = super().clean(value)
        return self.candidates.get(str(value)) if value else None

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, User) else value


class ActionForm(forms.Form):
    """Edit one action. Clients get owner, due date and state; consultants also the wording."""

    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Beschreibung"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priority = forms.TypedChoiceField(label=_("Priorität"), choices=PRIORITIES, coerce=int)
    owner = OwnerField(label=_("verantwortlich"))
    due_date = forms.DateField(
        label=_("fällig am"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    state = forms.ChoiceField(label=_("Stand"), choices=Action.State.choices)
    state_reason = forms.CharField(
        label=_("Begründung (bei „nicht relevant“)"), max_length=500, required=False
    )
    internal_note = forms.CharField(
        label=_("interne Notiz (nur Beratung)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assessment, consultant: bool, candidates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].set_candidates(
            candidates if candidates is not None else owner_candidates(assessment=assessment)
        )
        if not consultant:
            for name in CONSULTANT_ONLY:
                del self.fields[name]
        bootstrap_widgets(self, small=True)

    @classmethod
    def for_action(
        cls, action: Action, *, consultant: bool, data=None, candidates=None
    ) -> "ActionForm":
        initial = {
            "title": action.title or action.display_title,
            "text": action.text or action.display_text,
            "priority": action.priority,
            "owner": str(action.owner_id) if action.owner_id else "",
            "due_date": action.due_date,
            "state": action.state,
            "state_reason": action.state_reason,
            "internal_note": action.internal_note,
        }
        return cls(
            data,
            initial=initial,
            assessment=action.assessment,
            consultant=consultant,
            candidates=candidates,
            auto_id=f"action-{action.pk}-%s",
        )

    def clean(self):
        data = super().clean()
        if data.get("state") == Action.State.NOT_RELEVANT and not data.get("state_reason"):
            self.add_error(
                "state_reason", _("Bitte begründen Sie, warum die Maßnahme nicht relevant ist.")
            )
        return data

    def changes(self, action: Action) -> dict:
        """The fields to hand to the service; unchanged catalogue wording stays untouched."""
        fields = {name: self.cleaned_data[name] for name in self.fields}
        if "title" in fields and fields["title"] in ("", action.display_title):
            fields.pop("title")
        if "text" in fields and fields["text"] == action.display_text:
            fields.pop("text")
        return fields


class ActionCreateForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    text = forms.CharField(
        label=_("Beschreibung"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priorität"), choices=PRIORITIES, coerce=int, initial=2
    )
    owner = OwnerField(label=_("verantwortlich"))
    due_date = forms.DateField(
        label=_("fällig am"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    internal_note = forms.CharField(
        label=_("interne Notiz (nur Beratung)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assessment, candidates=None, **kwargs) -> None:
        kwargs.setdefault("auto_id", "new-action-%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].set_candidates(
            candidates if candidates is not None else owner_candidates(assessment=assessment)
        )
        bootstrap_widgets(self, small=True)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Datei"))
    note = forms.CharField(
        label=_("Was zeigt die Datei?"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
