"""The expiry hint (waffle_enrollments/expiry.py): an API request looks for expired enrollments only
when one can be due, and never misses one, whatever was saved meanwhile or however the cache fails."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import expiry, services
from waffle_enrollments.models import Enrollment

pytestmark = pytest.mark.django_db

FLAG = "enterprise.a"


def _enroll(user, hours=1.0):
    return services.enroll(
        flag_name=FLAG, user=user, actor=user, reason="t", expires_at=timezone.now() + timedelta(hours=hours)
    )


def _sweeps(do):
    """How many sweep probes (``expires_at <= …`` on either enrollment table) ``do()`` ran."""
    with CaptureQueriesContext(connection) as queries:
        do()
    return sum(1 for q in queries if "expires_at` <=" in q["sql"] or 'expires_at" <=' in q["sql"])


def _later(when):
    """timezone.now() as it will read at ``when`` (time passing, not a row moved)."""
    return mock.patch("django.utils.timezone.now", return_value=when)


@pytest.fixture
def flag():
    return Flag.objects.create(name=FLAG, superusers=False)


def test_a_request_with_nothing_due_does_not_look(api, staff, flag):
    _enroll(staff)
    caller = api(staff)
    assert _sweeps(lambda: caller.get("flags/", names=FLAG)) == 2  # no hint yet: both tables
    assert _sweeps(lambda: caller.get("flags/", names=FLAG)) == 0
    assert _sweeps(lambda: caller.get("enrollments/")) == 0


def test_time_passing_its_expiry_ends_it_on_the_next_request(api, staff, flag):
    enrollment = _enroll(staff)
    caller = api(staff)
    assert caller.get("flags/", names=FLAG).json()["flags"][0]["active_for_me"] is True
    with _later(enrollment.expires_at + timedelta(seconds=1)):
        answer = caller.get("flags/", names=FLAG).json()["flags"][0]
    assert answer["active_for_me"] is False and answer["my_enrollment"] is None
    enrollment.refresh_from_db()
    assert enrollment.end_reason == "expired"


def test_an_enrollment_saved_after_the_hint_is_not_hidden_by_it(api, staff, learner, flag):
    _enroll(learner, hours=5)
    caller = api(staff)
    caller.get("flags/", names=FLAG)  # hint: the earliest expiry is in 5 hours
    sooner = _enroll(staff, hours=1)
    with _later(sooner.expires_at + timedelta(seconds=1)):
        answer = caller.get("flags/", names=FLAG).json()["flags"][0]
    assert answer["my_enrollment"] is None
    sooner.refresh_from_db()
    assert sooner.end_reason == "expired"


def test_a_hint_from_an_older_generation_is_not_trusted(staff, flag):
    """A sweep that read the generation before another process committed a new enrollment stores its
    hint under the old generation: the next request must look again."""
    expiry.sweep_if_due()
    old = cache.get(expiry.GENERATION_KEY)
    enrollment = _enroll(staff)
    cache.set(expiry.HINT_KEY, (old, None))  # "nothing live", written by the slower sweep
    with _later(enrollment.expires_at + timedelta(seconds=1)):
        assert expiry.sweep_if_due() == 1


def test_a_change_without_save_is_seen_after_expiry_changed(staff, flag):
    enrollment = _enroll(staff)
    assert _sweeps(expiry.sweep_if_due) == 2
    Enrollment.objects.filter(pk=enrollment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _sweeps(expiry.sweep_if_due) == 0  # the hint does not know yet
    expiry.expiry_changed()
    assert expiry.sweep_if_due() == 1


def test_a_sweep_between_the_save_and_its_commit_is_not_trusted(staff, flag, django_capture_on_commit_callbacks):
    """Another process's sweep may run after the save but before the commit, and not see the row: the
    generation the commit starts outdates the hint that sweep stores."""
    expiry.sweep_if_due()  # a generation exists
    with django_capture_on_commit_callbacks(execute=False) as at_commit:
        enrollment = _enroll(staff)
    cache.set(expiry.HINT_KEY, (cache.get(expiry.GENERATION_KEY), None))  # that sweep: "nothing live"
    for callback in at_commit:
        callback()
    with _later(enrollment.expires_at + timedelta(seconds=1)):
        assert expiry.sweep_if_due() == 1


def test_the_hint_runs_out(staff, flag):
    _enroll(staff)
    with mock.patch.object(expiry, "cache", wraps=cache) as shared:
        expiry.sweep_if_due()
    stored = shared.set
    (key, value, timeout), _ = stored.call_args
    assert key == expiry.HINT_KEY and timeout == expiry.HINT_SECONDS


@pytest.mark.parametrize("broken", ["get_many", "add", "set"])
def test_a_failing_cache_costs_the_queries_never_the_answer(api, staff, flag, broken):
    enrollment = _enroll(staff)
    caller = api(staff)
    failing = mock.Mock(wraps=cache, **{f"{broken}.side_effect": ConnectionError("memcached is down")})
    with mock.patch.object(expiry, "cache", failing):
        with _later(enrollment.expires_at + timedelta(seconds=1)):
            response = caller.get("flags/", names=FLAG)
    assert response.status_code == 200
    assert response.json()["flags"][0]["my_enrollment"] is None
    assert getattr(failing, broken).called
