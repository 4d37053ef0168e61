"""The database and cache of a devstack or test run that uses real servers (MariaDB, memcached)
instead of SQLite and the local-memory cache, named by URL as scripts/with-mariadb.sh exports them:

- ``mysql://user:password@host:port/name`` or ``mysql://root@/name?unix_socket=/path/mysqld.sock``;
- ``unix:/path/memcached.sock`` or ``host:port`` (memcached through pymemcache, as the LMS).
"""

from urllib.parse import parse_qs, unquote, urlsplit


def database(url):
    parts = urlsplit(url)
    if parts.scheme not in ("mysql", "mariadb"):
        raise ValueError(f"database URL: unsupported scheme {parts.scheme!r} (use mysql://)")
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


def cache(location, key_prefix=""):
    return {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        # As the LMS configures pymemcache: no pickled-object surprises across processes.
        "OPTIONS": {"no_delay": True, "ignore_exc": False},
    }
