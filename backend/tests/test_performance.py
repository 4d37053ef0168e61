"""What keeps GET flags/ and the expiry sweep fast (measured in docs/BENCHMARKS.md), and correct."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.models import AuditEntry, Enrollment

from .conftest import API, client_for

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


def test_get_flags_reads_the_flag_list_from_waffles_cache(staff):
    Flag.objects.create(name="enterprise.a", superusers=False)
    client = client_for(staff)
    assert client.get(API + "flags/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(API + "flags/").status_code == 200
    assert not any(FLAG_TABLE.search(q["sql"]) for q in warm), [q["sql"] for q in warm]


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


def test_the_cached_flag_instances_are_never_changed(api, staff, learner, monkeypatch):
    """A cache that hands out shared objects must not carry one caller's preloaded ids to the next."""
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    flag.users.add(staff)
    shared = list(Flag.objects.all())
    monkeypatch.setattr(Flag, "get_all", classmethod(lambda cls: shared))
    assert api(staff).get("flags/").json()["flags"][0]["active_for_me"] is True
    assert all("_get_user_ids" not in f.__dict__ and "_get_group_ids" not in f.__dict__ for f in shared)
    learner.is_staff = True
    learner.save()
    assert api(learner).get("flags/").json()["flags"][0]["active_for_me"] is False


def test_user_counts_are_cached_and_forgotten_when_flag_users_change(api, staff, learner, learner2):
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    flag.users.add(learner)
    caller = api(staff)

    def count():
        response = caller.get("flags/")
        assert response.status_code == 200
        return response.json()["flags"][0]["criteria"]["user_count"]

    assert count() == 1
    with CaptureQueriesContext(connection) as warm:
        assert count() == 1
    assert not any("COUNT(" in q["sql"] for q in warm), [q["sql"] for q in warm]

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


def _counting_get_all(monkeypatch):
    """Counts the reads of waffle's whole cached flag list (each one unpickles every flag)."""
    calls = []
    real = Flag.get_all.__func__

    def get_all(cls):
        calls.append(1)
        return real(cls)

    monkeypatch.setattr(Flag, "get_all", classmethod(get_all))
    return calls


def test_a_warm_request_reads_no_pickled_flag_list(api, staff, monkeypatch):
    Flag.objects.create(name="enterprise.a", superusers=False)
    reads = _counting_get_all(monkeypatch)
    caller = api(staff)
    assert caller.get("flags/").status_code == 200
    assert caller.get("flags/", names="enterprise.a").status_code == 200
    assert caller.get("flags/").status_code == 200
    assert len(reads) == 1  # the first request built this process's catalogue; the others reused it


def test_the_catalogue_follows_every_change_of_a_flag(api, staff, monkeypatch, django_capture_on_commit_callbacks):
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


def test_the_catalogue_follows_the_policy(api, staff, settings):
    Flag.objects.create(name="enterprise.x")
    Flag.objects.create(name="lms.y")
    caller = api(staff)
    assert [f["name"] for f in caller.get("flags/").json()["flags"]] == ["enterprise.x", "lms.y"]
    settings.WAFFLE_ENROLLMENTS = {"VISIBLE_FLAGS": ["lms.*"], "ENROLLABLE_FLAGS": ["lms.*"]}
    (entry,) = caller.get("flags/").json()["flags"]
    assert (entry["name"], entry["enrollable"]) == ("lms.y", True)


def test_another_process_sees_a_change_through_the_shared_token(api, staff):
    """Each process keeps its own catalogue; the token in the shared cache says when it is stale. A
    change made elsewhere (here: the token deleted and waffle's list flushed, as that process's
    receivers do) is seen at the next request."""
    from waffle_enrollments import evaluation

    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    caller = api(staff)
    assert caller.get("flags/").json()["flags"][0]["criteria"]["staff"] is False
    Flag.objects.filter(pk=flag.pk).update(staff=True)  # no signal: nothing is flushed
    assert caller.get("flags/").json()["flags"][0]["criteria"]["staff"] is False  # waffle's cache says so too
    flag.flush()
    evaluation.get_cache().delete(evaluation.FLAG_LIST_TOKEN_KEY)
    assert caller.get("flags/").json()["flags"][0]["criteria"]["staff"] is True


