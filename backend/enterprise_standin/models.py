"""edx-enterprise's ``EnterpriseCustomer`` and ``EnterpriseCustomerUser``, with the fields the devstack uses.

As in edx-enterprise: the customer's primary key is its ``uuid``; a link stores the user as the
integer ``user_id`` (and, in newer releases, the foreign key ``user_fk``); ``linked`` is the
membership (unlinking sets it false), ``active`` marks which of a user's customers is the current
one; the default manager returns linked rows only, ``all_objects`` every row.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models


class EnterpriseCustomer(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=30, unique=True)
    active = models.BooleanField(default=True)
    enable_learner_portal = models.BooleanField(default=True)
    enable_portal_code_management_screen = models.BooleanField(default=True)

    class Meta:
        app_label = "enterprise"

    def __str__(self):
        return self.slug


class EnterpriseCustomerUserManager(models.Manager):
    """Linked rows only unless ``linked_only=False`` (edx-enterprise's manager of the same name)."""

    def __init__(self, *args, linked_only=True, **kwargs):
        self.linked_only = linked_only
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.filter(linked=True) if self.linked_only else queryset


class EnterpriseCustomerUser(models.Model):
    enterprise_customer = models.ForeignKey(
        EnterpriseCustomer, on_delete=models.CASCADE, related_name="enterprise_customer_users"
    )
    user_id = models.PositiveIntegerField(db_index=True)
    user_fk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="enterprise_customer_users",
    )
    active = models.BooleanField(default=True)
    linked = models.BooleanField(default=True)
    # Devstack only (edx-enterprise keeps roles in a separate model): an admin of the customer.
    is_admin = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = EnterpriseCustomerUserManager()
    all_objects = EnterpriseCustomerUserManager(linked_only=False)

    class Meta:
        app_label = "enterprise"
        unique_together = [("enterprise_customer", "user_id")]

    def __str__(self):
        return f"{self.user_id} in {self.enterprise_customer_id}"

    @property
    def user(self):
        """The linked user (edx-enterprise has the same property over ``user_id``)."""
        return get_user_model().objects.filter(pk=self.user_id).first()

    def save(self, *args, **kwargs):
        if self.user_fk_id is None:
            self.user_fk_id = self.user_id
        super().save(*args, **kwargs)
