from django import forms

from .models import ConsultantNote


class ConsultantNoteForm(forms.ModelForm):
    class Meta:
        model = ConsultantNote
        fields = ["kind", "title", "text", "priority"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def clean_priority(self) -> int:
        priority = self.cleaned_data["priority"]
        if not 1 <= priority <= 3:
            raise forms.ValidationError("1–3")
        return priority
