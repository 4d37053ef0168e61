"""Helpers of the customer enrollment tests: customers and links in the edx-enterprise stand-in."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.utils import timezone
from waffle import flag_is_active

from waffle_enrollments import customer_directory, customer_services, expiry
from waffle_enrollments.customer_models import CustomerEnrollment, customer_group_name

from .conftest import make_user


def customer(slug, name=None):
    from enterprise_standin.models import EnterpriseCustomer

    return EnterpriseCustomer.objects.create(slug=slug, name=name or slug.replace("-", " ").title())


def link(user, enterprise_customer, linked=True):
    from enterprise_standin.models import EnterpriseCustomerUser

    row, _ = EnterpriseCustomerUser.all_objects.update_or_create(
        enterprise_customer=enterprise_customer, user_id=user.pk, defaults=dict(user_fk=user, linked=linked)
    )
    return row


def learners_of(enterprise_customer, django_user_model, prefix, n):
    users = [make_user(django_user_model, f"{prefix}{i:03d}") for i in range(n)]
    for user in users:
        link(user, enterprise_customer)
    return users


def group_of(enterprise_customer):
    return Group.objects.filter(name=customer_group_name(enterprise_customer.uuid)).first()


def member_ids(enterprise_customer):
    group = group_of(enterprise_customer)
    return set(group.user_set.values_list("pk", flat=True)) if group is not None else set()


def active_for(user, name):
    request = RequestFactory().get("/")
    request.user = user
    return flag_is_active(request, name)


def enroll_customer(flag_name, enterprise_customer, actor, seconds=3600):
    return customer_services.enroll_customer(
        flag_name=flag_name,
        customer=customer_directory.customer_by_uuid(enterprise_customer.uuid),
        actor=actor,
        reason="pilot",
        expires_at=timezone.now() + timedelta(seconds=seconds),
    )


def make_due(enrollment):
    CustomerEnrollment.objects.filter(pk=enrollment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expiry.expiry_changed()  # moved without save(): say so, as the docs ask
