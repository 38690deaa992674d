from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.privacy import audit

from . import services
from .catalogue import CatalogueError
from .catalogue.text import tr
from .models import Answer, Assessment, QuestionnaireVersion
from .questionnaire.presentation import question_view
from .questionnaire.selectors import CATALOGUE_TEXT, questionnaire_of_version
from .selectors import catalogue_facts_stale


class StaleFactsForm(forms.Form):
    days = forms.IntegerField(
        label=_("Älter als (Tage)"), min_value=0, max_value=3650, required=False
    )


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(label=_("YAML-Datei"), help_text=_("Ein Fragebogen im Katalogformat."))

    def clean_file(self) -> str:
        # A larger file never gets here: the upload handler refuses it and the request is
        # answered with the 413 page (portal.security.uploads).
        upload = self.cleaned_data["file"]
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(_("Die Datei ist nicht in UTF-8 gespeichert.")) from None


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    client_data = None
    list_display = ["title", "key", "version", "status", "is_active", "created_at", "preview_link"]
    list_filter = ["status", "is_active", "key"]
    readonly_fields = [
        "key",
        "version",
        "title",
        "status",
        "is_active",
        "sha256",
        "uploaded_by",
        "created_at",
        "published_at",
        "source",
    ]
    exclude = ["document"]
    actions = ["publish", "activate"]
    change_list_template = "admin/assessments/questionnaireversion/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # versions come in through the upload view, validated

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or (not obj.is_published and not obj.assessments.exists())

    @admin.display(description=_("Vorschau"))
    def preview_link(self, obj) -> str:
        url = reverse("admin:assessments_questionnaireversion_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("ansehen"))

    def get_urls(self):
        custom = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="assessments_questionnaireversion_upload",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="assessments_questionnaireversion_preview",
            ),
            path(
                "facts/",
                self.admin_site.admin_view(self.stale_facts_view),
                name="assessments_questionnaireversion_facts",
            ),
        ]
        return custom + super().get_urls()

    @audit.client_data(None)
    def upload_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        posted = request.method == "POST"
        form = QuestionnaireUploadForm(
            request.POST if posted else None, request.FILES if posted else None
        )
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                version = services.questionnaire_load(
                    source=form.cleaned_data["file"], uploaded_by=request.user
                )
            except CatalogueError as error:
                errors = list(error.messages)
            else:
                messages.success(
                    request, _("Version %(v)s ist als Entwurf angelegt.") % {"v": version}
                )
                return redirect("admin:assessments_questionnaireversion_preview", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Fragebogen hochladen"),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        return render(
            request,
            "admin/assessments/questionnaireversion/upload.html",
            context,
            status=400 if errors or form.errors else 200,
        )

    @audit.client_data(None)
    def preview_view(self, request, pk: int):
        version = get_object_or_404(QuestionnaireVersion, pk=pk)
        questionnaire = questionnaire_of_version(version)
        sections = [
            {
                "title": tr(section["title"]),
                "intro": tr(section.get("intro")),
                "questions": [
                    (question, question_view(question, editable=False))
                    for question in section["questions"]
                ],
            }
            for section in questionnaire.sections
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Vorschau: %(v)s") % {"v": version},
            "version": version,
            "sections": sections,
            "recommendations": version.document.get("recommendations", []),
            "opts": self.model._meta,
        }
        return render(request, "admin/assessments/questionnaireversion/preview.html", context)

    @audit.client_data(None)
    def stale_facts_view(self, request):
        """Legal and vendor facts whose "as of" date is older than the configured age."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = StaleFactsForm(request.GET or None)
        days = settings.CATALOGUE_FACT_MAX_AGE_DAYS
        if form.is_bound and form.is_valid() and form.cleaned_data["days"] is not None:
            days = form.cleaned_data["days"]
        facts = catalogue_facts_stale(max_age_days=days, today=timezone.localdate())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rechtsstand prüfen: Fakten älter als %(days)s Tage")
            % {"days": number_format(days)},  # grouped as in the page: "3.650"
            "form": form,
            "days": days,
            "facts": [(f, tr(f.text)) for f in facts],
            "opts": self.model._meta,
        }
        return render(
            request,
            "admin/assessments/questionnaireversion/facts.html",
            context,
            status=400 if form.is_bound and not form.is_valid() else 200,
        )

    @admin.action(description=_("Ausgewählte Versionen veröffentlichen (unveränderlich)"))
    def publish(self, request, queryset):
        for version in queryset:
            services.questionnaire_publish(version=version, actor=request.user)
        messages.success(request, _("Veröffentlicht."))

    @admin.action(description=_("Als aktive Version für neue Bewertungen setzen"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, _("Bitte genau eine Version auswählen."))
            return
        try:
            services.questionnaire_activate(version=queryset.get(), actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Aktive Version gesetzt."))


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["question_key", "value", "carry", "updated_by", "updated_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    client_data = "answers"
    list_display = ["organization", "status", "questionnaire", "created_at", "submitted_at"]
    list_filter = ["status", "questionnaire"]
    search_fields = ["organization__name"]
    readonly_fields = [
        "organization",
        "questionnaire",
        "previous",
        "status",
        "started_by",
        "created_at",
        "submitted_at",
        "submitted_by",
    ]
    inlines = [AnswerInline]

    def get_queryset(self, request):
        # the list shows a version's name, not its document and YAML source (about 45 KB each,
        # decoded per row: 1.4 s for a page of 100 at 50,000 assessments)
        return (
            super()
            .get_queryset(request)
            .select_related("organization", "questionnaire")
            .defer(*CATALOGUE_TEXT)
        )

    def has_add_permission(self, request) -> bool:
        return False
