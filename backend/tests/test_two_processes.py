"""Two LMS processes sharing MariaDB and memcached, as the LMS runs in production.

Each process is the devstack's Django (``python -m devstack.serve``, free ports). What one of them
changes (an enrollment, a revoke, an expiry, a flag edit in Django admin) is seen by the other's
``waffle.flag_is_active`` (the ``enterprise_features`` of enterprise-learner) and by its ``GET flags/``
on the very next request. Then 50 concurrent enrolls on one flag, split over both processes, lose no
membership and write one audit row each.

Runs in the MariaDB run only (scripts/with-mariadb.sh exports WAFFLE_TEST_DB and WAFFLE_TEST_CACHE).
"""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

BACKEND = Path(__file__).resolve().parents[1]
API = "/api/waffle-enrollments/v1/"
FLAG = "enterprise.ai_pathways_operator_enabled"  # seeded off for everybody
FEATURE = "enterprise_ai_pathways_operator_enabled"  # its key in enterprise_features
CONCURRENT = 50

pytestmark = pytest.mark.skipif(
    not (os.environ.get("WAFFLE_TEST_DB") and os.environ.get("WAFFLE_TEST_CACHE")),
    reason="needs MariaDB and memcached (run through scripts/with-mariadb.sh)",
)


def _mysql(database=None):
    import MySQLdb

    parts = urlsplit(os.environ["WAFFLE_TEST_DB"])
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    kwargs = {"user": parts.username or "root", "passwd": parts.password or "", "charset": "utf8mb4"}
    if "unix_socket" in query:
        kwargs["unix_socket"] = query["unix_socket"]
    else:
        kwargs.update(host=parts.hostname or "127.0.0.1", port=parts.port or 3306)
    if database:
        kwargs["db"] = database
    connection = MySQLdb.connect(**kwargs)
    connection.autocommit(True)
    return connection


class Lms:
    """One devstack process; stops when its stdin closes."""

    def __init__(self, env, data_dir):
        self.env = env
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "devstack.serve",
                "--data-dir",
                str(data_dir),
                "--lms-port",
                "0",
                "--bff-port",
                "0",
                "--learner-port",
                "0",
                "--admin-port",
                "0",
            ],
            cwd=BACKEND,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for line in self.process.stdout:
            if line.startswith("DEVSTACK_READY "):
                self.url = json.loads(line.split(" ", 1)[1])["urls"]["lms"]
                return
            if line.startswith("DEVSTACK_ERROR "):
                break
        self.stop()
        raise RuntimeError(f"the devstack did not start: {line!r}")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Browser:
    """A signed-in session (cookies shared by both processes: same host, same database)."""

    def __init__(self, lms, username):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.call(lms, "GET", "/csrf/api/v1/token")
        status, body = self.call(
            lms, "POST", "/api/user/v2/account/login_session/", {"email_or_username": username, "password": "edx"}
        )
        assert status == 200, body
        # Keep the session; the JWT cookie names its issuer, which is one process's URL.
        for cookie in list(self.jar):
            if cookie.name.startswith("edx-jwt-cookie"):
                self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")

    def call(self, lms, method, path, body=None, form=None):
        headers = {"Accept": "application/json", "Origin": lms.url, "X-CSRFToken": self.cookie("csrftoken")}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            from urllib.parse import urlencode

            data = urlencode({**form, "csrfmiddlewaretoken": self.cookie("csrftoken")}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = lms.url + path
        request = Request(lms.url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                raw, status = response.read(), response.status
        except HTTPError as error:
            raw, status = error.read(), error.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

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
    database = f"waffle_lms_{os.getpid()}"
    admin = _mysql()
    admin.cursor().execute(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    db_url = urlsplit(os.environ["WAFFLE_TEST_DB"])._replace(path=f"/{database}").geturl()
    env = {
        **os.environ,
        "WAFFLE_DEVSTACK_DB": db_url,
        "WAFFLE_DEVSTACK_CACHE": os.environ["WAFFLE_TEST_CACHE"],
        "WAFFLE_DEVSTACK_SECRET_KEY": "two-processes-secret-key-" + "x" * 30,
        "WAFFLE_DEVSTACK_JWT_SECRET": "two-processes-jwt-secret",
        "WAFFLE_DEVSTACK_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes = []
    try:
        with tempfile.TemporaryDirectory() as a_dir, tempfile.TemporaryDirectory() as b_dir:
            processes.append(Lms(env, a_dir))  # migrates and seeds
            processes.append(Lms(env, b_dir))
            yield processes[0], processes[1], _mysql(database)
    finally:
        for process in processes:
            process.stop()
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {database}")


def _one(db, sql, *args):
    cursor = db.cursor()
    cursor.execute(sql, args)
    return cursor.fetchone()[0]


def test_enroll_revoke_and_expiry_in_one_process_are_seen_by_the_other_at_once(two_lms):
    a, b, db = two_lms
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
    status, body = staff.call(a, "GET", f"{API}enrollments/{enrollment['id']}/")
    assert status == 200 and body["end_reason"] == "expired", body
    assert staff.waffle_says(b) is False  # enterprise-learner does not sweep: a's expiry is what b sees
    assert staff.api_says(b) is False


def test_flag_edits_in_django_admin_are_seen_by_the_other_process_at_once(two_lms):
    a, b, db = two_lms
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
    a, b, db = two_lms
    flag = "enterprise.concurrency"
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from waffle.models import Flag\n"
        f"Flag.objects.create(name={flag!r}, everyone=None)\n"
        "U = get_user_model()\n"
        f"U.objects.bulk_create([U(username=f'load{{i}}', email=f'load{{i}}@x.org') for i in range({CONCURRENT})])\n"
    )
    env = {**a.env, "DJANGO_SETTINGS_MODULE": "devstack.settings"}
    created = subprocess.run([sys.executable, "-c", code], cwd=BACKEND, env=env, capture_output=True, text=True)
    assert created.returncode == 0, created.stderr[-2000:]
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
