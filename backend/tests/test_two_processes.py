"""Two LMS processes sharing MariaDB and memcached, as the LMS runs in production.

Each process is the devstack's Django (``python -m devstack.serve``, free ports). What one of them
changes (an enrollment, a revoke, an expiry, a flag edit in Django admin) is seen by the other's
``waffle.flag_is_active`` (the ``enterprise_features`` of enterprise-learner) and by its ``GET flags/``
on the very next request. Then 50 concurrent enrolls on one flag, split over both processes, lose no
membership and write one audit row each.

Runs in the MariaDB run only (scripts/with-mariadb.sh exports WAFFLE_TEST_DB and WAFFLE_TEST_CACHE).
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from devstack.lms_processes import Browser as _Browser
from devstack.lms_processes import LmsProcesses, available, create_users_and_flag

API = "/api/waffle-enrollments/v1/"
FLAG = "enterprise.ai_pathways_operator_enabled"  # seeded off for everybody
FEATURE = "enterprise_ai_pathways_operator_enabled"  # its key in enterprise_features
CONCURRENT = 50

pytestmark = pytest.mark.skipif(not available(), reason="needs MariaDB and memcached (scripts/with-mariadb.sh)")


class Browser(_Browser):
    def waffle_says(self, lms):
        """``waffle.flag_is_active`` in that process, for this user (edx-enterprise's enterprise_features)."""
        status, body = self.call(lms, "GET", "/enterprise/api/v1/enterprise-learner/")
        assert status == 200, body
        return body["enterprise_features"][FEATURE]

    def api_says(self, lms, flag=FLAG):
        status, body = self.call(lms, "GET", f"{API}flags/?names={flag}")
        assert status == 200, body
        return body["flags"][0]["active_for_me"]


@pytest.fixture(scope="module")
def two_lms():
    with LmsProcesses(2) as lms:
        yield lms


def _one(db, sql, *args):
    cursor = db.cursor()
    cursor.execute(sql, args)
    return cursor.fetchone()[0]


def test_enroll_revoke_and_expiry_in_one_process_are_seen_by_the_other_at_once(two_lms):
    (a, b), db = two_lms.processes, two_lms.db
    staff = Browser(a, "staff")
    assert staff.waffle_says(b) is False and staff.api_says(b) is False  # both now cached in b and memcached

    status, enrollment = staff.call(
        a, "POST", API + "enrollments/", {"flag": FLAG, "duration": 3600, "reason": "2 procs"}
    )
    assert status == 201, enrollment
    assert staff.waffle_says(b) is True
    assert staff.api_says(b) is True

    status, body = staff.call(a, "DELETE", f"{API}enrollments/{enrollment['id']}/")
    assert status == 200 and body["membership"] == "removed", body
    assert staff.waffle_says(b) is False
    assert staff.api_says(b) is False

    status, enrollment = staff.call(
        a, "POST", API + "enrollments/", {"flag": FLAG, "duration": 3600, "reason": "expiry"}
    )
    assert status == 201, enrollment
    assert staff.waffle_says(b) is True and staff.api_says(b) is True
    # Its time is up (moved back in the database), and a's next API request sweeps it.
    db.cursor().execute(
        "UPDATE waffle_enrollments_enrollment SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE id = %s",
        (enrollment["id"],),
    )
    two_lms.django("from waffle_enrollments.expiry import expiry_changed\nexpiry_changed()")  # SQL: say so
    status, body = staff.call(a, "GET", f"{API}enrollments/{enrollment['id']}/")
    assert status == 200 and body["end_reason"] == "expired", body
    assert staff.waffle_says(b) is False  # enterprise-learner does not sweep: a's expiry is what b sees
    assert staff.api_says(b) is False


def test_flag_edits_in_django_admin_are_seen_by_the_other_process_at_once(two_lms):
    (a, b), db = two_lms.processes, two_lms.db
    staff = Browser(a, "staff")
    admin = Browser(a, "edx")
    flag_id = _one(db, "SELECT id FROM waffle_flag WHERE name = %s", FLAG)
    staff_id = _one(db, "SELECT id FROM auth_user WHERE username = 'staff'")
    assert staff.waffle_says(b) is False and staff.api_says(b) is False

    status, _ = admin.call(
        a, "POST", "/admin/waffle/flag/", form={"action": "enable_for_all", "_selected_action": flag_id}
    )
    assert status == 200
    assert _one(db, "SELECT everyone FROM waffle_flag WHERE id = %s", flag_id) == 1
    assert staff.waffle_says(b) is True and staff.api_says(b) is True

    # The change form: everyone back to "Unknown", and staff listed in the flag's users.
    form = {
        "name": FLAG,
        "everyone": "unknown",
        "percent": "",
        "languages": "",
        "users": str(staff_id),
        "note": "",
        "created_0": "2024-01-01",
        "created_1": "00:00:00",
        "modified_0": "2024-01-01",
        "modified_1": "00:00:00",
        "_save": "Save",
    }
    status, body = admin.call(a, "POST", f"/admin/waffle/flag/{flag_id}/change/", form=form)
    assert status == 200 and "errorlist" not in str(body), str(body)[str(body).find("errorlist") - 300 :][:800]
    assert _one(db, "SELECT COUNT(*) FROM waffle_flag_users WHERE flag_id = %s AND user_id = %s", flag_id, staff_id)
    assert staff.waffle_says(b) is True and staff.api_says(b) is True
    form["users"] = ""
    status, body = admin.call(a, "POST", f"/admin/waffle/flag/{flag_id}/change/", form=form)
    assert status == 200, str(body)[:500]
    assert staff.waffle_says(b) is False
    assert staff.api_says(b) is False

    status, _ = admin.call(
        a, "POST", "/admin/waffle/flag/", form={"action": "enable_for_all", "_selected_action": flag_id}
    )
    assert staff.waffle_says(b) is True
    status, _ = admin.call(
        a, "POST", "/admin/waffle/flag/", form={"action": "disable_for_all", "_selected_action": flag_id}
    )
    assert staff.waffle_says(b) is False and staff.api_says(b) is False
    db.cursor().execute("UPDATE waffle_flag SET everyone = NULL WHERE id = %s", (flag_id,))


def test_concurrent_enrolls_and_revokes_from_two_processes_lose_nothing(two_lms):
    (a, b), db = two_lms.processes, two_lms.db
    flag = "enterprise.concurrency"
    create_users_and_flag(two_lms, flag, [f"load{i}" for i in range(CONCURRENT)])
    support = Browser(a, "support")

    def enroll(i):
        return support.call(
            (a, b)[i % 2],
            "POST",
            API + "enrollments/",
            {"flag": flag, "user": f"load{i}", "duration": 3600, "reason": "load"},
        )

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(enroll, range(CONCURRENT)))
    assert [s for s, _ in answers] == [201] * CONCURRENT, [a for a in answers if a[0] != 201][:3]
    flag_id = _one(db, "SELECT id FROM waffle_flag WHERE name = %s", flag)
    assert _one(db, "SELECT COUNT(*) FROM waffle_flag_users WHERE flag_id = %s", flag_id) == CONCURRENT
    assert _one(db, "SELECT COUNT(*) FROM waffle_enrollments_auditentry WHERE flag_name = %s", flag) == CONCURRENT

    def revoke(i):
        return support.call((b, a)[i % 2], "DELETE", f"{API}enrollments/{answers[i][1]['id']}/")

    with ThreadPoolExecutor(CONCURRENT) as pool:
        ended = list(pool.map(revoke, range(CONCURRENT)))
    assert [s for s, _ in ended] == [200] * CONCURRENT, [e for e in ended if e[0] != 200][:3]
    assert _one(db, "SELECT COUNT(*) FROM waffle_flag_users WHERE flag_id = %s", flag_id) == 0
    assert _one(db, "SELECT COUNT(*) FROM waffle_enrollments_auditentry WHERE flag_name = %s", flag) == 2 * CONCURRENT
