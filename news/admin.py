from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Article, ClientFollowUp, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    client_data = None
    list_display = ("name", "slug", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    client_data = None
    list_display = ("title", "state", "published_at", "author", "preview_link")
    list_filter = ("state", "topics", "vendors")
    search_fields = ("title", "teaser", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics", "vendors")
    readonly_fields = ("preview_link", "body_preview", "reading_time")
    fieldsets = (
        (None, {"fields": ("title", "slug", "teaser", "body", "cover", "cover_alt")}),
        (_("Veröffentlichung"), {"fields": ("state", "published_at", "author", "preview_link")}),
        (_("Schlagwörter"), {"fields": ("topics", "vendors")}),
        (_("Vorschau"), {"fields": ("reading_time", "body_preview")}),
    )

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("Vorschau"))
    def preview_link(self, obj: Article) -> str:
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            _("Seite ansehen (auch als Entwurf)"),
        )

    @admin.display(description=_("Text, wie er erscheint"))
    def body_preview(self, obj: Article) -> str:
        if not obj.pk:
            return _("Nach dem ersten Speichern sichtbar.")
        return format_html('<div class="news-preview">{}</div>', obj.body_html)

    @admin.display(description=_("Lesezeit"))
    def reading_time(self, obj: Article) -> str:
        return _("%(minutes)d Min.") % {"minutes": obj.reading_minutes} if obj.pk else "–"


@admin.register(ClientFollowUp)
class ClientFollowUpAdmin(admin.ModelAdmin):
    client_data = "followups"
    list_display = ("article", "organization", "informed_by", "informed_at", "by_email")
    list_filter = ("article",)
    search_fields = ("organization__name", "article__title")
    readonly_fields = (
        "article",
        "organization",
        "informed_by",
        "informed_at",
        "emailed_to",
        "exposure",
    )

    def has_add_permission(self, request) -> bool:
        return False