# ---- the sweep, the caller's memberships and groups: one query ----------------------------------


def _due(enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def _enroll(user, flag_name, actor=None, reason="test"):
    return services.enroll(
        flag_name=flag_name, user=user, actor=actor or user, reason=reason,
        expires_at=timezone.now() + timedelta(hours=1),
    )


def test_get_flags_sweeps_memberships_and_groups_in_one_query(api, staff):
    group = Group.objects.create(name="beta")
    staff.groups.add(group)
    flag = Flag.objects.create(name="enterprise.a", superusers=False)
    flag.groups.add(group)
    _enroll(staff, "enterprise.a")
    caller = api(staff)
    assert caller.get("flags/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        entry = caller.get("flags/").json()["flags"][0]
    assert entry["me"] == {"listed": True, "groups": ["beta"]} and entry["my_enrollment"]["state"] == "live"
    sql = [q["sql"] for q in warm]
    combined = [q for q in sql if "waffle_flag_users" in q]
    assert len(combined) == 1, sql
    assert "expires_at" in combined[0] and "auth_user_groups" in combined[0]
    assert len([q for q in sql if "expires_at" in q]) == 2  # the combined probe, and the enrollments' columns


def test_the_combined_sweep_probe_uses_the_expiry_index(staff):
    """Its third part is the sweep's probe: on MariaDB an index range on (live, expires_at), not a
    scan of every live enrollment (see test_the_expiry_sweep_compares_live_so_the_index_serves_it)."""
    from waffle_enrollments import evaluation

    with CaptureQueriesContext(connection) as queries:
        evaluation.read_caller(staff)
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert not re.search(r"[`\"]live[`\"]\s*(?:AND|\)|ORDER|$)", sql), sql
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            columns = [c[0] for c in cursor.description]
            plans = [dict(zip(columns, row)) for row in cursor.fetchall()]
        (probe,) = [p for p in plans if p["table"] == Enrollment._meta.db_table]
        assert probe["key"] == "waffle_enr_live_expiry", plans
        assert int(probe["key_len"]) > 2, plans


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


# ---- the caller's enrollments: a statement written once ------------------------------------------


def test_live_enrollments_are_read_as_the_orm_reads_them(django_user_model, staff, support):
    from waffle_enrollments import evaluation
    from waffle_enrollments.serializers import enrollment_json

    from .conftest import make_user

    gone = make_user(django_user_model, "gone", staff=True, perms=["enroll_others"])
    for name in ("enterprise.a", "enterprise.b", "enterprise.c", "enterprise.d"):
        Flag.objects.create(name=name, superusers=False)
    _enroll(staff, "enterprise.a", reason="mine \u2028 é")
    _enroll(staff, "enterprise.b", actor=support)
    _enroll(staff, "enterprise.c", actor=gone)
    ended = _enroll(staff, "enterprise.d", actor=support)
    services.revoke(ended.pk, actor=support)
    gone.delete()  # created_by becomes NULL

    def orm():
        found = {}
        for e in Enrollment.objects.live().filter(user=staff).select_related("created_by", "ended_by"):
            found[e.flag_id] = enrollment_json(e)
        return found

    with CaptureQueriesContext(connection) as queries:
        got = {flag_id: enrollment_json(e) for flag_id, e in evaluation._live_enrollments(staff).items()}
    assert len(queries) == 1
    assert got == orm()
    assert len(got) == 3
    creators = {e["created_by"]["username"] if e["created_by"] else None for e in got.values()}
    assert creators == {"staff", "support", None}
    assert all(e["created_at"].endswith("Z") and e["state"] == "live" for e in got.values())


# ---- the flags' groups are part of the catalogue -------------------------------------------------


def test_the_catalogue_follows_the_flags_groups(api, staff, django_capture_on_commit_callbacks):
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
    flag.groups.clear()
    assert seen() == ([], [], False)
    flag.groups.add(beta)
    assert seen() == (["gamma"], ["gamma"], True)
    beta.delete()  # the database drops the flag's row by cascade: no m2m signal, a post_delete
    assert seen() == ([], [], False)
