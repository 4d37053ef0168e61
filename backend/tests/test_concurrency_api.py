"""50 concurrent enroll / revoke / expire requests on one flag, through the API, each in its own thread
with its own database connection (issue 8, item 3).

What it proves, on whichever database the suite runs on (SQLite, or MariaDB with
scripts/with-mariadb.sh, where row locks, REPEATABLE READ snapshots and deadlocks are real):
- no answer is a 5xx: every request gets 200, 201 or a 409 that says why;
- no membership is lost or wrongly removed: afterwards each user is in Flag.users exactly when they
  were there before any enrollment, or hold a live enrollment;
- exactly one audit row per action that happened: one ``enrolled`` row per enrollment, one
  ``revoked``/``expired`` row per ended one, and as many as the requests that said they succeeded.

On SQLite the devstack's engine opens every transaction with BEGIN IMMEDIATE, so writers queue on
the database lock instead of on row locks; the test runs the same, and checks the same outcome.
"""

import os
import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import expiry, services
from waffle_enrollments.models import AuditEntry, Enrollment

from .conftest import API, client_for, make_user

FLAG = "enterprise.storm"
THREAD_TIMEOUT = 120


def test_the_suite_runs_on_the_database_it_was_asked_to():
    """with-mariadb.sh sets WAFFLE_TEST_DB: then every test here must really talk to MariaDB."""
    if os.environ.get("WAFFLE_TEST_DB"):
        assert connection.vendor == "mysql"
        assert "mariadb" in connection.mysql_server_info.lower(), connection.mysql_server_info
    else:
        assert connection.vendor == "sqlite"


