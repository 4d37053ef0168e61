"""The test settings without edx-enterprise: no app labelled ``enterprise`` (and none of the devstack,
whose views read it). Used by tests/test_without_enterprise.py, which runs itself with them."""

from .settings import *  # noqa: F401,F403
from .settings import DATABASES, INSTALLED_APPS, MIDDLEWARE, REST_FRAMEWORK

INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("enterprise_standin", "devstack")]
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("devstack.")]
ROOT_URLCONF = "tests.urls_without_enterprise"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
}
# Its own test database, next to the one of a suite that may be running it.
DATABASES["default"]["TEST"] = {
    **DATABASES["default"].get("TEST", {}),
    "NAME": DATABASES["default"].get("TEST", {}).get("NAME", "test_waffle_enrollments") + "_without_enterprise",
}
