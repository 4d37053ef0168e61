"""Customer enrollments: a flag on for every learner linked to an enterprise customer, through the
plugin's group in waffle's Flag.groups; the API, the group's exactness, expiry, revoke and resync."""

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import customer_services, services
from waffle_enrollments.customer_models import CustomerAuditEntry, CustomerEnrollment, customer_group_name
from waffle_enrollments.models import AppendOnlyError, AuditEntry, Enrollment

from .conftest import make_user
from .customers import active_for, customer, enroll_customer, group_of, link, make_due, member_ids

FLAG = "enterprise.pilot"


@pytest.fixture
def flag(db):
    return Flag.objects.create(name=FLAG, superusers=False)


@pytest.fixture
def qa(django_user_model):
    return make_user(django_user_model, "qa", staff=True, perms=["enroll_customers"])


@pytest.fixture
def world(django_user_model, learner, learner2):
    """Test Enterprise: learner, learner2, an unlinked row and an inactive account; Second: learner2, learner3."""
    x, y = customer("test-enterprise", "Test Enterprise"), customer("second-enterprise", "Second Enterprise")
    learner3 = make_user(django_user_model, "learner3")
    gone = make_user(django_user_model, "gone")
    inactive = make_user(django_user_model, "inactive", active=False)
    link(learner, x)
    link(learner2, x)
    link(learner2, y)
    link(learner3, y)
    link(gone, x, linked=False)
    link(inactive, x)
    return dict(x=x, y=y, learner=learner, learner2=learner2, learner3=learner3, gone=gone, inactive=inactive)


def body(**overrides):
    return {"flag": FLAG, "enterprise_customer": "test-enterprise", "duration": 3600, "reason": "pilot", **overrides}


# ---- the whole story through the API ---------------------------------------------------------------


def test_enable_for_a_customer_turns_the_flag_on_for_its_learners_only(api, qa, staff, flag, world):
    before = Group.objects.create(name="beta-testers")
    flag.groups.add(before)
    flag.users.add(staff)
    assert [active_for(world[k], FLAG) for k in ("learner", "learner2", "learner3")] == [False, False, False]

    response = api(qa).post("customer-enrollments/", body())
    assert response.status_code == 201, response.content
    data = response.json()
    x = world["x"]
    assert data["enterprise_customer"] == {"uuid": str(x.uuid), "name": "Test Enterprise", "slug": "test-enterprise"}
    assert (data["flag"], data["learner_count"], data["state"], data["created_by"]["username"]) == (
        FLAG,
        2,
        "live",
        "qa",
    )
    assert member_ids(x) == {world["learner"].pk, world["learner2"].pk}  # not the unlinked nor the inactive
    assert set(flag.groups.values_list("name", flat=True)) == {"beta-testers", customer_group_name(x.uuid)}
    assert active_for(world["learner"], FLAG) is True
    assert active_for(world["learner2"], FLAG) is True  # linked to both customers
    assert active_for(world["learner3"], FLAG) is False  # of Second Enterprise only
    assert active_for(staff, FLAG) is True  # as before: listed in Flag.users
    assert active_for(qa, FLAG) is False  # as before: not linked

    revoked = api(qa).delete(f"customer-enrollments/{data['id']}/")
    assert revoked.status_code == 200, revoked.content
    assert (revoked.json()["state"], revoked.json()["end_reason"], revoked.json()["group"]) == (
        "ended",
        "revoked",
        "deleted",
    )
    assert list(flag.groups.values_list("name", flat=True)) == ["beta-testers"]
    assert list(flag.users.all()) == [staff]
    assert group_of(x) is None
    assert [active_for(world[k], FLAG) for k in ("learner", "learner2", "learner3")] == [False, False, False]
    assert active_for(staff, FLAG) is True

    detail = api(qa).get(f"customer-enrollments/{data['id']}/").json()
    assert [
        (a["action"], a["learner_count"], a["learners_added"], a["learners_removed"], a["group"])
        for a in detail["audit"]
    ] == [("enrolled", 2, 2, 0, "created"), ("revoked", 0, 0, 2, "deleted")]
    assert detail["audit"][1]["actor"] == "qa"


