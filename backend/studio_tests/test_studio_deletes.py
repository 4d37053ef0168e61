"""In Studio (which loads this plugin's models, signals and admin, not its URLs), a Waffle flag and a
user with enrollments and audit rows can be deleted, from the admin, with waffle's management command
and with the ORM; the audit rows are kept, with the names they were written with."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.models import AuditEntry, Enrollment

pytestmark = pytest.mark.django_db(transaction=True)


def _user(username, **extra):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password="edx", **extra
    )


@pytest.fixture
def world():
    """A flag with a live and an ended enrollment of a learner (and their audit rows)."""
    admin = _user("studio-admin", is_staff=True, is_superuser=True)
    learner = _user("studio-learner")
    other = _user("studio-other")
    flag = Flag.objects.create(name="enterprise.studio", everyone=None)
    later = timezone.now() + timedelta(hours=1)
    ended = services.enroll(flag_name=flag.name, user=learner, actor=admin, reason="first", expires_at=later)
    services.revoke(ended.pk, actor=admin)
    services.enroll(flag_name=flag.name, user=learner, actor=admin, reason="again", expires_at=later)
    services.enroll(flag_name=flag.name, user=other, actor=admin, reason="other", expires_at=later)
    assert AuditEntry.objects.count() == 4
    client = Client()
    client.force_login(admin)
    return {"admin": admin, "learner": learner, "other": other, "flag": flag, "client": client}


def _audit_rows():
    return sorted(AuditEntry.objects.values_list("id", "action", "flag_name", "username", "actor_username"))


def test_studio_loads_the_models_and_admin_but_no_url_of_the_plugin():
    assert apps.is_installed("waffle_enrollments")
    assert settings.ROOT_URLCONF == "studio_tests.urls"
    assert "devstack" not in settings.INSTALLED_APPS
    with pytest.raises(NoReverseMatch):
        reverse("waffle_enrollments:flags")
    from django.contrib import admin

    assert Enrollment in admin.site._registry and AuditEntry in admin.site._registry


def test_deleting_a_flag_in_the_admin_keeps_the_audit(world):
    before = _audit_rows()
    flag = world["flag"]
    response = world["client"].post(f"/admin/waffle/flag/{flag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:2000]
    assert not Flag.objects.filter(pk=flag.pk).exists()
    assert _audit_rows() == before
    assert set(Enrollment.objects.values_list("flag_id", "flag_name")) == {(None, "enterprise.studio")}


def test_deleting_a_user_in_the_admin_keeps_the_audit_and_says_so(world):
    before = _audit_rows()
    learner = world["learner"]
    confirm = world["client"].get(f"/admin/auth/user/{learner.pk}/delete/")
    assert confirm.status_code == 200 and b"permission" not in confirm.content.lower()
    response = world["client"].post(f"/admin/auth/user/{learner.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:2000]
    assert not get_user_model().objects.filter(pk=learner.pk).exists()
    after = _audit_rows()
    assert after[: len(before)] == before
    # The live enrollment ended with the user, and the audit says so.
    assert [(a, f, u) for _, a, f, u, _ in after[len(before) :]] == [("revoked", "enterprise.studio", "studio-learner")]
    assert AuditEntry.objects.filter(username="studio-learner").count() == 4
    assert not Enrollment.objects.filter(user_id=learner.pk).exists()
    assert not Flag.objects.get(pk=world["flag"].pk).users.filter(pk=learner.pk).exists()
    # The other learner's enrollment is untouched.
    assert Enrollment.objects.live().filter(user=world["other"]).count() == 1


def test_deleting_the_acting_admin_keeps_the_audit(world):
    before = _audit_rows()
    world["admin"].delete()
    assert _audit_rows() == before
    assert set(AuditEntry.objects.values_list("actor_username", flat=True)) == {"studio-admin"}


def test_deleting_with_the_orm_and_waffles_command(world):
    before = _audit_rows()
    world["other"].delete()
    get_user_model().objects.filter(pk=world["learner"].pk).delete()  # a queryset delete, as an admin action
    call_command("waffle_delete", flag_names=["enterprise.studio"])
    assert not Flag.objects.filter(name="enterprise.studio").exists()
    assert _audit_rows()[: len(before)] == before
    assert AuditEntry.objects.count() == len(before) + 2  # the two live enrollments ended with their users
    assert Enrollment.objects.count() == 0
