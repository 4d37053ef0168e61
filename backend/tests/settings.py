"""Settings for the test suite: the devstack project (which mounts the app as the LMS would).

Database: SQLite in a file (threads in the concurrency tests need a real file), unless
``WAFFLE_TEST_DB`` names another one, e.g. ``mysql://root@127.0.0.1:3307/waffle`` or
``mysql://root@/waffle?unix_socket=/tmp/x/mysqld.sock``. Cache: Django's local memory, unless
``WAFFLE_TEST_CACHE`` names a memcached, e.g. ``unix:/tmp/x/memcached.sock`` (scripts/with-mariadb.sh
starts both).
"""

import os
import tempfile

os.environ.setdefault("WAFFLE_DEVSTACK_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)
os.environ.setdefault("WAFFLE_DEVSTACK_JWT_SECRET", "test-jwt-secret-not-for-production")

from devstack import external  # noqa: E402
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
    return external.database(url)


DATABASES = {"default": _database(os.environ.get("WAFFLE_TEST_DB"))}
# memcached when WAFFLE_TEST_CACHE names one (scripts/with-mariadb.sh starts it), as in the LMS.
# One process's own cache otherwise: the devstack's file cache would be shared between test runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
if os.environ.get("WAFFLE_TEST_CACHE"):
    CACHES = {"default": external.cache(os.environ["WAFFLE_TEST_CACHE"], key_prefix=f"test-{os.getpid()}")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