def _storm(actions):
    """Runs every ``(kind, key, fn)`` at once, one thread each; returns ``[(kind, key, result)]``."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as error:  # checked by the caller: no action may raise
            results[i] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, (_, _, fn) in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(THREAD_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request hung (a deadlock nobody resolved?)"
    return [(kind, key, result) for (kind, key, _), result in zip(actions, results)]


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_enroll_revoke_expire_requests_on_one_flag(django_user_model):
    flag = Flag.objects.create(name=FLAG, superusers=False)
    support = make_user(django_user_model, "support", staff=True, perms=["enroll_others"])
    learners = [make_user(django_user_model, f"l{i:02d}") for i in range(30)]

    # Before the storm: L0-L4 are in Flag.users on their own (put there by an admin); L0-L2 and
    # L5-L19 hold a live enrollment; those of L0 and L15-L19 are due, for the sweeps to expire.
    preexisting = {u.pk for u in learners[:5]}
    flag.users.add(*learners[:5])
    before = {}
    for u in learners[:3] + learners[5:20]:
        before[u.username] = services.enroll(
            flag_name=FLAG,
            user=u,
            actor=support,
            reason="before the storm",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    due = [learners[0], *learners[15:20]]
    Enrollment.objects.filter(user__in=due).update(expires_at=timezone.now() - timedelta(seconds=1))
    expiry.expiry_changed()  # moved without save(): say so, as the docs ask
    audit_before = AuditEntry.objects.count()
    assert audit_before == len(before)

    def post(user):
        client = client_for(support)
        body = {"flag": FLAG, "user": user.username, "duration": 3600, "reason": "storm"}
        return lambda: client.post(API + "enrollments/", body, content_type="application/json")

    def delete(user):
        client = client_for(support)
        pk = before[user.username].pk
        return lambda: client.delete(f"{API}enrollments/{pk}/")

    def get_flags():
        client = client_for(support)
        return lambda: client.get(API + "flags/")

    def command():
        return lambda: call_command("expire_waffle_enrollments", stdout=StringIO())

    L = learners
    actions = (
        [("enroll", u.username, post(u)) for u in L[20:30]]  # fresh: 201
        + [("enroll", u.username, post(u)) for u in L[20:25]]  # the same again, at once: one 201, one 409
        + [("enroll", u.username, post(u)) for u in L[3:5]]  # members without enrollment: 201, kept on end
        + [("enroll", u.username, post(u)) for u in L[5:10]]  # racing their own revoke below
        + [("revoke", u.username, delete(u)) for u in L[5:15]]
        + [("revoke", u.username, delete(u)) for u in L[10:15]]  # twice at once: one 200, one 409
        + [("revoke", u.username, delete(u)) for u in [L[0], *L[15:18]]]  # due: revoked, or 409 if expired first
        + [("expire", f"command-{i}", command()) for i in range(4)]
        + [("expire", f"sweep-{i}", get_flags()) for i in range(5)]  # every API call sweeps first
    )
    assert len(actions) == 50
    results = _storm(actions)

    errors = [(kind, key, r) for kind, key, r in results if isinstance(r, BaseException)]
    assert not errors, errors
    http = [(kind, key, r.status_code, r.json()) for kind, key, r in results if r is not None]
    assert all(status in (200, 201, 409) for _, _, status, _ in http), [h for h in http if h[2] not in (200, 201, 409)]
    for kind, key, status, body in http:
        if status == 409:
            assert body.get("detail"), (kind, key, body)

    by_user = {}
    for kind, key, status, _ in http:
        by_user.setdefault((kind, key), []).append(status)
    for u in L[20:25]:
        assert sorted(by_user[("enroll", u.username)]) == [201, 409], u.username
    for u in L[10:15]:
        assert sorted(by_user[("revoke", u.username)]) == [200, 409], u.username
    for u in [*L[3:5], *L[25:30]]:
        assert by_user[("enroll", u.username)] == [201], u.username
    for u in L[5:10]:  # enroll and revoke raced: either order is right, but each said what it did
        statuses = (by_user[("enroll", u.username)][0], by_user[("revoke", u.username)][0])
        assert statuses in ((201, 200), (409, 200)), (u.username, statuses)

    # Memberships: exactly the pre-existing ones and those of live enrollments.
    members = set(Flag.objects.get(pk=flag.pk).users.values_list("pk", flat=True))
    live = set(Enrollment.objects.filter(flag=flag, live=True).values_list("user_id", flat=True))
    assert members == preexisting | live
    assert len(live) == Enrollment.objects.filter(flag=flag, live=True).count()  # one live per user
    for u in L[15:20]:  # every due enrollment ended, by a revoke or by exactly one of the sweeps
        assert Enrollment.objects.get(pk=before[u.username].pk).ended_at is not None, u.username
    for u in L[18:20]:  # nobody revoked these: the sweeps expired them
        assert Enrollment.objects.get(pk=before[u.username].pk).end_reason == "expired", u.username

    # The audit trail: one row per thing that happened, each matching the enrollment it is about.
    enrollments = list(Enrollment.objects.filter(flag_name=FLAG))
    rows = Counter((a.enrollment_id, a.action) for a in AuditEntry.objects.all())
    for e in enrollments:
        assert rows[(e.pk, "enrolled")] == 1, e
        ended = rows[(e.pk, "revoked")] + rows[(e.pk, "expired")]
        assert ended == (0 if e.ended_at is None else 1), e
        if e.ended_at is not None:
            assert rows[(e.pk, e.end_reason)] == 1, e
            assert e.live is None
        else:
            assert e.live is True
    created = sum(1 for kind, _, status, _ in http if kind == "enroll" and status == 201)
    revoked = sum(1 for kind, _, status, _ in http if kind == "revoke" and status == 200)
    expired = Enrollment.objects.filter(flag_name=FLAG, end_reason="expired").count()
    assert len(enrollments) == len(before) + created
    assert AuditEntry.objects.filter(action="revoked").count() == revoked
    assert AuditEntry.objects.count() == audit_before + created + revoked + expired

    # Ending an enrollment never removed a membership that was there before it.
    for a in AuditEntry.objects.filter(user_id__in=preexisting).exclude(action="enrolled"):
        assert a.membership == "kept_preexisting", a


# --- deadlocks: retried, and a clear 409 when they persist ---------------------------------------

DEADLOCK = (1213, "Deadlock found when trying to get lock; try restarting transaction")


def _deadlock_on_audit(monkeypatch, times):
    """Makes the audit insert, the last statement of every change, fail as a deadlock victim would."""
    calls = {"n": 0}
    original = services._audit

    def audit(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError(*DEADLOCK)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_audit", audit)
    return calls


@pytest.mark.django_db(transaction=True)
class TestDeadlocks:
    @pytest.fixture
    def flag(self):
        return Flag.objects.create(name=FLAG, superusers=False)

    def test_an_enrollment_that_lost_a_deadlock_is_run_again(self, flag, staff, api, monkeypatch):
        calls = _deadlock_on_audit(monkeypatch, times=2)
        response = api(staff).post("enrollments/", {"flag": FLAG, "duration": 3600, "reason": "retry"})
        assert response.status_code == 201, response.content
        assert calls["n"] == 3
        assert Enrollment.objects.count() == 1
        assert AuditEntry.objects.filter(action="enrolled").count() == 1
        assert list(flag.users.values_list("pk", flat=True)) == [staff.pk]

    def test_a_revoke_and_an_expiry_that_lost_a_deadlock_are_run_again(self, flag, staff, api, monkeypatch):
        first = services.enroll(
            flag_name=FLAG, user=staff, actor=staff, reason="r", expires_at=timezone.now() + timedelta(hours=1)
        )
        _deadlock_on_audit(monkeypatch, times=1)
        response = api(staff).delete(f"enrollments/{first.pk}/")
        assert response.status_code == 200, response.content
        assert response.json()["membership"] == "removed"
        monkeypatch.undo()

        second = services.enroll(
            flag_name=FLAG, user=staff, actor=staff, reason="r", expires_at=timezone.now() + timedelta(hours=1)
        )
        Enrollment.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        _deadlock_on_audit(monkeypatch, times=1)
        assert services.expire_due() == 1
        assert [a.action for a in AuditEntry.objects.order_by("id")] == ["enrolled", "revoked", "enrolled", "expired"]
        assert not flag.users.exists()

    def test_a_deadlock_that_persists_is_a_409_and_changes_nothing(self, flag, staff, api, monkeypatch):
        _deadlock_on_audit(monkeypatch, times=99)
        response = api(staff).post("enrollments/", {"flag": FLAG, "duration": 3600, "reason": "retry"})
        assert response.status_code == 409
        assert "deadlock" in response.json()["detail"]
        assert not Enrollment.objects.exists() and not AuditEntry.objects.exists() and not flag.users.exists()

    def test_inside_the_callers_transaction_nothing_is_retried(self, flag, staff, monkeypatch):
        calls = _deadlock_on_audit(monkeypatch, times=1)
        with pytest.raises(OperationalError), transaction.atomic():
            services.enroll(
                flag_name=FLAG, user=staff, actor=staff, reason="r", expires_at=timezone.now() + timedelta(hours=1)
            )
        assert calls["n"] == 1
        assert not Enrollment.objects.exists()
