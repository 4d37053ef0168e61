"""What keeps GET flags/ and the expiry sweep fast (measured in docs/BENCHMARKS.md), and correct."""

import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from waffle.models import Flag

from waffle_enrollments import services

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