def test_customer_named_by_uuid_and_learner_count_endpoint(api, qa, flag, world):
    x = world["x"]
    assert api(qa).get("enterprise-customers/test-enterprise/").json() == {
        "uuid": str(x.uuid),
        "name": "Test Enterprise",
        "slug": "test-enterprise",
        "learner_count": 2,
        "max_duration_seconds": 3 * 86400,
        "default_duration_seconds": 8 * 3600,
    }
    assert api(qa).get(f"enterprise-customers/{x.uuid}/").json()["slug"] == "test-enterprise"
    assert api(qa).get(f"enterprise-customers/{str(x.uuid).upper()}/").json()["slug"] == "test-enterprise"
    missing = api(qa).get("enterprise-customers/nobody/")
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]
    response = api(qa).post("customer-enrollments/", body(enterprise_customer=str(x.uuid)))
    assert response.status_code == 201
    assert response.json()["enterprise_customer"]["slug"] == "test-enterprise"


def test_list_filters_and_pages(api, qa, flag, world):
    Flag.objects.create(name="enterprise.other")
    first = api(qa).post("customer-enrollments/", body()).json()
    api(qa).post("customer-enrollments/", body(enterprise_customer="second-enterprise"))
    api(qa).post("customer-enrollments/", body(flag="enterprise.other"))
    api(qa).delete(f"customer-enrollments/{first['id']}/")
    everything = api(qa).get("customer-enrollments/").json()
    assert (everything["count"], everything["limit"], everything["offset"]) == (3, 50, 0)
    assert [e["id"] for e in everything["results"]] == sorted((e["id"] for e in everything["results"]), reverse=True)
    assert api(qa).get("customer-enrollments/", state="live").json()["count"] == 2
    assert [e["id"] for e in api(qa).get("customer-enrollments/", state="ended").json()["results"]] == [first["id"]]
    assert api(qa).get("customer-enrollments/", flag=FLAG).json()["count"] == 2
    by_customer = api(qa).get("customer-enrollments/", enterprise_customer="second-enterprise").json()
    assert [e["enterprise_customer"]["slug"] for e in by_customer["results"]] == ["second-enterprise"]
    assert len(api(qa).get("customer-enrollments/", limit="1", offset="1").json()["results"]) == 1
    for params, words in (
        ({"state": "soon"}, "state must be live, ended or all"),
        ({"limit": "0"}, "limit must be a whole number between 1 and 200"),
        ({"user": "x"}, "Unknown query parameter(s): user"),
    ):
        response = api(qa).get("customer-enrollments/", **params)
        assert response.status_code == 400 and words in response.json()["detail"], response.content


def test_one_group_serves_every_flag_of_a_customer(api, qa, flag, world):
    other = Flag.objects.create(name="enterprise.other")
    one = api(qa).post("customer-enrollments/", body()).json()
    two = api(qa).post("customer-enrollments/", body(flag="enterprise.other")).json()
    group = group_of(world["x"])
    assert list(other.groups.all()) == [group] and list(flag.groups.all()) == [group]
    assert api(qa).delete(f"customer-enrollments/{one['id']}/").json()["group"] == "removed_from_flag"
    assert group_of(world["x"]) == group and list(flag.groups.all()) == []
    assert active_for(world["learner"], FLAG) is False
    assert active_for(world["learner"], "enterprise.other") is True
    assert api(qa).delete(f"customer-enrollments/{two['id']}/").json()["group"] == "deleted"
    assert group_of(world["x"]) is None and list(other.groups.all()) == []


# ---- refusals ---------------------------------------------------------------------------------------


def test_who_may(api, qa, staff, support, superuser, flag, world):
    for user in (staff, support, world["learner"]):
        for response in (
            api(user).post("customer-enrollments/", body()),
            api(user).get("customer-enrollments/"),
            api(user).get("enterprise-customers/test-enterprise/"),
        ):
            assert response.status_code == 403, response.content
            assert "enroll_customers" in response.json()["detail"]
    assert api(superuser).get("enterprise-customers/test-enterprise/").status_code == 200
    anonymous = api(None).post("customer-enrollments/", body())
    assert anonymous.status_code == 401 and "Sign in" in anonymous.json()["detail"]
    assert CustomerEnrollment.objects.count() == 0


