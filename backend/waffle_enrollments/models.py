"""An enrollment of a user in a Waffle flag, and the append-only audit log of every change.

Membership itself lives in waffle's own ``Flag.users``; an enrollment records why and until
when the user was put there, so that ending it can undo exactly what it did.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EndReason(models.TextChoices):
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class EnrollmentQuerySet(models.QuerySet):
    """The manager of both kinds of enrollment (of a user, of a customer)."""

    def live(self):
        """Enrollments not ended yet.

        Written as ``live IN (TRUE)`` rather than ``live=True``: Django 3.2 renders the latter on
        MySQL/MariaDB as a bare ``WHERE live``, which the server cannot use as an index range, so the
        expiry sweep (run on every API call) would read every live row instead of the few that are
        due (measured: 30,000 rows and ~30 ms instead of one index probe; see docs/BENCHMARKS.md).
        """
        return self.filter(live__in=[True])


class Enrollment(models.Model):
    # SET_NULL + flag_name: deleting a flag in the admin must neither be blocked by nor erase history.
    # swappable=False: this app works with waffle's own Flag model (WAFFLE_FLAG_MODEL unset, as in
    # the LMS); a swappable reference would need that setting in every project.
    flag = models.ForeignKey(
        "waffle.Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", swappable=False
    )
    flag_name = models.CharField(max_length=100, db_index=True)
    # DO_NOTHING: deleting a user (in the LMS's or Studio's admin, or the ORM) sends pre_delete, on which
    # services.end_enrollments_of_deleted_user audits the end of their live enrollments and deletes
    # their enrollments before the user row goes. A CASCADE would instead need the admin's delete
    # permission on enrollments, which the admin never grants (they change only through the API).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="waffle_enrollments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Was the user already in Flag.users (put there by someone else) when this enrollment began?
    preexisting_membership = models.BooleanField()
    # True while live, NULL once ended. With the unique constraint below this allows at most one
    # live enrollment per (flag, user) on every database (NULLs never collide in a unique index),
    # including MySQL/MariaDB, which has no partial unique indexes.
    live = models.BooleanField(null=True, default=True, editable=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["flag", "user", "live"], name="waffle_enr_one_live_per_flag_user"),
        ]
        indexes = [models.Index(fields=["live", "expires_at"], name="waffle_enr_live_expiry")]
        permissions = [
            ("enroll_self", "Can enroll themselves in a Waffle flag"),
            ("enroll_others", "Can enroll other users in a Waffle flag and end their enrollments"),
            ("view_others", "Can look at another user's Waffle flags and search users"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.flag_name} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def state(self):
        return "live" if self.ended_at is None else "ended"


class AuditAction(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


class AppendOnly:
    """A model whose rows are written once and never updated or deleted (the audit trails)."""

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError(
                f"{self._meta.verbose_name_plural.capitalize()} are append-only: they cannot be updated."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name_plural.capitalize()} are append-only: they cannot be deleted.")


class AuditEntry(AppendOnly, models.Model):
    """One change, written in the same transaction as the change itself; never updated or deleted.

    Names are copied as text so that the entry still reads right after a flag or user is deleted.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.SET_NULL, null=True, related_name="audit_entries")
    flag_name = models.CharField(max_length=100, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)  # blank: the expiry job
    reason = models.TextField(blank=True)
    # What happened to Flag.users: "added", "already_present", "removed", "kept_preexisting",
    # "kept_other_enrollment", "kept_flag_deleted".
    membership = models.CharField(max_length=32)
    expires_at = models.DateTimeField(null=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.username} in {self.flag_name}"


class UserLookup(AppendOnly, models.Model):
    """One look at another user's flags (GET flags/?user=): who looked at whom, when, from which page.

    Append-only like AuditEntry; the usernames are copied so that the entry still reads right after
    either user is deleted.
    """

    at = models.DateTimeField(default=timezone.now)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    viewer_username = models.CharField(max_length=150)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    subject_username = models.CharField(max_length=150)
    # The portal page the viewer was on, as the extension sent it (stored as given, shown as text).
    from_url = models.CharField(max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["viewer", "-at"], name="waffle_lookup_viewer_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.viewer_username} looked at {self.subject_username}"


from .customer_models import CustomerAuditEntry, CustomerEnrollment  # noqa: E402,F401  (models of this app)
