"""Looking at another user's flags: GET flags/?user=, users/?q=, lookups/, GET flags/?q= and who may."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.models import AppendOnlyError, UserLookup

from .conftest import API, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_readonly(django_user_model):
    return make_user(django_user_model, "support_readonly", staff=True, perms=["view_others"])


def by_name(response):
    assert response.status_code == 200, response.content
    return {f["name"]: f for f in response.json()["flags"]}


# ---- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["flags/?user=learner", "users/?q=lea", "lookups/"])
def test_staff_without_view_others_gets_403_with_a_sentence(api, staff, learner, path):
    response = api(staff).client.get(API + path)
    assert response.status_code == 403, response.content
    assert "view_others" in response.json()["detail"]
    assert not UserLookup.objects.exists()


@pytest.mark.parametrize("path", ["flags/?user=learner", "users/?q=lea", "lookups/"])
def test_a_learner_gets_403_and_an_anonymous_caller_401(api, learner, path):
    assert api(learner).client.get(API + path).status_code == 403
    assert client_for(None).get(API + path).status_code == 401


@pytest.mark.parametrize("who", ["support", "support_readonly", "superuser"])
def test_view_others_enroll_others_and_superusers_may_look(api, learner, who, request):
    caller = request.getfixturevalue(who)
    data = api(caller).get("flags/", user="learner").json()
    assert data["subject"]["username"] == "learner"
    assert data["user"]["username"] == caller.username
    assert data["permissions"]["can_view_others"] is True


def test_view_others_alone_does_not_let_one_enroll_others(api, support_readonly, learner):
    Flag.objects.create(name="enterprise.x")
    permissions = api(support_readonly).get("flags/").json()["permissions"]
    assert permissions["can_view_others"] is True and permissions["can_enroll_others"] is False
    response = api(support_readonly).post(
        "enrollments/", {"flag": "enterprise.x", "user": "learner", "duration": 60, "reason": "r"}
    )
    assert response.status_code == 403


# ---- ?user= -------------------------------------------------------------------------------------


def test_the_subject_block_and_the_per_flag_parts_describe_the_subject(api, support, learner, django_user_model):
    beta = Group.objects.create(name="beta")
    plugin_group = Group.objects.create(name="waffle-customer:8d7a4a5e-5f4c-4b8e-9f0a-2b1c3d4e5f60")
    learner.groups.add(beta, plugin_group)
    listed = Flag.objects.create(name="enterprise.listed", superusers=False)
    listed.users.add(learner)
    grouped = Flag.objects.create(name="enterprise.grouped", superusers=False)
    grouped.groups.add(beta, plugin_group)
    enrolled = Flag.objects.create(name="enterprise.enrolled", superusers=False)
    enrollment = services.enroll(
        flag_name=enrolled.name, user=learner, actor=support, reason="t", expires_at=timezone.now() + timedelta(hours=1)
    )
    Flag.objects.create(name="enterprise.staff", staff=True, superusers=False)

    data = api(support).get("flags/", user="learner@example.com").json()
    assert data["subject"] == {
        "id": learner.pk,
        "username": "learner",
        "email": "learner@example.com",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "enterprise_customers": [],
    }
    flags = {f["name"]: f for f in data["flags"]}
    assert flags["enterprise.listed"]["me"] == {"listed": True, "groups": [], "customers": []}
    assert flags["enterprise.listed"]["active_for_me"] is True
    # Plugin-owned customer groups are neither the subject's groups nor the flag's.
    assert flags["enterprise.grouped"]["me"] == {"listed": False, "groups": ["beta"], "customers": []}
    assert flags["enterprise.grouped"]["criteria"]["groups"] == ["beta"]
    assert flags["enterprise.grouped"]["criteria"]["customers"] == []
    assert flags["enterprise.grouped"]["active_for_me"] is True
    assert flags["enterprise.enrolled"]["my_enrollment"]["id"] == enrollment.pk
    assert flags["enterprise.enrolled"]["my_enrollment"]["user"]["username"] == "learner"
    assert flags["enterprise.staff"]["active_for_me"] is False  # learner is not staff; support is


def test_the_subject_is_evaluated_without_the_callers_cookies_or_query(api, support, learner):
    Flag.objects.create(name="enterprise.t", testing=True, superusers=False)
    Flag.objects.create(name="enterprise.p", percent=Decimal("50"), superusers=False)
    Flag.objects.create(name="enterprise.pt", percent=Decimal("99.9"), testing=True, superusers=False)
    client = client_for(support)
    client.cookies["dwft_enterprise.t"] = "True"
    client.cookies["dwf_enterprise.p"] = "True"
    mine = by_name(client.get(API + "flags/"))
    assert mine["enterprise.t"]["active_for_me"] is True and mine["enterprise.p"]["active_for_me"] is True
    theirs = by_name(client.get(API + "flags/", {"user": "learner", "dwft_enterprise.pt": "1"}))
    assert theirs["enterprise.t"]["active_for_me"] is False  # testing: off without their cookie
    assert theirs["enterprise.p"]["active_for_me"] is None  # percent: undecided, never a roll
    assert theirs["enterprise.pt"]["active_for_me"] is None
    response = client.get(API + "flags/", {"user": "learner"})
    assert not [c for c in response.cookies if c.startswith("dwf")]


def test_user_combines_with_names_and_q(api, support, learner):
    for name in ("enterprise.a", "enterprise.b", "lms.c"):
        Flag.objects.create(name=name, superusers=False)
    caller = api(support)
    assert list(by_name(caller.get("flags/", user="learner", names="enterprise.b,lms.c"))) == ["enterprise.b", "lms.c"]
    data = caller.get("flags/", user="learner", q="ENTER").json()
    assert [f["name"] for f in data["flags"]] == ["enterprise.a", "enterprise.b"] and data["truncated"] is False


def test_unknown_user_is_404_with_a_sentence(api, support):
    response = api(support).get("flags/", user="nobody@example.com")
    assert response.status_code == 404
    assert "nobody@example.com" in response.json()["detail"]
    assert not UserLookup.objects.exists()


@pytest.mark.parametrize(
    "query, words",
    [
        ({"user": ""}, "user is empty"),
        ({"user": "x" * 255}, "at most 254"),
        ({"user": "learner\n"}, "control character"),
        ({"user": ["learner", "learner2"]}, "user once"),
        ({"user": "learner", "from_url": "https://x/" + "a" * 500}, "from_url"),
    ],
)
def test_a_malformed_user_is_400_and_writes_nothing(api, support, learner, learner2, query, words):
    response = api(support).client.get(API + "flags/", query)
    assert response.status_code == 400, response.content
    assert words in response.json()["detail"]
    assert not UserLookup.objects.exists()


def test_each_lookup_writes_one_append_only_row(api, support, learner):
    url = "http://localhost:8734/test-enterprise?<script>"
    api(support).get("flags/", user="learner", from_url=url)
    api(support).get("flags/")  # one's own flags: no lookup
    (lookup,) = UserLookup.objects.all()
    assert (lookup.viewer, lookup.subject, lookup.from_url) == (support, learner, url)
    assert (lookup.viewer_username, lookup.subject_username) == ("support", "learner")
    with pytest.raises(AppendOnlyError):
        lookup.save()
    with pytest.raises(AppendOnlyError):
        UserLookup.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        UserLookup.objects.update(from_url="")


def test_a_lookup_outlives_both_users(api, support, learner):
    api(support).get("flags/", user="learner")
    learner.delete()
    support.delete()
    lookup = UserLookup.objects.get()
    assert (lookup.viewer, lookup.subject, lookup.viewer_username, lookup.subject_username) == (
        None,
        None,
        "support",
        "learner",
    )


def test_lookups_lists_the_callers_own_newest_first(api, support, support_readonly, learner, learner2):
    api(support).get("flags/", user="learner", from_url="https://portal/a")
    api(support).get("flags/", user="learner2@example.com")
    api(support_readonly).get("flags/", user="learner")
    results = api(support).get("lookups/").json()["results"]
    assert [r["subject"]["username"] for r in results] == ["learner2", "learner"]
    assert results[1]["from_url"] == "https://portal/a" and results[0]["from_url"] == ""
    assert set(results[0]) == {"id", "at", "subject", "from_url"}
    assert results[0]["subject"] == {"id": learner2.pk, "username": "learner2", "email": "learner2@example.com"}
    assert len(api(support).get("lookups/", limit=1).json()["results"]) == 1
    assert api(support).get("lookups/", limit=0).status_code == 400
    assert api(support).get("lookups/", limit="x").status_code == 400


# ---- users/?q= ----------------------------------------------------------------------------------


def test_user_search_by_username_or_email_prefix(api, support, django_user_model):
    for name in ("alice", "Albert", "bob"):
        make_user(django_user_model, name)
    make_user(django_user_model, "alfred", active=False)
    carol = make_user(django_user_model, "carol")
    carol.email = "ALpha@example.com"
    carol.save()
    results = api(support).get("users/", q="al").json()["results"]
    assert [r["username"] for r in results] == ["Albert", "alice", "carol"]
    assert set(results[0]) == {"id", "username", "email"}
    assert [r["username"] for r in api(support).get("users/", q="bob@ex").json()["results"]] == ["bob"]


def test_user_search_answers_at_most_ten(api, support, django_user_model):
    for i in range(15):
        make_user(django_user_model, f"learner{i:02d}")
    results = api(support).get("users/", q="learner").json()["results"]
    assert [r["username"] for r in results] == [f"learner{i:02d}" for i in range(10)]


@pytest.mark.parametrize("query", [{}, {"q": "a"}, {"q": "x" * 255}, {"q": ["ab", "cd"]}])
def test_user_search_refuses_a_short_or_long_q(api, support, query):
    response = api(support).client.get(API + "users/", query)
    assert response.status_code == 400
    assert "q" in response.json()["detail"]


def test_user_search_is_not_audited(api, support, learner):
    api(support).get("users/", q="lea")
    assert not UserLookup.objects.exists()


# ---- flags/?q= ----------------------------------------------------------------------------------


def test_q_is_a_case_insensitive_substring_search_of_at_most_50(api, staff):
    for i in range(60):
        Flag.objects.create(name=f"enterprise.Search_{i:02d}")
    Flag.objects.create(name="lms.other")
    caller = api(staff)
    data = caller.get("flags/", q="search_").json()
    assert [f["name"] for f in data["flags"]] == [f"enterprise.Search_{i:02d}" for i in range(50)]
    assert data["truncated"] is True
    data = caller.get("flags/", q="RCH_5").json()
    assert [f["name"] for f in data["flags"]] == [f"enterprise.Search_{i}" for i in range(50, 60)]
    assert data["truncated"] is False
    assert caller.get("flags/", q="%").json()["flags"] == []  # a literal character, not a pattern
    assert "truncated" not in caller.get("flags/").json()


def test_q_never_shows_a_hidden_flag(api, staff, settings):
    settings.WAFFLE_ENROLLMENTS = {"VISIBLE_FLAGS": ["enterprise.*"]}
    Flag.objects.create(name="enterprise.x")
    Flag.objects.create(name="lms.x")
    assert [f["name"] for f in api(staff).get("flags/", q="x").json()["flags"]] == ["enterprise.x"]


@pytest.mark.parametrize(
    "query, words",
    [
        ({"q": ""}, "1 to 100"),
        ({"q": "x" * 101}, "1 to 100"),
        ({"q": "a\x00"}, "control character"),
        ({"q": ["a", "b"]}, "q once"),
        ({"q": "a", "names": "enterprise.a"}, "not both"),
    ],
)
def test_q_refuses_malformed_values(api, staff, query, words):
    response = api(staff).client.get(API + "flags/", query)
    assert response.status_code == 400
    assert words in response.json()["detail"]


# ---- query counts: constant in the number of flags ----------------------------------------------


def _seed(n, users, group):
    shapes = [
        dict(percent=Decimal("50")),
        dict(staff=True),
        dict(authenticated=True),
        dict(testing=True),
        dict(),
        dict(everyone=True),
        dict(languages="fr"),
    ]
    for i in range(n):
        flag = Flag.objects.create(name=f"enterprise.c{len(Flag.objects.all()):03d}", superusers=False, **shapes[i % 7])
        if i % 3 == 0:
            flag.groups.add(group)
        if i % 4 == 0:
            flag.users.add(*users)
        if i % 5 == 0:
            services.enroll(
                flag_name=flag.name,
                user=users[0],
                actor=users[0],
                reason="t",
                expires_at=timezone.now() + timedelta(hours=1),
            )


@pytest.mark.parametrize(
    "query",
    [
        lambda names: {"names": ",".join(names)},
        lambda names: {"q": "enterprise.c"},
        lambda names: {"user": "learner", "names": ",".join(names)},
        lambda names: {"user": "learner", "q": "c0"},
    ],
    ids=["names", "q", "user+names", "user+q"],
)
def test_queries_are_constant_in_the_number_of_flags(support, learner, query):
    group = Group.objects.create(name="beta")
    learner.groups.add(group)
    support.groups.add(group)
    client = client_for(support)
    counts = []
    for n in (5, 40):
        _seed(n - Flag.objects.count(), [learner, support], group)
        names = list(Flag.objects.values_list("name", flat=True))
        params = query(names)
        assert len(by_name(client.get(API + "flags/", params))) == n  # fills waffle's cache, as the LMS does
        with CaptureQueriesContext(connection) as queries:
            assert len(by_name(client.get(API + "flags/", params))) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
