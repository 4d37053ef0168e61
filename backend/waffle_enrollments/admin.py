"""Django admin: enrollments and the audit log can be read, never written, from the admin.

Changes go through the API (or services.py), which keeps Flag.users and the audit log in step.
"""

from django.contrib import admin

from .models import AuditEntry, Enrollment, UserLookup


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(_ReadOnly):
    list_display = ("id", "flag_name", "user", "created_by", "created_at", "expires_at", "ended_at", "end_reason")
    list_filter = ("end_reason", "flag_name")
    search_fields = ("flag_name", "user__username", "user__email", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("user", "created_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = ("at", "action", "flag_name", "username", "actor_username", "membership")
    list_filter = ("action", "membership")
    search_fields = ("flag_name", "username", "actor_username", "reason")
    date_hierarchy = "at"


@admin.register(UserLookup)
class UserLookupAdmin(_ReadOnly):
    list_display = ("at", "viewer_username", "subject_username", "from_url")
    search_fields = ("viewer_username", "subject_username", "from_url")
    date_hierarchy = "at"


from . import customer_admin  # noqa: E402,F401  (registers the customer enrollments' admin)
