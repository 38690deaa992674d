from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Industry, Membership, Organization, SizeBand, User


def bootstrap_widgets(form: forms.BaseForm, *, small: bool = False) -> None:
    """Give the widgets of a form rendered field by field (``{{ field }}``, not crispy)
    Bootstrap's classes: a select ``form-select``, a checkbox ``form-check-input``, anything
    else ``form-control``; ``small`` for the ``-sm`` sizes. A class a widget sets itself wins."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs.setdefault("class", css)


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides "
            "(Groß- und Kleinschreibung beim Passwort beachten)."
        ),
        "inactive": _("Dieses Konto ist deaktiviert."),
    }


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def _password_user(self) -> User:
        return User(
            email=self.cleaned_data.get("email", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("Die beiden Passwörter stimmen nicht überein."))
        return password2

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self._password_user())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignupForm(PasswordPairMixin, forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    email = forms.EmailField(
        label=_("Geschäftliche E-Mail-Adresse"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organization_name = forms.CharField(label=_("Firmenname"), max_length=200)
    industry = forms.ChoiceField(
        label=_("Branche"), choices=[("", _("Bitte wählen …")), *Industry.choices]
    )
    size_band = forms.ChoiceField(
        label=_("Anzahl Beschäftigte"),
        choices=[("", _("Bitte wählen …")), *SizeBand.choices],
        help_text=_("Nach der KMU-Definition der EU."),
    )
    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "organization_name",
        "industry",
        "size_band",
    ]
    accept_privacy = forms.BooleanField(
        label=_("Ich habe die Datenschutzhinweise gelesen."),
        error_messages={"required": _("Bitte bestätigen Sie die Datenschutzhinweise.")},
    )

    def clean_email(self) -> str:
        # Whether the address is registered is not said here (no account enumeration).
        return self.cleaned_data["email"].strip().lower()


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "industry", "size_band", "language"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse der Person"))
    role = forms.ChoiceField(
        label=_("Rolle"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class InvitationAcceptForm(PasswordPairMixin, forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    field_order = ["first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def _password_user(self) -> User:
        user = super()._password_user()
        user.email = self.email
        return user
