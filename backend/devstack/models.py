"""The bits of edx-enterprise the portals' endpoints need: customers and the users linked to them."""

import uuid

from django.conf import settings
from django.db import models


class EnterpriseCustomer(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=30, unique=True)
    active = models.BooleanField(default=True)
    enable_learner_portal = models.BooleanField(default=True)
    enable_portal_code_management_screen = models.BooleanField(default=True)

    def __str__(self):
        return self.slug


class EnterpriseCustomerUser(models.Model):
    enterprise_customer = models.ForeignKey(EnterpriseCustomer, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_links")
    active = models.BooleanField(default=True)
    is_admin = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("enterprise_customer", "user")]

    def __str__(self):
        return f"{self.user_id} in {self.enterprise_customer_id}"
