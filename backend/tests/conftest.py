import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_waffle_cache():
    """Waffle caches flags in the default cache, which a rolled-back test would otherwise leak."""
    cache.clear()
    yield
    cache.clear()


def pytest_sessionfinish(session, exitstatus):
    # "No tests ran" must fail CI, not pass it quietly.
    if session.testscollected == 0 and exitstatus == 5:
        session.exitstatus = 1


import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.contrib.auth.models import Permission  # noqa: E402
from django.test import Client  # noqa: E402

API = "/api/waffle-enrollments/v1/"
# The recorded Open edX responses, shared with the TypeScript tests (test/fixtures/openedx/README.md).
FIXTURES_DIR = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "openedx"


def fixture(name):
    return json.loads((FIXTURES_DIR / name).read_text())


def make_user(django_user_model, username, *, staff=False, superuser=False, perms=(), active=True):
    user = django_user_model.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="edx",
        is_staff=staff,
        is_superuser=superuser,
        is_active=active,
    )
    for codename in perms:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="waffle_enrollments", codename=codename)
        )
    return user


@pytest.fixture
def staff(django_user_model):
    return make_user(django_user_model, "staff", staff=True)


@pytest.fixture
def support(django_user_model):
    return make_user(django_user_model, "support", staff=True, perms=["enroll_others"])


@pytest.fixture
def learner(django_user_model):
    return make_user(django_user_model, "learner")


@pytest.fixture
def learner2(django_user_model):
    return make_user(django_user_model, "learner2")


@pytest.fixture
def superuser(django_user_model):
    return make_user(django_user_model, "edx", staff=True, superuser=True)


def client_for(user=None, csrf=False):
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def api():
    """``api(user).get('flags/')`` / ``.post('enrollments/', {...})`` / ``.delete(...)``, session-authenticated."""

    class Api:
        def __init__(self, user):
            self.client = client_for(user)

        def get(self, path, **params):
            return self.client.get(API + path, params)

        def post(self, path, body, **extra):
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
            return self.client.post(
                API + path, data, content_type=extra.pop("content_type", "application/json"), **extra
            )

        def delete(self, path):
            return self.client.delete(API + path)

    return Api
