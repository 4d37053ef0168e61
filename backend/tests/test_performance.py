"""What keeps GET flags/, users/ and the expiry sweep fast (measured in docs/BENCHMARKS.md), and fresh."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import expiry, services
from waffle_enrollments.models import AuditEntry, Enrollment

pytestmark = pytest.mark.django_db

FLAG_TABLE = re.compile(r"FROM [`\"]waffle_flag[`\"]")


def test_the_expiry_sweep_compares_live_so_the_index_serves_it():
    """Django 3.2 writes ``live=True`` on MySQL as a bare ``WHERE live``, which MariaDB cannot use as an
    index range: the sweep that runs on every API call then read every live enrollment (30,000 rows,
    ~30 ms, in the benchmark) instead of probing (live, expires_at) for the few that are due."""
    with CaptureQueriesContext(connection) as queries:
        services.expire_due()
    sql = queries[0]["sql"]
    assert "expires_at" in sql
    assert not re.search(r"[`\"]live[`\"]\s*(?:AND|\)|ORDER|$)", sql), sql
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            columns = [c[0] for c in cursor.description]
            plan = dict(zip(columns, cursor.fetchone()))
        assert plan["key"] == "waffle_enr_live_expiry", plan
        assert int(plan["key_len"]) > 2, plan  # both columns of the index, not `live` alone


def test_an_enrollment_shows_at_once_although_the_flag_list_is_cached(
    api, staff, learner, django_capture_on_commit_callbacks
):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    flag.users.add(learner)
    caller = api(staff)
    before = caller.get("flags/").json()["flags"][0]
    assert (before["criteria"]["user_count"], before["active_for_me"], before["my_enrollment"]) == (1, False, None)

    assert caller.post("enrollments/", {"flag": "enterprise.a", "duration": 600, "reason": "t"}).status_code == 201
    after = caller.get("flags/").json()["flags"][0]
    assert after["criteria"]["user_count"] == 2
    assert after["active_for_me"] is True and after["me"]["listed"] is True
    assert after["my_enrollment"]["state"] == "live"

    with django_capture_on_commit_callbacks(execute=True):  # an edit in the admin: waffle flushes on commit
        edited = Flag.objects.get(pk=flag.pk)
        edited.everyone = True
        edited.save()
    assert caller.get("flags/").json()["flags"][0]["criteria"]["everyone"] is True


def test_user_counts_follow_every_change_of_flag_users(api, staff, learner, learner2):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    flag.users.add(learner)
    caller = api(staff)

    def count():
        response = caller.get("flags/")
        assert response.status_code == 200
        return response.json()["flags"][0]["criteria"]["user_count"]

    assert count() == 1

    flag.users.add(learner2)
    assert count() == 2
    flag.users.remove(learner2)
    assert count() == 1
    learner2.flag_set.add(flag)  # from the user's side: the same through table, the same signal
    assert count() == 2
    learner.delete()  # the database drops the membership by cascade: no m2m signal, a post_delete
    assert count() == 1
    flag.users.clear()
    assert count() == 0


def test_get_flags_follows_every_change_of_a_flag(api, staff, django_capture_on_commit_callbacks):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    caller = api(staff)

    def names():
        return [(f["name"], f["criteria"]["staff"], f["note"]) for f in caller.get("flags/").json()["flags"]]

    assert names() == [("enterprise.a", False, "")]
    with django_capture_on_commit_callbacks(execute=True):  # as the admin saves it
        flag.staff = True
        flag.note = "now staff"
        flag.save()
    assert names() == [("enterprise.a", True, "now staff")]
    assert caller.get("flags/").json()["flags"][0]["active_for_me"] is True
    Flag.objects.create(name="enterprise.b")
    assert [n for n, _, _ in names()] == ["enterprise.a", "enterprise.b"]
    Flag.objects.filter(name="enterprise.a").delete()  # a bulk delete too (the admin's "delete selected")
    assert [n for n, _, _ in names()] == ["enterprise.b"]
    flag = Flag.objects.get(name="enterprise.b")
    flag.delete()
    assert names() == []


def test_get_flags_follows_the_policy(api, staff, settings):
    Flag.objects.create(name="enterprise.x")
    Flag.objects.create(name="lms.y")
    caller = api(staff)
    assert [f["name"] for f in caller.get("flags/").json()["flags"]] == ["enterprise.x", "lms.y"]
    settings.WAFFLE_ENROLLMENTS = {"VISIBLE_FLAGS": ["lms.*"], "ENROLLABLE_FLAGS": ["lms.*"]}
    (entry,) = caller.get("flags/").json()["flags"]
    assert (entry["name"], entry["enrollable"]) == ("lms.y", True)


def test_a_flag_changed_without_a_signal_is_read_from_the_database(api, staff):
    """Flags are read from the database on every request: an UPDATE no signal reports (SQL, a shell, another
    process) shows at once, in the criteria and in waffle's answer on that row."""
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    caller = api(staff)
    assert caller.get("flags/").json()["flags"][0]["criteria"]["staff"] is False
    Flag.objects.filter(pk=flag.pk).update(staff=True)
    entry = caller.get("flags/").json()["flags"][0]
    assert entry["criteria"]["staff"] is True and entry["active_for_me"] is True


