from django.contrib import admin

from .models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    client_data = "lead"
    list_display = ("company", "name", "email", "state", "created_at", "handled_by")
    list_filter = ("state",)
    search_fields = ("company", "name", "email", "message")
    readonly_fields = ("consent_at", "created_at", "updated_at", "organization", "language")
