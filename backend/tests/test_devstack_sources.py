"""The devstack's other endpoints that carry ``enterprise_features``, and the BFF evaluating without cookies."""

import json

import pytest

from .test_devstack import BFF, csrf, features, jwt_only, seeded, sign_in  # noqa: F401 (seeded is a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

TESTING_KEY = "enterprise_edit_highlights_enabled"
TESTING_FLAG = "enterprise.edit_highlights_enabled"


def test_with_access_to_lists_customers_with_the_map():
    staff, _ = sign_in("staff")
    path = "/enterprise/api/v1/enterprise-customer/with_access_to/"
    body = staff.get(path, {"permissions": "enterprise_data_api_access", "enterprise_slug": "test-enterprise"}).json()
    assert [c["slug"] for c in body["results"]] == ["test-enterprise"]
    assert body["enterprise_features"]["enterprise_customer_support_tool"] is True
    response = staff.get(path)
    assert response.status_code == 400 and "permissions" in response.json()["detail"]
    admin, _ = sign_in("ent_admin")
    assert admin.get(path, {"permissions": "x", "enterprise_slug": "second-enterprise"}).json()["count"] == 0


def test_support_tool_is_staff_only_and_carries_the_map():
    staff, _ = sign_in("staff")
    path = "/enterprise/api/v1/enterprise-customer/support_tool/"
    body = staff.get(path).json()
    assert {c["slug"] for c in body["results"]} == {"test-enterprise", "second-enterprise"}
    assert "enterprise_features" in body
    learner, _ = sign_in("learner")
    assert learner.get(path).status_code == 403


@pytest.mark.parametrize("route", ["dashboard", "search", "academy", "skills-quiz"])
def test_every_learner_bff_route_answers_with_the_map(route):
    learner, _ = sign_in("learner")
    client = jwt_only(learner)
    token = csrf(client, **BFF)
    body = json.dumps({"enterprise_customer_slug": "test-enterprise"})
    response = client.post(
        f"/api/v1/bffs/learner/{route}/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token, **BFF
    )
    assert response.status_code == 200
    assert list(response.json())[-3:] == ["errors", "warnings", "enterprise_features"]


def test_the_bff_never_sees_the_browsers_testing_cookie_so_lms_and_bff_disagree():
    staff, _ = sign_in("staff")
    staff.cookies[f"dwft_{TESTING_FLAG}"] = "True"
    assert features(staff.get("/enterprise/api/v1/enterprise-learner/"))[TESTING_KEY] is True
    client = jwt_only(staff)
    client.cookies[f"dwft_{TESTING_FLAG}"] = "True"
    token = csrf(client, **BFF)
    body = json.dumps({"enterprise_customer_slug": "test-enterprise"})
    response = client.post(
        f"/api/v1/bffs/learner/dashboard/?dwft_{TESTING_FLAG}=1",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        **BFF,
    )
    assert response.status_code == 200
    assert response.json()["enterprise_features"][TESTING_KEY] is False
