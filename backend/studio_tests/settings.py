"""A "Studio" for tests: Django with what Studio (edx-platform's cms) has of this plugin, and nothing
of the LMS's. Studio shares the LMS's database, so its admin and its management commands delete the
same flags and users; the plugin is installed for Studio through its ``cms.djangoapp`` entry point,
which brings its models, signals and admin, and (as declared in ``plugin_app``) no URLs.

Database as tests/settings.py (SQLite, or ``WAFFLE_TEST_DB``: MariaDB in the MariaDB run).
"""

import os
import sys
import tempfile

from devstack import external

SECRET_KEY = "studio-tests-secret-key-not-for-production-" + "x" * 20
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",
    # What edx-django-utils' plugin machinery adds for every ``cms.djangoapp`` entry point.
    "waffle_enrollments.apps.WaffleEnrollmentsConfig",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "studio_tests.urls"  # Studio's own URLs: the admin, and none of this plugin's
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
STATIC_URL = "/static/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "studio"}}
if os.environ.get("WAFFLE_TEST_CACHE"):
    CACHES = {"default": external.cache(os.environ["WAFFLE_TEST_CACHE"], key_prefix=f"studio-{os.getpid()}")}

if os.environ.get("WAFFLE_TEST_DB"):
    DATABASES = {"default": external.database(os.environ["WAFFLE_TEST_DB"])}
    DATABASES["default"]["TEST"]["NAME"] = "test_studio_" + DATABASES["default"]["NAME"]
else:
    _path = os.path.join(tempfile.gettempdir(), f"waffle-enrollments-studio-{os.getpid()}.sqlite3")
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _path, "TEST": {"NAME": _path}}}


def _plugin_settings():
    """What the plugin machinery does with ``plugin_app["settings_config"]["cms.djangoapp"]["common"]``."""
    from importlib import import_module

    from waffle_enrollments.apps import WaffleEnrollmentsConfig

    entry = WaffleEnrollmentsConfig.plugin_app["settings_config"]["cms.djangoapp"]["common"]
    module = import_module(f"waffle_enrollments.{entry['relative_path']}")
    module.plugin_settings(sys.modules[__name__])


_plugin_settings()