def test_the_engine_uses_no_private_member_of_waffle():
    import inspect

    from waffle_enrollments import evaluation, serializers, views

    for module in (evaluation, serializers, views):
        source = inspect.getsource(module)
        assert "_get_user_ids" not in source and "_get_group_ids" not in source, module.__name__
        assert "contextvars" not in source, module.__name__


# ---- the sweep ---------------------------------------------------------------------------------


def _due(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expiry.expiry_changed()  # moved without save(): say so, as the docs ask


def _enroll(user, flag_name, actor=None, reason="test"):
    return services.enroll(
        flag_name=flag_name,
        user=user,
        actor=actor or user,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=1),
    )


def test_get_flags_ends_what_is_due_before_answering(api, staff, learner, support):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    Flag.objects.create(name="enterprise.b", superusers=False)
    mine = _enroll(staff, "enterprise.a")
    theirs = _enroll(learner, "enterprise.b", actor=support)
    caller = api(staff)
    before = caller.get("flags/").json()["flags"][0]
    assert (before["active_for_me"], before["criteria"]["user_count"], before["me"]["listed"]) == (True, 1, True)
    _due(mine)
    _due(theirs)
    after = caller.get("flags/").json()["flags"]
    assert after[0]["my_enrollment"] is None
    assert after[0]["active_for_me"] is False and after[0]["me"]["listed"] is False
    assert after[0]["criteria"]["user_count"] == 0
    assert after[1]["criteria"]["user_count"] == 0  # another user's due enrollment is swept too
    assert not flag.users.exists()
    for enrollment in (mine, theirs):
        enrollment.refresh_from_db()
        assert (enrollment.live, enrollment.end_reason) == (None, "expired")
        expired = AuditEntry.objects.get(enrollment=enrollment, action="expired")
        assert expired.membership == "removed"
    assert AuditEntry.objects.count() == 4


def test_every_other_method_on_flags_still_sweeps(api, staff):
    Flag.objects.create(name="enterprise.a", superusers=False)
    mine = _enroll(staff, "enterprise.a")
    _due(mine)
    assert api(staff).post("flags/", {}).status_code == 405
    mine.refresh_from_db()
    assert mine.end_reason == "expired"


# ---- the flags' groups ------------------------------------------------------------------------


def test_get_flags_follows_the_flags_groups(api, staff, django_capture_on_commit_callbacks):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    beta = Group.objects.create(name="beta")
    caller = api(staff)

    def seen():
        entry = caller.get("flags/").json()["flags"][0]
        return entry["criteria"]["groups"], entry["me"]["groups"], entry["active_for_me"]

    assert seen() == ([], [], False)
    flag.groups.add(beta)
    assert seen() == (["beta"], [], False)
    staff.groups.add(beta)  # the caller's groups are read on every request
    assert seen() == (["beta"], ["beta"], True)
    beta.name = "gamma"
    beta.save()
    assert seen() == (["gamma"], ["gamma"], True)
    flag.groups.remove(beta)
    assert seen() == ([], [], False)
    beta.flag_set.add(flag)  # from the group's side: the same through table, the same signal
    assert seen() == (["gamma"], ["gamma"], True)
    beta.delete()  # the database drops the flag's and the user's rows by cascade
    assert seen() == ([], [], False)


def test_get_flags_follows_a_cleared_flag_groups(api, staff):
    """waffle flushes its cached group ids on add/remove; the plugin's receivers also do on clear()
    (waffle_cache.py), so the LMS, and so active_for_me, follows a clear at once."""
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    beta = Group.objects.create(name="beta")
    staff.groups.add(beta)
    flag.groups.add(beta)
    caller = api(staff)
    assert caller.get("flags/").json()["flags"][0]["active_for_me"] is True
    flag.groups.clear()
    entry = caller.get("flags/").json()["flags"][0]
    assert (entry["criteria"]["groups"], entry["active_for_me"]) == ([], False)


# ---- users/?q=: index range scans -------------------------------------------------------------


def test_the_user_search_reads_through_indexes(api, support, django_user_model):
    """Two range scans of at most 10 rows: auth_user's unique index on username, and the index on email
    (the LMS's; the devstack's migration 0002 adds the same)."""
    from .conftest import make_user

    for i in range(30):
        make_user(django_user_model, f"learner{i:02d}")
    caller = api(support)
    assert caller.get("users/", q="lea").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert len(caller.get("users/", q="lea").json()["results"]) == 10
    searches = [q["sql"] for q in queries if "LIKE" in q["sql"] and "auth_user" in q["sql"]]
    assert len(searches) == 2, [q["sql"] for q in queries]
    assert all("LIMIT 10" in sql for sql in searches), searches
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            for sql in searches:
                cursor.execute("EXPLAIN " + sql)
                columns = [c[0] for c in cursor.description]
                plan = dict(zip(columns, cursor.fetchone()))
                assert plan["type"] == "range" and plan["key"], (sql, plan)
