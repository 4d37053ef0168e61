"""POST / GET / DELETE enrollments: rules, statuses and every bad input, over HTTP."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory, override_settings
from django.utils import timezone
from waffle import flag_is_active
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.models import AuditEntry, Enrollment

from .conftest import API, client_for

pytestmark = pytest.mark.django_db

FLAG = "enterprise.ai_pathways_operator_enabled"


@pytest.fixture
def flag():
    return Flag.objects.create(name=FLAG, everyone=None, superusers=False)


def active_for(user, name=FLAG):
    request = RequestFactory().get("/")
    request.user = user
    return flag_is_active(request, name)


def body(**overrides):
    data = {"flag": FLAG, "duration": 3600, "reason": "QA-123 trying the pathways UI"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not Ellipsis}


# --- happy paths ------------------------------------------------------------------------------


def test_staff_enrolls_self_and_waffle_sees_it_at_once(api, staff, flag):
    assert active_for(staff) is False  # also warms waffle's cache: the enrollment must flush it
    before = timezone.now()
    response = api(staff).post("enrollments/", body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["flag"] == FLAG
    assert data["user"] == {"id": staff.pk, "username": "staff", "email": "staff@example.com"}
    assert data["created_by"]["username"] == "staff"
    assert data["state"] == "live" and data["ended_at"] is None and data["end_reason"] is None
    assert data["preexisting_membership"] is False
    expires = Enrollment.objects.get(pk=data["id"]).expires_at
    assert timedelta(seconds=3599) <= expires - before <= timedelta(seconds=3601)
    assert flag.users.filter(pk=staff.pk).exists()
    assert active_for(staff) is True
    entry = AuditEntry.objects.get(enrollment_id=data["id"])
    assert (entry.action, entry.membership, entry.actor_username, entry.username) == (
        "enrolled",
        "added",
        "staff",
        "staff",
    )
    assert entry.reason == "QA-123 trying the pathways UI"


def test_expires_at_instead_of_duration(api, staff, flag):
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    response = api(staff).post("enrollments/", body(duration=..., expires_at=when.isoformat()))
    assert response.status_code == 201, response.content
    assert Enrollment.objects.get().expires_at == when


def test_default_duration_when_none_given(api, staff, flag):
    response = api(staff).post("enrollments/", body(duration=...))
    assert response.status_code == 201
    enrollment = Enrollment.objects.get()
    assert abs((enrollment.expires_at - enrollment.created_at) - timedelta(hours=8)) < timedelta(seconds=5)


def test_user_can_be_named_by_email_and_self_by_own_username(api, support, learner, flag, staff):
    assert api(support).post("enrollments/", body(user="LEARNER@example.com")).json()["user"]["username"] == "learner"
    # Naming yourself needs no enroll_others permission.
    assert api(staff).post("enrollments/", body(user="staff")).status_code == 201


def test_support_enrolls_another_user(api, support, learner, flag):
    response = api(support).post("enrollments/", body(user="learner"))
    assert response.status_code == 201, response.content
    assert response.json()["user"]["username"] == "learner"
    assert response.json()["created_by"]["username"] == "support"
    assert active_for(learner) is True


def test_superuser_can_enroll_others(api, superuser, learner, flag):
    assert api(superuser).post("enrollments/", body(user="learner")).status_code == 201


def test_non_staff_with_enroll_self_permission_may_enroll_self(api, django_user_model, flag):
    from .conftest import make_user

    qa = make_user(django_user_model, "qa", perms=["enroll_self"])
    assert api(qa).post("enrollments/", body()).status_code == 201


# --- who may ------------------------------------------------------------------------------------


def test_anonymous_gets_401_json_with_sign_in_hint(flag):
    client = client_for(None)
    for response in (
        client.get(API + "flags/"),
        client.get(API + "enrollments/"),
        client.post(API + "enrollments/", body(), content_type="application/json"),
        client.delete(API + "enrollments/1/"),
    ):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"].startswith("Sign in to the LMS")
        assert response["WWW-Authenticate"]


def test_learner_gets_403_everywhere(api, learner, flag):
    client = api(learner)
    for response in (
        client.get("flags/"),
        client.get("enrollments/"),
        client.post("enrollments/", body()),
        client.delete("enrollments/1/"),
        client.get("enrollments/1/"),
    ):
        assert response.status_code == 403
        assert "for LMS staff" in response.json()["detail"]
    assert not Enrollment.objects.exists()


def test_inactive_staff_is_not_signed_in(api, django_user_model, flag):
    from .conftest import make_user

    ghost = make_user(django_user_model, "ghost", staff=True, active=False)
    client = client_for(None)
    client.force_login(ghost)
    assert client.get(API + "flags/").status_code == 401


def test_staff_cannot_enroll_others(api, staff, learner, flag):
    response = api(staff).post("enrollments/", body(user="learner"))
    assert response.status_code == 403
    assert "enroll_others" in response.json()["detail"]
    assert not flag.users.exists()


def test_staff_without_permission_gets_403_before_user_lookup(api, staff, flag):
    # No probing for accounts: an unknown user is not revealed to someone who may not enroll others.
    response = api(staff).post("enrollments/", body(user="nobody-at-all"))
    assert response.status_code == 403


def test_flag_outside_policy_is_403(api, staff):
    Flag.objects.create(name="learner_home_mfe.enabled")
    response = api(staff).post("enrollments/", body(flag="learner_home_mfe.enabled"))
    assert response.status_code == 403
    assert "outside the enrollment policy" in response.json()["detail"]
    assert "enterprise.*" in response.json()["detail"]


@override_settings(WAFFLE_ENROLLMENTS={"ENROLLABLE_FLAGS": ["lms.*"], "MAX_DURATION": 600, "DEFAULT_DURATION": 60})
def test_policy_comes_from_settings(api, staff, flag):
    Flag.objects.create(name="lms.thing")
    assert api(staff).post("enrollments/", body(duration=60)).status_code == 403
    assert api(staff).post("enrollments/", body(flag="lms.thing", duration=601)).status_code == 400
    assert api(staff).post("enrollments/", body(flag="lms.thing", duration=600)).status_code == 201


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload, field, words",
    [
        (body(flag=...), "flag", "required"),
        (body(flag=42), "flag", "string"),
        (body(flag=""), "flag", "blank"),
        (body(reason=...), "reason", "Say why"),
        (body(reason="   "), "reason", "Say why"),
        (body(reason=["x"]), "reason", "string"),
        (body(reason="x" * 501), "reason", "at most 500"),
        (body(duration=0), "duration", "more than 0"),
        (body(duration=-5), "duration", "more than 0"),
        (body(duration=7 * 24 * 3600 + 1), "duration", "at most 604800"),
        (body(duration="3600"), "duration", "whole number"),
        (body(duration=True), "duration", "whole number"),
        (body(duration=1.5), "duration", "whole number"),
        (body(duration=10**30), "duration", "at most"),
        (body(expires_at="tomorrow"), "duration", "not both"),
        (body(duration=..., expires_at="tomorrow"), "expires_at", "ISO 8601"),
        (body(duration=..., expires_at=12345), "expires_at", "string"),
        (body(duration=..., expires_at="2030-01-01T00:00:00"), "expires_at", "time zone"),
        (body(duration=..., expires_at="2000-01-01T00:00:00Z"), "expires_at", "future"),
        (body(duration=..., expires_at="2999-01-01T00:00:00Z"), "expires_at", "at most"),
        (body(user=7), "user", "string"),
        (body(durration=60), "durration", "Unknown field"),
    ],
)
def test_bad_fields_are_400_with_a_detail(api, staff, flag, payload, field, words):
    response = api(staff).post("enrollments/", payload)
    assert response.status_code == 400, response.content
    data = response.json()
    assert field in data["errors"], data
    assert words in data["errors"][field]
    assert field in data["detail"] and words in data["detail"]
    assert not Enrollment.objects.exists() and not flag.users.exists()


@pytest.mark.parametrize("raw", ["[1, 2]", '"flag"', "null", "42"])
def test_body_that_is_not_an_object_is_400(api, staff, flag, raw):
    response = api(staff).post("enrollments/", raw)
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]


def test_malformed_json_is_400(api, staff, flag):
    response = api(staff).post("enrollments/", '{"flag": ')
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_form_encoded_body_is_415(api, staff, flag):
    response = api(staff).post("enrollments/", "flag=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.json()["detail"]


def test_oversize_body_is_413_and_nothing_is_parsed(api, staff, flag):
    response = api(staff).post("enrollments/", body(reason="x" * 20_000))
    assert response.status_code == 413
    assert "limit is 16384" in response.json()["detail"]
    assert not Enrollment.objects.exists()


def test_unknown_flag_is_404(api, staff):
    response = api(staff).post("enrollments/", body(flag="enterprise.does_not_exist"))
    assert response.status_code == 404
    assert "No Waffle flag is named 'enterprise.does_not_exist'" in response.json()["detail"]


def test_unknown_user_is_404(api, support, flag):
    response = api(support).post("enrollments/", body(user="nobody@example.com"))
    assert response.status_code == 404
    assert "nobody@example.com" in response.json()["detail"]


def test_inactive_target_user_is_409(api, support, django_user_model, flag):
    from .conftest import make_user

    make_user(django_user_model, "gone", active=False)
    response = api(support).post("enrollments/", body(user="gone"))
    assert response.status_code == 409
    assert "inactive" in response.json()["detail"]


def test_duplicate_live_enrollment_is_409(api, staff, flag):
    first = api(staff).post("enrollments/", body()).json()
    response = api(staff).post("enrollments/", body())
    assert response.status_code == 409
    assert f"#{first['id']}" in response.json()["detail"]
    assert response.json()["enrollment_id"] == first["id"]
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize("everyone, words", [(True, "already on"), (False, "off for every user")])
def test_flag_forced_by_everyone_is_409(api, staff, everyone, words):
    Flag.objects.create(name=FLAG, everyone=everyone)
    response = api(staff).post("enrollments/", body())
    assert response.status_code == 409
    assert words in response.json()["detail"]


def test_database_lock_is_503_not_500(api, staff, flag, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("(1213, 'Deadlock found when trying to get lock')")

    monkeypatch.setattr(services, "enroll", locked)
    response = api(staff).post("enrollments/", body())
    assert response.status_code == 503
    assert "Try again" in response.json()["detail"]
    assert response["Retry-After"] == "2"


def test_integrity_error_is_409_not_500(api, staff, flag, monkeypatch):
    def clash(**kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(services, "enroll", clash)
    response = api(staff).post("enrollments/", body())
    assert response.status_code == 409
    assert "same moment" in response.json()["detail"]


def test_unsupported_method_is_405_json(api, staff):
    response = api(staff).client.put(API + "enrollments/", "{}", content_type="application/json")
    assert response.status_code == 405
    assert "detail" in response.json()


# --- DELETE ------------------------------------------------------------------------------------


def test_delete_own_enrollment(api, staff, flag):
    enrollment_id = api(staff).post("enrollments/", body()).json()["id"]
    assert active_for(staff) is True
    response = api(staff).delete(f"enrollments/{enrollment_id}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["state"], data["end_reason"], data["ended_by"]["username"], data["membership"]) == (
        "ended",
        "revoked",
        "staff",
        "removed",
    )
    assert active_for(staff) is False
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["enrolled", "revoked"]


def test_delete_twice_is_409(api, staff, flag):
    enrollment_id = api(staff).post("enrollments/", body()).json()["id"]
    api(staff).delete(f"enrollments/{enrollment_id}/")
    response = api(staff).delete(f"enrollments/{enrollment_id}/")
    assert response.status_code == 409
    assert "already ended" in response.json()["detail"]


def test_delete_unknown_or_malformed_id_is_404_json(api, staff):
    assert api(staff).delete("enrollments/999/").status_code == 404
    response = api(staff).delete("enrollments/abc/")
    assert response.status_code == 404
    assert "whole numbers" in response.json()["detail"]


@pytest.mark.parametrize("pk", ["\u00b2", "\u0663", "1\u00b2", "\uff11"])
def test_an_id_of_non_ascii_digits_is_404_json(api, staff, pk):
    # str.isdigit() is true for each of these; int() refuses '²' and reads '٣' as 3.
    for method in ("get", "delete"):
        response = getattr(api(staff), method)(f"enrollments/{pk}/")
        assert response.status_code == 404
        assert "whole numbers" in response.json()["detail"]


def test_staff_cannot_end_someone_elses_enrollment_but_support_can(api, staff, support, learner, flag):
    enrollment_id = api(support).post("enrollments/", body(user="learner")).json()["id"]
    response = api(staff).delete(f"enrollments/{enrollment_id}/")
    assert response.status_code == 403
    assert "enroll_others" in response.json()["detail"]
    assert Enrollment.objects.get().state == "live"
    assert api(support).delete(f"enrollments/{enrollment_id}/").status_code == 200
    assert active_for(learner) is False


# --- GET -----------------------------------------------------------------------------------------


def test_list_filters_and_scope(api, staff, support, learner, flag):
    other = Flag.objects.create(name="enterprise.other")
    api(support).post("enrollments/", body(user="learner"))
    mine = api(staff).post("enrollments/", body(flag="enterprise.other")).json()["id"]
    api(staff).delete(f"enrollments/{mine}/")
    api(staff).post("enrollments/", body(flag="enterprise.other"))

    # staff sees only their own
    data = api(staff).get("enrollments/").json()
    assert data["count"] == 2 and {e["user"]["username"] for e in data["results"]} == {"staff"}
    assert api(staff).get("enrollments/", state="live").json()["count"] == 1
    assert api(staff).get("enrollments/", state="ended").json()["results"][0]["id"] == mine
    assert api(staff).get("enrollments/", user="staff").json()["count"] == 2
    assert api(staff).get("enrollments/", user="learner").status_code == 403

    # support sees everyone's, and can filter
    assert api(support).get("enrollments/").json()["count"] == 3
    assert api(support).get("enrollments/", user="learner").json()["count"] == 1
    assert api(support).get("enrollments/", flag="enterprise.other").json()["count"] == 2
    assert api(support).get("enrollments/", flag=other.name, state="live").json()["count"] == 1
    paged = api(support).get("enrollments/", limit=2, offset=2).json()
    assert (paged["count"], len(paged["results"]), paged["limit"], paged["offset"]) == (3, 1, 2, 2)


@pytest.mark.parametrize(
    "params, status",
    [
        ({"state": "open"}, 400),
        ({"limit": "0"}, 400),
        ({"limit": "201"}, 400),
        ({"limit": "ten"}, 400),
        ({"offset": "-1"}, 400),
        ({"colour": "blue"}, 400),
        ({"user": "nobody"}, 404),
    ],
)
def test_list_bad_parameters(api, support, params, status):
    response = api(support).get("enrollments/", **params)
    assert response.status_code == status
    assert response.json()["detail"]


def test_detail_includes_audit(api, staff, support, flag):
    enrollment_id = api(staff).post("enrollments/", body()).json()["id"]
    api(staff).delete(f"enrollments/{enrollment_id}/")
    data = api(staff).get(f"enrollments/{enrollment_id}/").json()
    assert [a["action"] for a in data["audit"]] == ["enrolled", "revoked"]
    assert [a["membership"] for a in data["audit"]] == ["added", "removed"]
    assert api(support).get(f"enrollments/{enrollment_id}/").status_code == 200
    assert api(staff).get("enrollments/12345/").status_code == 404