@pytest.mark.parametrize(
    "payload, field, words",
    [
        (body(reason=""), "reason", "Must not be blank"),
        ({k: v for k, v in body().items() if k != "reason"}, "reason", "required"),
        ({k: v for k, v in body().items() if k != "enterprise_customer"}, "enterprise_customer", "uuid or slug"),
        (body(enterprise_customer=7), "enterprise_customer", "Must be a string"),
        (body(duration=3 * 86400 + 1), "duration", "at most 259200 seconds"),
        (body(duration=-5), "duration", "more than 0"),
        (body(duration="1h"), "duration", "whole number"),
        (body(expires_at="2030-01-01T00:00:00", duration=None), "expires_at", "time zone"),
        (body(expires_at="2020-01-01T00:00:00Z", duration=None), "expires_at", "future"),
        (body(expires_at="2099-01-01T00:00:00Z"), "duration", "either duration or expires_at"),
        (body(user="learner"), "user", "Unknown field"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, qa, flag, world, payload, field, words):
    response = api(qa).post("customer-enrollments/", payload)
    assert response.status_code == 400, response.content
    assert words in response.json()["errors"][field]
    assert CustomerEnrollment.objects.count() == 0 and group_of(world["x"]) is None


@pytest.mark.parametrize("raw", ["[]", '"x"', "null"])
def test_body_that_is_not_an_object_is_400(api, qa, flag, world, raw):
    response = api(qa).post("customer-enrollments/", raw)
    assert response.status_code == 400 and "JSON object" in response.json()["detail"]


def test_conflicts_and_missing_things(api, qa, flag, world):
    Flag.objects.create(name="enterprise.forced_on", everyone=True)
    Flag.objects.create(name="enterprise.forced_off", everyone=False)
    Flag.objects.create(name="lms.outside")
    first = api(qa).post("customer-enrollments/", body()).json()
    again = api(qa).post("customer-enrollments/", body())
    assert again.status_code == 409 and again.json()["customer_enrollment_id"] == first["id"]
    assert "already has a live enrollment" in again.json()["detail"]
    for name, status, words in (
        ("enterprise.forced_on", 409, "Everyone set to Yes"),
        ("enterprise.forced_off", 409, "Everyone set to No"),
        ("enterprise.missing", 404, "No Waffle flag is named"),
        ("lms.outside", 403, "outside the enrollment policy"),
    ):
        response = api(qa).post("customer-enrollments/", body(flag=name))
        assert response.status_code == status and words in response.json()["detail"], response.content
    unknown = api(qa).post("customer-enrollments/", body(enterprise_customer="nobody"))
    assert unknown.status_code == 404 and "No enterprise customer" in unknown.json()["detail"]
    assert api(qa).delete(f"customer-enrollments/{first['id']}/").status_code == 200
    twice = api(qa).delete(f"customer-enrollments/{first['id']}/")
    assert twice.status_code == 409 and "already ended" in twice.json()["detail"]
    assert api(qa).delete("customer-enrollments/999999/").status_code == 404
    assert api(qa).get("customer-enrollments/abc/").status_code == 404
    for pk in ("\u00b2", "\u0663"):  # digits to str.isdigit(), not to int() or to us
        other = api(qa).get(f"customer-enrollments/{pk}/")
        assert other.status_code == 404 and "whole numbers" in other.json()["detail"]
    assert api(qa).get("customer-enrollments/?limit=\u00b2").status_code == 400
    assert CustomerEnrollment.objects.count() == 1
    assert CustomerAuditEntry.objects.count() == 2


@override_settings(WAFFLE_ENROLLMENTS={"MAX_CUSTOMER_DURATION": 600, "DEFAULT_DURATION": 3600})
def test_longest_and_default_duration_come_from_settings(api, qa, flag, world):
    too_long = api(qa).post("customer-enrollments/", body(duration=601))
    assert too_long.status_code == 400 and "at most 600 seconds" in too_long.json()["detail"]
    data = api(qa).post("customer-enrollments/", body(duration=None)).json()
    enrollment = CustomerEnrollment.objects.get(pk=data["id"])
    assert timedelta(seconds=590) < enrollment.expires_at - enrollment.created_at <= timedelta(seconds=600)


@override_settings(WAFFLE_ENROLLMENTS={"MAX_CUSTOMER_DURATION": "3 days"})
def test_a_bad_max_customer_duration_is_reported_by_the_system_check():
    errors = [e for e in checks.run_checks() if e.id == "waffle_enrollments.E001"]
    assert errors and "MAX_CUSTOMER_DURATION" in errors[0].msg


# ---- expiry ----------------------------------------------------------------------------------------


def test_expiry_by_command_leaves_flag_groups_as_before(qa, flag, world, staff):
    before = Group.objects.create(name="beta-testers")
    flag.groups.add(before)
    enrollment = enroll_customer(FLAG, world["x"], qa)
    assert active_for(world["learner"], FLAG) is True
    make_due(enrollment)
    out = StringIO()
    call_command("expire_waffle_enrollments", stdout=out)
    assert "Expired 1 customer enrollment(s)." in out.getvalue()
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.end_reason, enrollment.ended_by) == ("ended", "expired", None)
    assert list(flag.groups.all()) == [before]
    assert group_of(world["x"]) is None
    assert active_for(world["learner"], FLAG) is False
    entry = CustomerAuditEntry.objects.get(action="expired")
    assert (entry.actor, entry.learner_count, entry.learners_removed, entry.group) == (None, 0, 2, "deleted")


def test_expiry_sweep_runs_on_an_api_call(api, qa, flag, world):
    enrollment = enroll_customer(FLAG, world["x"], qa)
    make_due(enrollment)
    assert api(qa).get("customer-enrollments/", state="live").json()["count"] == 0
    assert group_of(world["x"]) is None and list(flag.groups.all()) == []


def test_individual_enrollments_and_flag_users_survive_a_customer_enrollment(qa, support, flag, world, staff):
    flag.users.add(staff)
    individual = services.enroll(
        flag_name=FLAG, user=world["learner"], actor=support, reason="t", expires_at=timezone.now() + timedelta(hours=1)
    )
    enrollment = enroll_customer(FLAG, world["x"], qa)
    customer_services.revoke_customer(enrollment.pk, actor=qa)
    assert set(flag.users.values_list("username", flat=True)) == {"staff", "learner"}
    assert Enrollment.objects.get(pk=individual.pk).state == "live"
    assert active_for(world["learner"], FLAG) is True  # still through the individual enrollment


# ---- the group follows links and accounts ----------------------------------------------------------


def test_learners_linked_unlinked_or_deactivated_meanwhile_join_or_leave(qa, flag, world, django_user_model):
    x = world["x"]
    enroll_customer(FLAG, x, qa)
    newcomer = make_user(django_user_model, "newcomer")
    row = link(newcomer, x)
    assert newcomer.pk in member_ids(x) and active_for(newcomer, FLAG) is True
    row.linked = False
    row.save()
    assert newcomer.pk not in member_ids(x) and active_for(newcomer, FLAG) is False
    link(world["gone"], x, linked=True)  # relinked
    assert world["gone"].pk in member_ids(x)
    world["learner"].is_active = False
    world["learner"].save()
    assert world["learner"].pk not in member_ids(x)
    world["learner"].is_active = True
    world["learner"].save(update_fields=["is_active"])
    assert world["learner"].pk in member_ids(x)
    from enterprise_standin.models import EnterpriseCustomerUser

    EnterpriseCustomerUser.objects.get(enterprise_customer=x, user_id=world["learner2"].pk).delete()
    assert member_ids(x) == {world["learner"].pk, world["gone"].pk}
    link(newcomer, world["y"])  # Second Enterprise has no live enrollment: no group appears
    assert group_of(world["y"]) is None


def test_resync_repairs_what_changed_without_a_signal_and_says_so(qa, flag, world, django_user_model):
    from enterprise_standin.models import EnterpriseCustomerUser

    x = world["x"]
    enrollment = enroll_customer(FLAG, x, qa)
    EnterpriseCustomerUser.objects.filter(user_id=world["learner"].pk).update(linked=False)  # no signal
    quiet = make_user(django_user_model, "quiet")
    EnterpriseCustomerUser.objects.bulk_create([EnterpriseCustomerUser(enterprise_customer=x, user_id=quiet.pk)])
    flag.groups.clear()  # by hand, in a shell: no m2m post_remove
    stray = Flag.objects.create(name="enterprise.stray")
    stray.groups.add(group_of(x))
    orphan = Group.objects.create(name=customer_group_name(uuid.uuid4()))
    orphan.user_set.add(world["learner3"])
    assert active_for(world["learner2"], FLAG) is False  # the drift: the flag lost the group

    out = StringIO()
    call_command("resync_customer_enrollments", stdout=out)
    text = out.getvalue()
    assert "test-enterprise" in text and "1 learner(s) added to and 1 removed" in text, text
    assert f"group put back in {FLAG}" in text and "group taken out of enterprise.stray" in text, text
    assert "group deleted (no live enrollment)" in text and "2 repaired" in text, text
    assert member_ids(x) == {world["learner2"].pk, quiet.pk}
    assert list(flag.groups.all()) == [group_of(x)] and list(stray.groups.all()) == []
    assert not Group.objects.filter(pk=orphan.pk).exists()
    assert active_for(quiet, FLAG) is True and active_for(world["learner"], FLAG) is False
    repaired = CustomerAuditEntry.objects.filter(action="resynced", customer_enrollment=enrollment).get()
    assert (repaired.learners_added, repaired.learners_removed, repaired.learner_count) == (1, 1, 2)
    out = StringIO()
    call_command("resync_customer_enrollments", stdout=out)
    assert "0 repaired" in out.getvalue()
    assert CustomerAuditEntry.objects.filter(action="resynced").count() == 2


def test_customer_audit_entries_are_append_only(qa, flag, world):
    enroll_customer(FLAG, world["x"], qa)
    entry = CustomerAuditEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        CustomerAuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        CustomerAuditEntry.objects.update(reason="x")
    assert AuditEntry.objects.count() == 0


# ---- the devstack's seed ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_gives_staff_enroll_customers_and_a_learner_of_second_enterprise_only(django_user_model):
    from django.apps import apps

    from waffle_enrollments import customer_directory

    call_command("seed_devstack", verbosity=0)
    assert apps.get_app_config("enterprise").name == "enterprise_standin"
    users = {u.username: u for u in django_user_model.objects.all()}
    assert users["staff"].has_perm("waffle_enrollments.enroll_customers")
    assert not users["support"].has_perm("waffle_enrollments.enroll_customers")

    def slugs(username):
        return [c.slug for c in customer_directory.customers_of(users[username])]

    assert slugs("learner3") == ["second-enterprise"]
    assert slugs("learner2") == ["second-enterprise", "test-enterprise"]
    assert slugs("learner") == ["test-enterprise"]
    assert customer_directory.find_customer("test-enterprise").name == "Test Enterprise"
    assert customer_directory.learner_count(customer_directory.find_customer("second-enterprise").uuid) == 2


# ---- what GET flags/ says of customers ---------------------------------------------------------------


def test_customers_of_flags_for_a_subject(qa, flag, world, django_assert_max_num_queries):
    from waffle_enrollments.customer_reading import read_customers_of_flags

    other = Flag.objects.create(name="enterprise.other")
    on_x = enroll_customer(FLAG, world["x"], qa)
    enroll_customer(FLAG, world["y"], qa)
    with django_assert_max_num_queries(2):
        seen = read_customers_of_flags(world["learner3"], [flag.pk, other.pk])
    x, y = world["x"], world["y"]
    ref = {c.slug: {"uuid": str(c.uuid), "name": c.name, "slug": c.slug} for c in (x, y)}
    assert seen.of_subject == [{**ref["second-enterprise"], "active": True}]
    assert seen.by_flag == {flag.pk: [ref["second-enterprise"], ref["test-enterprise"]]}
    assert [e["enterprise_customer"]["slug"] for e in seen.of_subject_by_flag[flag.pk]] == ["second-enterprise"]
    mine = read_customers_of_flags(world["learner"], [flag.pk, other.pk]).of_subject_by_flag
    assert mine == {
        flag.pk: [
            {
                "id": on_x.pk,
                "enterprise_customer": ref["test-enterprise"],
                "expires_at": on_x.expires_at.isoformat().replace("+00:00", "Z"),
            }
        ]
    }
    assert read_customers_of_flags(qa, [flag.pk]).of_subject_by_flag == {}


def test_get_flags_says_why_for_the_subject(api, qa, support, flag, world):
    beta = Group.objects.create(name="beta-testers")
    flag.groups.add(beta)
    enrollment = enroll_customer(FLAG, world["x"], qa)
    x, y = world["x"], world["y"]
    ref_x = {"uuid": str(x.uuid), "name": "Test Enterprise", "slug": "test-enterprise"}

    def seen(username):
        data = api(support).get("flags/", names=FLAG, user=username).json()
        return data, data["flags"][0]

    data, entry = seen("learner")
    assert entry["active_for_me"] is True
    assert entry["criteria"]["groups"] == ["beta-testers"]  # the plugin's group is shown as a customer
    assert entry["criteria"]["customers"] == [ref_x]
    assert entry["me"] == {
        "listed": False,
        "groups": [],
        "customers": [
            {
                "id": enrollment.pk,
                "enterprise_customer": ref_x,
                "expires_at": enrollment.expires_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }
    assert data["subject"]["enterprise_customers"] == [{**ref_x, "active": True}]
    data, entry = seen("learner3")
    assert entry["active_for_me"] is False and entry["me"]["customers"] == []
    assert [c["slug"] for c in data["subject"]["enterprise_customers"]] == ["second-enterprise"]
    data, entry = seen("learner2")
    assert entry["active_for_me"] is True and len(entry["me"]["customers"]) == 1
    assert [c["slug"] for c in data["subject"]["enterprise_customers"]] == [y.slug, x.slug]
    assert data["features"] == {"customer_enrollments": True}
    assert data["permissions"]["can_enroll_customers"] is False  # support
    assert api(qa).get("flags/", names=FLAG).json()["permissions"]["can_enroll_customers"] is True
