"""The devstack answers as edx-platform does where ``@edx/frontend-platform`` (every portal's client) looks.

- ``POST /login_refresh``: new JWT cookies and when they expire (``user_id``, ``response_epoch_seconds``,
  ``response_http_date``, ``expires``, ``expires_epoch_seconds``), as edx-platform's
  ``get_response_with_refreshed_jwt_cookies``; 401 ``"Unauthorized"`` without a session, cookies untouched.
- ``GET /api/user/v1/accounts/<username>``: read on start by ``hydrateAuthenticatedUser``.
"""

import time
from email.utils import parsedate_to_datetime

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from .test_devstack import HP, SIG, jwt_only, sign_in

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/user/v1/accounts/"


@pytest.fixture
def seeded():
    call_command("seed_devstack", verbosity=0)


def epoch_of(http_date):
    return int(parsedate_to_datetime(http_date).timestamp())


def test_login_refresh_answers_as_edx_platform(seeded, settings):
    client, _ = sign_in("learner2")
    before = time.time()
    response = client.post("/login_refresh")
    after = time.time()
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "success",
        "user_id",
        "response_epoch_seconds",
        "response_http_date",
        "expires",
        "expires_epoch_seconds",
    }
    claims = jwt.decode(
        f"{response.cookies[HP].value}.{response.cookies[SIG].value}", options={"verify_signature": False}
    )
    assert body["success"] is True and body["user_id"] == claims["user_id"]
    assert isinstance(body["response_epoch_seconds"], float) and before <= body["response_epoch_seconds"] <= after
    assert abs(epoch_of(body["response_http_date"]) - body["response_epoch_seconds"]) < 1.5
    lifetime = int(settings.JWT_AUTH["JWT_EXPIRATION"].total_seconds())
    assert isinstance(body["expires_epoch_seconds"], int)
    assert int(before) + lifetime <= body["expires_epoch_seconds"] <= int(after) + lifetime
    assert epoch_of(body["expires"]) == body["expires_epoch_seconds"]
    # The cookies expire when the answer says, and the JWT inside them too.
    for name in (HP, SIG):
        assert epoch_of(response.cookies[name]["expires"]) == body["expires_epoch_seconds"]
    assert abs(claims["exp"] - body["expires_epoch_seconds"]) <= 1


def test_login_refresh_without_a_session_is_401_and_leaves_the_cookies_alone(seeded):
    signed_in, _ = sign_in("learner")
    response = jwt_only(signed_in).post("/login_refresh")  # a JWT cookie pair, but no session
    assert response.status_code == 401
    assert response.json() == "Unauthorized"
    assert not any(name in response.cookies for name in (HP, SIG, "edxloggedin", "sessionid"))
    assert Client().post("/login_refresh").status_code == 401
    assert Client().get("/login_refresh").status_code == 405


def test_own_account_has_the_fields_frontend_platform_reads(seeded):
    client, _ = sign_in("learner")
    response = client.get(ACCOUNTS + "learner")
    assert response.status_code == 200
    account = response.json()
    user = get_user_model().objects.get(username="learner")
    assert account["username"] == "learner" and account["email"] == user.email and account["id"] == user.pk
    assert account["name"] == user.get_full_name()
    assert account["is_active"] is True and account["date_joined"].endswith("Z")
    assert set(account["profile_image"]) == {
        "has_image",
        "image_url_full",
        "image_url_large",
        "image_url_medium",
        "image_url_small",
    }
    assert account["profile_image"]["image_url_medium"].startswith("http://testserver/")
    assert account["account_privacy"] == "private"
    for field in ("language_proficiencies", "social_links", "extended_profile"):
        assert account[field] == []
    # With or without the trailing slash (frontend-platform asks without it), and from the JWT cookies alone.
    assert client.get(ACCOUNTS + "learner/").json() == account
    assert jwt_only(client).get(ACCOUNTS + "learner").json()["username"] == "learner"


def test_another_users_account_shows_what_they_share_and_staff_see_all(seeded):
    client, _ = sign_in("learner")
    other = client.get(ACCOUNTS + "learner2")
    assert other.status_code == 200
    assert set(other.json()) == {"username", "profile_image", "account_privacy"}
    staff, _ = sign_in("staff")
    full = staff.get(ACCOUNTS + "learner2").json()
    assert full["username"] == "learner2" and full["email"] == "learner2@example.com"


def test_unknown_account_is_404_and_anonymous_is_401(seeded):
    for username in ("learner", "staff"):
        client, _ = sign_in(username)
        response = client.get(ACCOUNTS + "nobody-here")
        assert response.status_code == 404
        assert "nobody-here" in response.json()["detail"]
    anonymous = Client().get(ACCOUNTS + "learner")
    assert anonymous.status_code == 401
    assert "username" not in anonymous.json()
