from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, Invitation, Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    client_data = "accounts"
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_consultant", "is_staff", "is_active"]
    list_filter = ["is_consultant", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (
            _("Rechte"),
            {
                "fields": (
                    "is_active",
                    "is_consultant",
                    "is_lead_consultant",
                    "notify_new_clients",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Daten"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "password1", "password2", "is_consultant"),
            },
        ),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    client_data = "organisation"
    list_display = ["name", "industry", "size_band", "consultant", "created_at"]
    list_filter = ["industry", "size_band", "consultant"]
    list_select_related = ["consultant"]  # a page of 100 clients in one query, not 101
    search_fields = ["name"]
    inlines = [MembershipInline]
    autocomplete_fields = ["consultant"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    client_data = "members"
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    client_data = "members"
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    readonly_fields = ["token", "created_at", "accepted_at"]
    autocomplete_fields = ["organization", "invited_by"]


class ActorKindFilter(admin.SimpleListFilter):
    title = _("Wer")
    parameter_name = "actor_kind"

    def lookups(self, request, model_admin):
        return [("consultant", _("Berater/innen")), ("client", _("Kunden")), ("none", _("System"))]

    def queryset(self, request, queryset):
        if self.value() == "consultant":
            return queryset.filter(actor__is_consultant=True)
        if self.value() == "client":
            return queryset.filter(actor__isnull=False, actor__is_consultant=False)
        if self.value() == "none":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Append-only: entries can be read and filtered, never added, changed or deleted here."""

    client_data = "audit"
    list_display = ["created_at", "action", "actor", "organization", "target"]
    # no list filter of every client (20,000 links in the sidebar took 0.8 s a page): the
    # search finds a client's entries by its name
    list_filter = ["action", ActorKindFilter, "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["target", "actor__email", "organization__name"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]
    list_select_related = ["actor", "organization"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from .leads import admin as leads_admin  # noqa: E402, F401 - registers the Lead admin
