"""Django admin: customer enrollments and their audit log, read-only (changes go through the API)."""

from django.contrib import admin

from .admin import _ReadOnly
from .customer_models import CustomerAuditEntry, CustomerEnrollment


@admin.register(CustomerEnrollment)
class CustomerEnrollmentAdmin(_ReadOnly):
    list_display = (
        "id",
        "flag_name",
        "customer_slug",
        "learner_count",
        "created_by",
        "created_at",
        "expires_at",
        "ended_at",
        "end_reason",
    )
    list_filter = ("end_reason", "flag_name")
    search_fields = ("flag_name", "customer_slug", "customer_name", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)


@admin.register(CustomerAuditEntry)
class CustomerAuditEntryAdmin(_ReadOnly):
    list_display = (
        "at",
        "action",
        "flag_name",
        "customer_slug",
        "actor_username",
        "learner_count",
        "learners_added",
        "learners_removed",
        "group",
    )
    list_filter = ("action", "group")
    search_fields = ("flag_name", "customer_slug", "actor_username", "reason")
    date_hierarchy = "at"
