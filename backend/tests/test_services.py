"""Membership rules, expiry (command and sweep), the audit log, and concurrency."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from waffle import flag_is_active
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.models import AppendOnlyError, AuditEntry, Enrollment

from .conftest import make_user

FLAG = "enterprise.x"


def active_for(user, name=FLAG):
    request = RequestFactory().get("/")
    request.user = user
    return flag_is_active(request, name)


def enroll(user, actor=None, seconds=3600, name=FLAG):
    return services.enroll(
        flag_name=name,
        user=user,
        actor=actor or user,
        reason="test",
        expires_at=timezone.now() + timedelta(seconds=seconds),
    )


def make_due(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def flag(db):
    return Flag.objects.create(name=FLAG, superusers=False)


@pytest.mark.django_db
class TestMembership:
    def test_preexisting_membership_is_kept_on_revoke(self, flag, staff):
        flag.users.add(staff)
        enrollment = enroll(staff)
        assert enrollment.preexisting_membership is True
        result = services.revoke(enrollment.pk, actor=staff)
        assert result.membership == "kept_preexisting"
        assert flag.users.filter(pk=staff.pk).exists()
        assert active_for(staff) is True
        assert AuditEntry.objects.filter(enrollment=enrollment, action="enrolled").get().membership == "already_present"

    def test_preexisting_membership_is_kept_on_expiry(self, flag, staff):
        flag.users.add(staff)
        enrollment = enroll(staff)
        make_due(enrollment)
        assert services.expire_due() == 1
        assert flag.users.filter(pk=staff.pk).exists()

    def test_two_overlapping_enrollments_on_the_same_flag(self, flag, staff, learner):
        """Different users overlapping on one flag, and the same user enrolled, ended, re-enrolled."""
        a = enroll(staff)
        b = enroll(learner, actor=staff)
        assert set(flag.users.values_list("username", flat=True)) == {"staff", "learner"}
        services.revoke(a.pk, actor=staff)
        assert set(flag.users.values_list("username", flat=True)) == {"learner"}
        assert active_for(learner) is True and active_for(staff) is False
        c = enroll(staff)
        assert c.preexisting_membership is False  # b's membership is learner's, not staff's
        make_due(b)
        assert services.expire_due() == 1
        assert set(flag.users.values_list("username", flat=True)) == {"staff"}

    def test_other_live_enrollment_keeps_membership(self, flag, staff):
        """The 'held by another live enrollment' branch, reached with rows the constraint allows:
        the first enrollment is pre-existing to nothing, the second one is live while the first is
        being ended (same transaction, as a data migration or an older release could leave it)."""
        first = enroll(staff)
        with transaction.atomic():
            # Free the unique slot, add a second live enrollment, then put `first` back to live.
            Enrollment.objects.filter(pk=first.pk).update(live=None)
            Enrollment.objects.create(
                flag=flag,
                flag_name=FLAG,
                user=staff,
                created_by=staff,
                reason="second",
                expires_at=timezone.now() + timedelta(hours=1),
                preexisting_membership=True,
            )
            result = services._end_locked(
                Enrollment.objects.get(pk=first.pk), actor=staff, end_reason="revoked", now=timezone.now()
            )
        assert result.membership == "kept_other_enrollment"
        assert flag.users.filter(pk=staff.pk).exists()

    def test_flag_deleted_while_enrolled(self, flag, staff):
        enrollment = enroll(staff)
        flag.delete()
        enrollment.refresh_from_db()
        assert enrollment.flag is None and enrollment.flag_name == FLAG
        assert services.revoke(enrollment.pk, actor=staff).membership == "kept_flag_deleted"

    def test_unique_live_enrollment_is_enforced_by_the_database(self, flag, staff):
        enroll(staff)
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrollment.objects.create(
                flag=flag,
                flag_name=FLAG,
                user=staff,
                reason="dup",
                expires_at=timezone.now() + timedelta(hours=1),
                preexisting_membership=True,
            )


@pytest.mark.django_db
class TestExpiry:
    def test_command_expires_due_enrollments_and_waffle_turns_off(self, flag, staff, learner):
        due = enroll(staff)
        not_due = enroll(learner, actor=staff)
        assert active_for(staff) is True
        make_due(due)
        out = StringIO()
        call_command("expire_waffle_enrollments", stdout=out)
        assert "Expired 1 waffle enrollment(s)." in out.getvalue()
        due.refresh_from_db()
        assert (due.state, due.end_reason, due.ended_by) == ("ended", "expired", None)
        assert active_for(staff) is False
        assert active_for(learner) is True
        assert Enrollment.objects.get(pk=not_due.pk).state == "live"
        entry = AuditEntry.objects.get(enrollment=due, action="expired")
        assert (entry.actor, entry.actor_username, entry.membership) == (None, "", "removed")
        call_command("expire_waffle_enrollments", stdout=out)
        assert AuditEntry.objects.filter(action="expired").count() == 1

    def test_sweep_on_api_call(self, api, flag, staff):
        enrollment = enroll(staff)
        make_due(enrollment)
        assert flag.users.filter(pk=staff.pk).exists()  # nothing has run yet
        response = api(staff).get("flags/")
        assert response.status_code == 200
        entry = {f["name"]: f for f in response.json()["flags"]}[FLAG]
        assert entry["my_enrollment"] is None and entry["active_for_me"] is False
        assert Enrollment.objects.get().end_reason == "expired"
        assert active_for(staff) is False

    def test_sweep_query_is_cheap_when_nothing_is_due(self, flag, staff, django_assert_num_queries):
        enroll(staff)
        with django_assert_num_queries(1):
            assert services.expire_due() == 0


@pytest.mark.django_db
class TestAuditLog:
    def test_append_only(self, flag, staff):
        enroll(staff)
        entry = AuditEntry.objects.get()
        entry.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.update(reason="x")
        assert AuditEntry.objects.get().reason == "test"

    def test_admin_is_read_only(self, client, superuser, flag, staff):
        enrollment = enroll(staff)
        client.force_login(superuser)
        assert client.get("/admin/waffle_enrollments/enrollment/").status_code == 200
        assert client.get(f"/admin/waffle_enrollments/enrollment/{enrollment.pk}/change/").status_code == 200
        assert client.get("/admin/waffle_enrollments/auditentry/").status_code == 200
        assert client.get("/admin/waffle_enrollments/enrollment/add/").status_code == 403
        assert (
            client.post(f"/admin/waffle_enrollments/auditentry/{AuditEntry.objects.get().pk}/delete/").status_code
            == 403
        )
        response = client.post(f"/admin/waffle_enrollments/enrollment/{enrollment.pk}/change/", {"reason": "x"})
        assert response.status_code == 403
        assert Enrollment.objects.get().reason == "test"


def _in_threads(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as error:  # collected and checked by the caller
            results[i] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def test_concurrent_enrollments_on_one_flag_lose_no_membership(self, django_user_model):
        Flag.objects.create(name=FLAG, superusers=False)
        users = [make_user(django_user_model, f"u{i}", staff=True) for i in range(8)]
        results = _in_threads([lambda u=u: enroll(u) for u in users])
        assert all(isinstance(r, Enrollment) for r in results), results
        flag = Flag.objects.get(name=FLAG)
        assert set(flag.users.values_list("pk", flat=True)) == {u.pk for u in users}

        results = _in_threads([lambda e=e: services.revoke(e.pk, actor=None) for e in results])
        assert all(r.membership == "removed" for r in results), results
        assert not flag.users.exists()

    def test_revoke_racing_reenroll_keeps_membership_and_enrollment_in_step(self, django_user_model):
        Flag.objects.create(name=FLAG, superusers=False)
        user = make_user(django_user_model, "racer", staff=True)
        for _ in range(6):
            current = enroll(user)
            results = _in_threads([lambda: services.revoke(current.pk, actor=user), lambda: enroll(user)])
            for result in results:
                assert not isinstance(result, Exception) or isinstance(result, services.AlreadyEnrolled), results
            live = Enrollment.objects.filter(user=user, live=True).first()
            member = Flag.objects.get(name=FLAG).users.filter(pk=user.pk).exists()
            assert member == (live is not None), results
            if live is not None:
                services.revoke(live.pk, actor=user)
            assert not Flag.objects.get(name=FLAG).users.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_every_change_locks_the_flag_row_first(flag, staff, monkeypatch):
    """SQLite ignores FOR UPDATE (the devstack serializes with BEGIN IMMEDIATE instead), so check
    that the services ask for the lock, in the order Flag then Enrollment, on every write path."""
    from django.db.models.query import QuerySet

    locked = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    first = enroll(staff)
    assert locked == ["Flag"]
    services.revoke(first.pk, actor=staff)
    assert locked == ["Flag", "Flag", "Enrollment"]
    second = enroll(staff)
    make_due(second)
    services.expire_due()
    assert locked == ["Flag", "Flag", "Enrollment", "Flag", "Flag", "Enrollment"]
