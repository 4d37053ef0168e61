"""Settings for the test suite: the devstack project (which mounts the app as the LMS would).

Database: SQLite in a file (threads in the concurrency tests need a real file), unless
``WAFFLE_TEST_DB`` names another one, e.g. ``mysql://root@127.0.0.1:3307/waffle`` or
``mysql://root@/waffle?unix_socket=/tmp/x/mysqld.sock`` (see scripts/with-mariadb.sh).
"""

import os
import tempfile
from urllib.parse import parse_qs, unquote, urlsplit

os.environ.setdefault("WAFFLE_DEVSTACK_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("WAFFLE_DEVSTACK_JWT_SECRET", "test-jwt-secret-not-for-production")

from devstack.settings import *  # noqa: E402,F401,F403


def _database(url):
    if not url:
        path = os.path.join(tempfile.gettempdir(), f"waffle-enrollments-test-{os.getpid()}.sqlite3")
        return {
            "ENGINE": "devstack.sqlite_immediate",
            "NAME": path,
            "OPTIONS": {"timeout": 30},
            "TEST": {"NAME": path},
        }
    parts = urlsplit(url)
    if parts.scheme not in ("mysql", "mariadb"):
        raise ValueError(f"WAFFLE_TEST_DB: unsupported scheme {parts.scheme!r} (use mysql://)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    options = {"charset": "utf8mb4"}
    if "unix_socket" in query:
        options["unix_socket"] = query["unix_socket"]
    name = parts.path.lstrip("/") or "waffle_enrollments"
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": name,
        "USER": unquote(parts.username or "root"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "TEST": {"NAME": f"test_{name}", "CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


DATABASES = {"default": _database(os.environ.get("WAFFLE_TEST_DB"))}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
