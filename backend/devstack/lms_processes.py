"""Several LMS processes (the devstack's Django) on one MariaDB and one memcached, as an LMS runs in
production, for tests and benches: ``LmsProcesses`` starts them on free ports with a database of their
own on the server named by ``WAFFLE_TEST_DB`` and the memcached named by ``WAFFLE_TEST_CACHE`` (see
scripts/with-mariadb.sh), and ``Browser`` is a signed-in session that can call any of them.
"""

import json
import os
import subprocess
import sys
import tempfile
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

BACKEND = Path(__file__).resolve().parents[1]


def available():
    return bool(os.environ.get("WAFFLE_TEST_DB") and os.environ.get("WAFFLE_TEST_CACHE"))


def mysql(database=None):
    """A MySQLdb connection (autocommit) to the server of ``WAFFLE_TEST_DB``."""
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
    """One devstack process on free ports; it stops when its stdin closes."""

    def __init__(self, env, data_dir):
        ports = [f"--{service}-port=0" for service in ("lms", "bff", "learner", "admin")]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack.serve", "--data-dir", str(data_dir), *ports],
            cwd=BACKEND,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = ""
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


class LmsProcesses:
    """``with LmsProcesses(2) as lms:`` → ``lms.processes`` (the first one migrated and seeded the
    database), ``lms.db`` (a MySQLdb connection to it), ``lms.django(code)`` (runs Python with Django set
    up on the same database and cache). The database is dropped at the end."""

    def __init__(self, count=2):
        self.count = count
        self.database = f"waffle_lms_{os.getpid()}"
        self.env = {
            **os.environ,
            "WAFFLE_DEVSTACK_DB": urlsplit(os.environ["WAFFLE_TEST_DB"])._replace(path=f"/{self.database}").geturl(),
            "WAFFLE_DEVSTACK_CACHE": os.environ["WAFFLE_TEST_CACHE"],
            "WAFFLE_DEVSTACK_SECRET_KEY": "lms-processes-secret-key-" + "x" * 30,
            "WAFFLE_DEVSTACK_JWT_SECRET": "lms-processes-jwt-secret",
            "WAFFLE_DEVSTACK_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.processes = []

    def __enter__(self):
        self._server = mysql()
        self._server.cursor().execute(
            f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        self._dirs = [tempfile.TemporaryDirectory() for _ in range(self.count)]
        try:
            for data_dir in self._dirs:  # one after the other: the first one migrates and seeds
                self.processes.append(Lms(self.env, data_dir.name))
            self.db = mysql(self.database)
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.stop()
        for data_dir in self._dirs:
            data_dir.cleanup()
        self._server.cursor().execute(f"DROP DATABASE IF EXISTS {self.database}")

    def django(self, code):
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "devstack.settings"}
        script = "import django\ndjango.setup()\n" + code
        done = subprocess.run([sys.executable, "-c", script], cwd=BACKEND, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def one(self, sql, *args):
        cursor = self.db.cursor()
        cursor.execute(sql, args)
        return cursor.fetchone()[0]


class Browser:
    """A signed-in session. Its cookies work with every process: same host, same session table."""

    def __init__(self, lms, username):
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))
        self.call(lms, "GET", "/csrf/api/v1/token")
        status, body = self.call(
            lms, "POST", "/api/user/v2/account/login_session/", {"email_or_username": username, "password": "edx"}
        )
        if status != 200:
            raise RuntimeError(f"sign-in as {username} failed: {status} {body}")
        # Keep the session; the JWT cookie names its issuer, which is one process's URL.
        for cookie in list(self.jar):
            if cookie.name.startswith("edx-jwt-cookie"):
                self.jar.clear(cookie.domain, cookie.path, cookie.name)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")

    def call(self, lms, method, path, body=None, form=None):
        """(status, parsed JSON or text) of a request; JSON ``body`` or an HTML ``form`` (with its CSRF token)."""
        headers = {"Accept": "application/json", "Origin": lms.url, "X-CSRFToken": self.cookie("csrftoken")}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urlencode({**form, "csrfmiddlewaretoken": self.cookie("csrftoken")}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = lms.url + path
        request = Request(lms.url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                raw, status = response.read(), response.status
        except HTTPError as error:
            raw, status = error.read(), error.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")


def create_users_and_flag(lms, flag, usernames):
    """A flag (Everyone unknown) and plain users, created in the processes' database."""
    lms.django(
        "from django.contrib.auth import get_user_model\n"
        "from waffle.models import Flag\n"
        f"Flag.objects.create(name={flag!r}, everyone=None)\n"
        "User = get_user_model()\n"
        f"User.objects.bulk_create([User(username=u, email=u + '@example.com') for u in {list(usernames)!r}])\n"
    )
