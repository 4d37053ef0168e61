"""A flag on for every learner of one enterprise customer, time-boxed, and its append-only audit log.

Membership lives in a Django ``Group`` owned by this app (``waffle-customer:<customer uuid>``), put in
waffle's own ``Flag.groups`` while a customer enrollment is live; see customer_services.py. The
customer is stored by uuid, name and slug (copied as text): edx-enterprise may be absent, and the
history must still read right after a customer is renamed or deleted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .models import AppendOnly, AuditQuerySet, EndReason, EnrollmentQuerySet

CUSTOMER_GROUP_PREFIX = "waffle-customer:"


def customer_group_name(customer_uuid) -> str:
    return f"{CUSTOMER_GROUP_PREFIX}{customer_uuid}"


def is_customer_group_name(name: str) -> bool:
    return name.startswith(CUSTOMER_GROUP_PREFIX)


class CustomerEnrollment(models.Model):
    flag = models.ForeignKey(
        "waffle.Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", swappable=False
    )
    flag_name = models.CharField(max_length=100, db_index=True)
    customer_uuid = models.UUIDField(db_index=True)
    customer_name = models.CharField(max_length=255)
    customer_slug = models.CharField(max_length=255)
    # Learners linked to the customer when the enrollment began (the group's size then).
    learner_count = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # True while live, NULL once ended: with the constraint, one live enrollment per flag and customer.
    live = models.BooleanField(null=True, default=True, editable=False)

    objects = EnrollmentQuerySet.as_manager()  # live(): not ended yet

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["flag", "customer_uuid", "live"], name="waffle_cust_one_live_per_flag"),
        ]
        indexes = [models.Index(fields=["live", "expires_at"], name="waffle_cust_live_expiry")]
        permissions = [
            ("enroll_customers", "Can turn a Waffle flag on for every learner of an enterprise customer"),
        ]

    def __str__(self):
        return f"{self.customer_slug} in {self.flag_name} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def state(self):
        return "live" if self.ended_at is None else "ended"


class CustomerAuditAction(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    RESYNCED = "resynced", "Resynced"  # drift repaired: learners added to or removed from the group


class CustomerAuditEntry(AppendOnly, models.Model):
    """One change to a customer enrollment or its group, written in the change's transaction; never
    updated or deleted. ``learners_added``/``learners_removed`` count the group's members it changed."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=16, choices=CustomerAuditAction.choices)
    customer_enrollment = models.ForeignKey(
        CustomerEnrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    flag_name = models.CharField(max_length=100, blank=True, db_index=True)  # blank: a repair of the group alone
    customer_uuid = models.UUIDField(db_index=True)
    customer_slug = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)  # blank: the expiry sweep or resync
    reason = models.TextField(blank=True)
    learner_count = models.PositiveIntegerField()  # members of the group after the change
    learners_added = models.PositiveIntegerField(default=0)
    learners_removed = models.PositiveIntegerField(default=0)
    # What happened to the group: "created", "kept", "added_to_flag", "removed_from_flag", "deleted", "repaired".
    group = models.CharField(max_length=32)
    expires_at = models.DateTimeField(null=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "customer audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.customer_slug} in {self.flag_name or '-'}"
