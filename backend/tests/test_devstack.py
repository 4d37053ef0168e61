"""The devstack as the extension sees it: sign-in, JWT cookie pair, CSRF, CORS, enterprise endpoints."""

import json
from datetime import timedelta

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from waffle.models import Flag

from devstack import jwt_auth
from devstack.enterprise_features import FLAG_NAMES
from devstack.portals import make_portal_app
from waffle_enrollments import policy

from .conftest import API, fixture

pytestmark = pytest.mark.django_db

LOGIN = "/api/user/v2/account/login_session/"
PORTAL = "http://localhost:8734"
BFF = {"devstack.service": "bff"}
HP, SIG = "edx-jwt-cookie-header-payload", "edx-jwt-cookie-signature"


@pytest.fixture
def seeded():
    call_command("seed_devstack", verbosity=0)


def csrf(client, **extra):
    response = client.get("/csrf/api/v1/token", **extra)
    assert response.status_code == 200
    token = response.json()["csrfToken"]
    assert client.cookies["csrftoken"].value
    return token


def sign_in(username, password="edx", as_json=False):
    client = Client(enforce_csrf_checks=True)
    token = csrf(client)
    if as_json:
        response = client.post(
            LOGIN,
            json.dumps({"email_or_username": username, "password": password}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        )
    else:
        response = client.post(LOGIN, {"email_or_username": username, "password": password}, HTTP_X_CSRFTOKEN=token)
    return client, response


def jwt_only(client):
    """A client holding just the JWT cookie pair (and the CSRF cookie), no session."""
    other = Client(enforce_csrf_checks=True)
    for name in (HP, SIG, "csrftoken"):
        if name in client.cookies:
            other.cookies[name] = client.cookies[name].value
    return other


def shape(value):
    """Keys (recursively) of a JSON value, to compare with the recorded fixtures."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


# --- sign-in and the JWT cookie pair --------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_login_session_sets_session_and_jwt_cookie_pair(seeded, as_json):
    client, response = sign_in("staff", as_json=as_json)
    assert response.status_code == 200, response.content
    assert response.json()["success"] is True
    assert client.cookies["sessionid"].value
    header_payload, signature = response.cookies[HP], response.cookies[SIG]
    assert header_payload["httponly"] == "" and signature["httponly"] is True
    assert header_payload["samesite"] == "Lax" and header_payload["path"] == "/"
    token = f"{header_payload.value}.{signature.value}"
    claims = jwt_auth.decode(token)
    expected = fixture("lms-edx-jwt-cookie-header-payload-staff.json")
    assert set(claims) == set(expected)
    assert claims["preferred_username"] == "staff" and claims["email"] == "staff@example.com"
    assert claims["administrator"] is True and claims["superuser"] is False
    assert claims["roles"] == ["enterprise_openedx_operator:*"]
    assert claims["aud"] == expected["aud"] and claims["iss"] == "http://localhost:18000/oauth2"
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_claims_of_learner_and_admin(seeded):
    ent_uuid = "8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60"
    _, response = sign_in("ent_admin@example.com")
    claims = jwt_auth.decode(f"{response.cookies[HP].value}.{response.cookies[SIG].value}")
    assert claims["preferred_username"] == "ent_admin" and claims["administrator"] is False
    assert set(claims["roles"]) == {f"enterprise_learner:{ent_uuid}", f"enterprise_admin:{ent_uuid}"}
    _, response = sign_in("edx")
    claims = jwt_auth.decode(f"{response.cookies[HP].value}.{response.cookies[SIG].value}")
    assert claims["superuser"] is True


def test_login_failures(seeded):
    _, response = sign_in("staff", "wrong")
    assert response.status_code == 400
    assert response.json()["error_code"] == "incorrect-email-or-password"
    assert HP not in response.cookies
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"email_or_username": "staff", "password": "edx"}).status_code == 403  # no CSRF token
    client = Client(enforce_csrf_checks=True)
    token = csrf(client)
    response = client.post(LOGIN, "[1]", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400


def test_login_page_and_next_redirect(seeded):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login", {"next": f"{PORTAL}/test-enterprise"})
    assert page.status_code == 200 and b'name="email_or_username"' in page.content
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login?next=" + f"{PORTAL}/test-enterprise",
        {
            "email_or_username": "learner",
            "password": "edx",
            "csrfmiddlewaretoken": token,
            "next": f"{PORTAL}/test-enterprise",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{PORTAL}/test-enterprise"
    assert response.cookies[SIG]["httponly"] is True
    # Off-site next= is ignored.
    client = Client()
    response = client.post(
        "/login", {"email_or_username": "learner", "password": "edx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert Client().post("/login", {"email_or_username": "learner", "password": "nope"}).status_code == 400


def test_logout_clears_session_and_jwt(seeded):
    client, _ = sign_in("staff")
    response = client.get("/logout", {"redirect_url": f"{PORTAL}/test-enterprise"})
    assert response.status_code == 302 and response["Location"] == f"{PORTAL}/test-enterprise"
    assert response.cookies[HP].value == "" and response.cookies[SIG].value == ""
    assert client.get(API + "flags/").status_code == 401


def test_login_refresh(seeded):
    client, _ = sign_in("staff")
    response = client.post("/login_refresh")
    assert response.status_code == 200 and response.cookies[SIG].value
    assert Client().post("/login_refresh").status_code == 401


# --- authenticating API calls from the JWT -----------------------------------------------------


def test_jwt_cookie_pair_alone_authenticates_and_writes_need_csrf(seeded):
    client, _ = sign_in("staff")
    cookies_only = jwt_only(client)
    assert cookies_only.get(API + "flags/").status_code == 200
    body = json.dumps({"flag": "enterprise.ai_pathways_operator_enabled", "duration": 60, "reason": "QA"})
    response = cookies_only.post(API + "enrollments/", body, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    token = csrf(cookies_only)
    response = cookies_only.post(API + "enrollments/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_session_alone_authenticates_and_writes_need_csrf(seeded):
    client, _ = sign_in("staff")
    for name in (HP, SIG):
        del client.cookies[name]
    body = json.dumps({"flag": "enterprise.ai_pathways_operator_enabled", "duration": 60, "reason": "QA"})
    assert client.get(API + "flags/").status_code == 200
    response = client.post(API + "enrollments/", body, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    token = client.cookies["csrftoken"].value
    assert (
        client.post(API + "enrollments/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code
        == 201
    )


def test_authorization_header_needs_no_csrf(seeded):
    from django.contrib.auth import get_user_model

    token = jwt_auth.encode(get_user_model().objects.get(username="staff"))
    client = Client(enforce_csrf_checks=True)
    body = json.dumps({"flag": "enterprise.ai_pathways_operator_enabled", "duration": 60, "reason": "QA"})
    response = client.post(
        API + "enrollments/", body, content_type="application/json", HTTP_AUTHORIZATION=f"JWT {token}"
    )
    assert response.status_code == 201


def test_bad_jwts_are_401(seeded, settings):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="staff")
    good = jwt_auth.encode(staff)
    forged = jwt.encode(jwt_auth.claims_for(staff), "not-the-secret", algorithm="HS256")
    expired = jwt.encode(
        jwt_auth.claims_for(staff, now=1_000_000), settings.JWT_AUTH["JWT_SECRET_KEY"], algorithm="HS256"
    )
    none_alg = jwt.encode(jwt_auth.claims_for(staff), None, algorithm="none")
    for token, words in (
        (forged, "Invalid JWT"),
        (expired, "expired"),
        (none_alg, "Invalid JWT"),
        ("abc", "Invalid JWT"),
    ):
        response = Client().get(API + "flags/", HTTP_AUTHORIZATION=f"JWT {token}")
        assert response.status_code == 401, token
        assert words in response.json()["detail"]
    assert Client().get(API + "flags/", HTTP_AUTHORIZATION="JWT").status_code == 401
    # a tampered signature cookie
    client = Client()
    header_payload, _signature = good.rsplit(".", 1)
    client.cookies[HP] = header_payload
    client.cookies[SIG] = "AAAA"
    assert client.get(API + "flags/").status_code == 401


def test_learner_jwt_gets_403_on_enrollment_api(seeded):
    client, _ = sign_in("learner")
    response = jwt_only(client).get(API + "flags/")
    assert response.status_code == 403 and "for LMS staff" in response.json()["detail"]


# --- CORS and origins ------------------------------------------------------------------------------


def test_cors_preflight_and_credentials_for_portal_origins(seeded):
    for origin in (PORTAL, "http://localhost:1991", "http://localhost:43210"):
        response = Client().options(
            API + "enrollments/",
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-csrftoken,use-jwt-cookie",
        )
        assert response["Access-Control-Allow-Origin"] == origin
        assert response["Access-Control-Allow-Credentials"] == "true"
        assert "x-csrftoken" in response["Access-Control-Allow-Headers"]
    response = Client().options(
        API + "flags/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in response


@override_settings(
    CORS_ALLOWED_ORIGINS=["https://portal.example.org"],
    CORS_ALLOWED_ORIGIN_REGEXES=[],
    DEVSTACK_TRUSTED_ORIGINS=["https://portal.example.org"],
    DEVSTACK_TRUSTED_ORIGIN_REGEXES=[],
)
def test_origins_are_settings_driven(seeded):
    response = Client().options(
        API + "flags/", HTTP_ORIGIN="https://portal.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert response["Access-Control-Allow-Origin"] == "https://portal.example.org"
    response = Client().options(API + "flags/", HTTP_ORIGIN=PORTAL, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "Access-Control-Allow-Origin" not in response
    client, _ = sign_in("staff")
    token = client.cookies["csrftoken"].value
    response = client.post(
        API + "enrollments/", "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN=PORTAL
    )
    assert response.status_code == 403 and "not trusted" in response.json()["detail"]


def test_untrusted_origin_cannot_write_even_with_token(seeded):
    client, _ = sign_in("staff")
    token = client.cookies["csrftoken"].value
    body = json.dumps({"flag": "enterprise.ai_pathways_operator_enabled", "duration": 60, "reason": "QA"})
    response = client.post(
        API + "enrollments/",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    response = client.post(
        API + "enrollments/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, HTTP_ORIGIN=PORTAL
    )
    assert response.status_code == 201


# --- enterprise endpoints ----------------------------------------------------------------------------


def test_feature_map_matches_the_recorded_flag_names():
    names = fixture("edx-enterprise-toggles-enterprise_features.json")
    names.pop("_about")
    assert FLAG_NAMES == names


def test_seed_creates_every_flag_of_the_fixture_with_varied_criteria(seeded):
    names = set(FLAG_NAMES.values())
    assert names <= set(Flag.objects.values_list("name", flat=True))
    flags = {f.name: f for f in Flag.objects.prefetch_related("groups", "users")}
    assert flags["enterprise.top_down_assignment_real_time_lcm"].everyone is True
    assert flags["enterprise.use_algolia_index_v2"].everyone is False
    assert flags["enterprise.feature_prequery_search_suggestions"].percent == 50
    assert flags["enterprise.enterprise_customer_support_tool"].staff is True
    assert flags["enterprise.enterprise_admin_onboarding"].superusers is True
    assert flags["enterprise.edit_highlights_enabled"].testing is True
    assert [g.name for g in flags["enterprise.admin_portal_learner_profile_view_enabled"].groups.all()] == [
        "enterprise-admins"
    ]
    assert [u.username for u in flags["enterprise.catalog_query_search_filters_enabled"].users.all()] == ["learner2"]
    call_command("seed_devstack", verbosity=0)  # idempotent
    assert Flag.objects.count() == len(flags)


def test_seed_support_readonly_is_staff_with_only_view_others(seeded):
    user = get_user_model().objects.get(username="support_readonly")
    assert user.is_staff and user.is_active and not user.is_superuser
    assert list(user.groups.all()) == []
    assert [p.codename for p in user.user_permissions.all()] == ["view_others"]
    assert user.get_all_permissions() == {"waffle_enrollments.view_others"}
    assert policy.can_view_others(user) and not policy.can_enroll_others(user)
    call_command("seed_devstack", verbosity=0)  # a second run keeps exactly that permission
    assert get_user_model().objects.get(username="support_readonly").get_all_permissions() == {
        "waffle_enrollments.view_others"
    }


def features(response):
    assert response.status_code == 200, response.content
    return response.json()["enterprise_features"]


def test_enterprise_learner_shape_and_features_per_user(seeded):
    learner, _ = sign_in("learner")
    body = learner.get("/enterprise/api/v1/enterprise-learner/", {"username": "learner", "page": 1}).json()
    recorded = fixture("lms-enterprise-api-v1-enterprise-learner.json")
    assert shape(body) == shape(recorded)
    assert body["results"][0]["enterprise_customer"]["slug"] == "test-enterprise"
    assert set(body["enterprise_features"]) == set(recorded["enterprise_features"])
    got = body["enterprise_features"]
    assert got["top_down_assignment_real_time_lcm"] is True  # everyone
    assert got["enterprise_learner_bff_enabled"] is True  # authenticated
    assert got["enterprise_customer_support_tool"] is False  # staff only
    assert got["catalog_query_search_filters_enabled"] is False  # listed: learner2 only
    assert got["use_algolia_index_v2"] is False
    learner2, _ = sign_in("learner2")
    assert (
        features(learner2.get("/enterprise/api/v1/enterprise-learner/"))["catalog_query_search_filters_enabled"] is True
    )
    admin, _ = sign_in("ent_admin")
    assert (
        features(admin.get("/enterprise/api/v1/enterprise-learner/"))["admin_portal_learner_profile_view_enabled"]
        is True
    )
    staff, _ = sign_in("staff")
    assert features(staff.get("/enterprise/api/v1/enterprise-learner/"))["enterprise_customer_support_tool"] is True
    root, _ = sign_in("edx")
    assert features(root.get("/enterprise/api/v1/enterprise-learner/"))["enterprise_admin_onboarding_enabled"] is True
    # testing flag through the dwft_ query parameter, as waffle does it
    assert (
        features(
            learner.get("/enterprise/api/v1/enterprise-learner/", {"dwft_enterprise.edit_highlights_enabled": "1"})
        )["enterprise_edit_highlights_enabled"]
        is True
    )
    # only staff may read another user's links
    assert learner.get("/enterprise/api/v1/enterprise-learner/", {"username": "learner2"}).status_code == 403
    assert Client().get("/enterprise/api/v1/enterprise-learner/").status_code == 401


def test_enterprise_customer_and_dashboard_list(seeded):
    staff, _ = sign_in("staff")
    body = staff.get("/enterprise/api/v1/enterprise-customer/", {"slug": "second-enterprise"}).json()
    assert [c["slug"] for c in body["results"]] == ["second-enterprise"] and "enterprise_features" in body
    admin, _ = sign_in("ent_admin")
    body = admin.get(
        "/enterprise/api/v1/enterprise-customer/dashboard_list/", {"enterprise_slug": "test-enterprise"}
    ).json()
    assert shape(body) == shape(fixture("lms-enterprise-api-v1-enterprise-customer-dashboard_list.json"))
    assert body["enterprise_features"]["admin_portal_learner_profile_view_enabled"] is True
    assert (
        admin.get(
            "/enterprise/api/v1/enterprise-customer/dashboard_list/", {"enterprise_slug": "second-enterprise"}
        ).json()["count"]
        == 0
    )
    learner, _ = sign_in("learner")
    assert learner.get("/enterprise/api/v1/enterprise-customer/dashboard_list/").json()["count"] == 0


def test_bff_dashboard_from_forwarded_authorization_header(seeded):
    from django.contrib.auth import get_user_model

    token = jwt_auth.encode(get_user_model().objects.get(username="learner2"))
    response = Client().post(
        "/api/v1/bffs/learner/dashboard/",
        json.dumps({"enterprise_customer_slug": "test-enterprise"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"JWT {token}",
        **BFF,
    )
    body = response.json()
    assert response.status_code == 200, body
    recorded = fixture("enterprise-access-api-v1-bffs-learner-dashboard.json")
    assert list(body) == list(recorded)  # same keys, same order (errors/warnings before enterprise_features)
    assert shape(body) == shape(recorded)
    assert body["enterprise_features"]["catalog_query_search_filters_enabled"] is True
    # the BFF answers only on its own port
    assert (
        Client()
        .post(
            "/api/v1/bffs/learner/dashboard/", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"JWT {token}"
        )
        .status_code
        == 404
    )


def test_bff_dashboard_from_cookies_needs_csrf_and_link(seeded):
    learner, _ = sign_in("learner")
    client = jwt_only(learner)
    body = json.dumps({"enterprise_customer_slug": "test-enterprise"})
    assert (
        client.post("/api/v1/bffs/learner/dashboard/", body, content_type="application/json", **BFF).status_code == 403
    )
    token = csrf(client, **BFF)
    response = client.post(
        "/api/v1/bffs/learner/dashboard/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **BFF
    )
    assert response.status_code == 200
    body = json.dumps({"enterprise_customer_slug": "second-enterprise"})
    response = client.post(
        "/api/v1/bffs/learner/dashboard/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **BFF
    )
    assert response.status_code == 403
    assert (
        Client().post("/api/v1/bffs/learner/dashboard/", "{}", content_type="application/json", **BFF).status_code
        == 401
    )


def test_enrollment_turns_the_feature_on_for_the_user_and_expiry_off(seeded):
    from django.utils import timezone

    from waffle_enrollments.models import Enrollment

    support, _ = sign_in("support")
    learner, _ = sign_in("learner")
    key = "enterprise_ai_pathways_operator_enabled"
    assert features(learner.get("/enterprise/api/v1/enterprise-learner/"))[key] is False
    response = support.post(
        API + "enrollments/",
        json.dumps(
            {"flag": "enterprise.ai_pathways_operator_enabled", "user": "learner", "duration": 600, "reason": "SUP-9"}
        ),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=support.cookies["csrftoken"].value,
    )
    assert response.status_code == 201
    assert features(learner.get("/enterprise/api/v1/enterprise-learner/"))[key] is True
    Enrollment.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("expire_waffle_enrollments", verbosity=0)
    assert features(learner.get("/enterprise/api/v1/enterprise-learner/"))[key] is False


# --- portals -------------------------------------------------------------------------------------


def _get(app, path, method="GET"):
    captured = {}

    def start_response(status, headers):
        captured["status"], captured["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": method}, start_response))
    return captured["status"], captured["headers"], body


def test_portal_pages_call_the_lms_with_axios_in_head():
    learner = make_portal_app("learner", "http://localhost:18000", "http://localhost:18270")
    status, headers, body = _get(learner, "/test-enterprise")
    assert status == "200 OK" and headers["Content-Type"].startswith("text/html")
    head = body.split(b"</head>")[0]
    assert b'<script src="/static/axios.min.js"></script>' in head
    for needle in (
        b"/enterprise/api/v1/enterprise-learner/",
        b"/api/v1/bffs/learner/dashboard/",
        b"/enterprise/api/v1/enterprise-customer/",
        b"withCredentials: true",
        b"http://localhost:18270",
    ):
        assert needle in head
    assert _get(learner, "/test-enterprise/admin/learners")[0].startswith("404")
    assert _get(learner, "/<script>")[0].startswith("404")
    assert _get(learner, "/test-enterprise", "POST")[0].startswith("405")
    admin = make_portal_app("admin", "http://localhost:18000", "http://localhost:18270")
    status, _, body = _get(admin, "/test-enterprise/admin/learners")
    assert status == "200 OK" and b"/enterprise/api/v1/enterprise-customer/dashboard_list/" in body
    status, headers, _ = _get(admin, "/static/axios.min.js")
    assert status.startswith("200") or status.startswith("404")  # 404 only before `npm install`
