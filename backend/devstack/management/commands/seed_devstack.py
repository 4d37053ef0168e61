"""Accounts, enterprise customers and flags of the devstack. Idempotent: running it again resets them."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from waffle.models import Flag

from enterprise_standin.models import EnterpriseCustomer, EnterpriseCustomerUser

PASSWORD = "edx"

# username: (first, last, is_staff, is_superuser, description)
USERS = {
    "edx": ("Edx", "Admin", True, True, "superuser (as in Open edX devstack)"),
    "staff": ("QA", "Staff", True, False, "staff, the QA engineer (enroll_customers); not a superuser"),
    "support": (
        "Support",
        "Agent",
        True,
        False,
        "staff allowed to enroll other users (waffle_enrollments.enroll_others)",
    ),
    "support_readonly": ("Read-only", "Support", True, False, "staff who may only look at users' flags (view_others)"),
    "learner": ("Alice", "Learner", False, False, "enterprise learner of test-enterprise"),
    "learner2": ("Bob", "Learner", False, False, "second learner, of both customers (to enroll others)"),
    "learner3": ("Carol", "Learner", False, False, "enterprise learner of second-enterprise only"),
    "ent_admin": ("Erin", "Admin", False, False, "enterprise admin of test-enterprise"),
}

CUSTOMERS = {
    "test-enterprise": (uuid.UUID("8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60"), "Test Enterprise"),
    "second-enterprise": (uuid.UUID("5b0e7c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c"), "Second Enterprise"),
}

# (username, slug, is_admin)
LINKS = [
    ("learner", "test-enterprise", False),
    ("learner2", "test-enterprise", False),
    ("learner2", "second-enterprise", False),
    ("learner3", "second-enterprise", False),
    ("ent_admin", "test-enterprise", True),
]

ADMINS_GROUP = "enterprise-admins"

_OFF = dict(
    everyone=None, percent=None, testing=False, superusers=False, staff=False, authenticated=False, rollout=False
)

# name: (criteria, groups, usernames, note)
FLAGS = {
    "enterprise.top_down_assignment_real_time_lcm": (dict(_OFF, everyone=True), [], [], "everyone: Yes"),
    "enterprise.feature_prequery_search_suggestions": (dict(_OFF, percent=50), [], [], "50 percent of users"),
    "enterprise.enterprise_customer_support_tool": (dict(_OFF, staff=True), [], [], "staff"),
    "enterprise.learner_bff_enabled": (dict(_OFF, authenticated=True), [], [], "every signed-in user"),
    "enterprise.admin_portal_learner_profile_view_enabled": (dict(_OFF), [ADMINS_GROUP], [], "group enterprise-admins"),
    "enterprise.catalog_query_search_filters_enabled": (dict(_OFF), [], ["learner2"], "listed user learner2"),
    "enterprise.enterprise_admin_onboarding": (dict(_OFF, superusers=True), [], [], "superusers"),
    "enterprise.edit_highlights_enabled": (dict(_OFF, testing=True), [], [], "testing: ?dwft_<flag>=1"),
    "enterprise.ai_pathways_operator_enabled": (dict(_OFF), [], [], "off (nobody); enroll to try it"),
    "enterprise.use_algolia_index_v2": (dict(_OFF, everyone=False), [], [], "everyone: No (off for all)"),
    "learner_home_mfe.enabled": (dict(_OFF, authenticated=True), [], [], "outside the enrollment policy"),
}


class Command(BaseCommand):
    help = "Create or reset the devstack's accounts (password 'edx'), enterprise customers and Waffle flags."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        users = {}
        for username, (first, last, is_staff, is_superuser, _about) in USERS.items():
            user, _ = User.objects.update_or_create(
                username=username,
                defaults=dict(
                    email=f"{username}@example.com",
                    first_name=first,
                    last_name=last,
                    is_staff=is_staff,
                    is_superuser=is_superuser,
                    is_active=True,
                ),
            )
            user.set_password(PASSWORD)
            user.save()
            users[username] = user

        enroll_others = Permission.objects.get(content_type__app_label="waffle_enrollments", codename="enroll_others")
        users["support"].user_permissions.add(enroll_others)
        view_others = Permission.objects.get(content_type__app_label="waffle_enrollments", codename="view_others")
        users["support_readonly"].user_permissions.set([view_others])
        enroll_customers = Permission.objects.get(
            content_type__app_label="waffle_enrollments", codename="enroll_customers"
        )
        users["staff"].user_permissions.add(enroll_customers)

        admins, _ = Group.objects.get_or_create(name=ADMINS_GROUP)
        admins.user_set.set([users["ent_admin"]])

        customers = {}
        for slug, (customer_uuid, name) in CUSTOMERS.items():
            customers[slug], _ = EnterpriseCustomer.objects.update_or_create(
                uuid=customer_uuid, defaults=dict(slug=slug, name=name, active=True)
            )
        for username, slug, is_admin in LINKS:
            EnterpriseCustomerUser.all_objects.update_or_create(
                user_id=users[username].pk,
                enterprise_customer=customers[slug],
                defaults=dict(user_fk=users[username], is_admin=is_admin, active=True, linked=True),
            )

        for name, (criteria, groups, usernames, note) in FLAGS.items():
            flag, _ = Flag.objects.update_or_create(name=name, defaults=dict(criteria, note=f"Devstack: {note}"))
            flag.groups.set(Group.objects.filter(name__in=groups))
            flag.users.set([users[u] for u in usernames])

        if options["verbosity"] >= 1:
            self.stdout.write(f"Seeded {len(users)} accounts, {len(customers)} customers, {len(FLAGS)} flags.")
