"""GET flags/: criteria, waffle's answer for the caller, enrollability, permissions, query count."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from waffle import flag_is_active
from waffle.models import Flag

from .conftest import API, client_for, make_user

pytestmark = pytest.mark.django_db


def by_name(response):
    assert response.status_code == 200, response.content
    return {f["name"]: f for f in response.json()["flags"]}


def test_shape_and_criteria(api, staff):
    group = Group.objects.create(name="qa")
    flag = Flag.objects.create(
        name="enterprise.a",
        percent=Decimal("12.5"),
        testing=True,
        staff=False,
        superusers=False,
        authenticated=True,
        languages="en, fr",
        note="Used by X",
    )
    flag.groups.add(group)
    flag.users.add(make_user(staff.__class__, "u1"), make_user(staff.__class__, "u2"))
    data = api(staff).get("flags/").json()
    assert set(data) == {"user", "subject", "permissions", "features", "policy", "now", "flags"}
    assert data["user"]["username"] == "staff"
    assert data["subject"] == {
        "id": staff.pk,
        "username": "staff",
        "email": "staff@example.com",
        "is_active": True,
        "is_staff": True,
        "is_superuser": False,
        "enterprise_customers": [],
    }
    assert data["features"] == {"customer_enrollments": True}  # the suite has the edx-enterprise stand-in
    assert data["permissions"] == {
        "can_enroll_self": True,
        "can_enroll_others": False,
        "can_view_others": False,
        "can_enroll_customers": False,
    }
    assert data["policy"] == {
        "enrollable_patterns": ["enterprise.*"],
        "max_duration_seconds": 604800,
        "default_duration_seconds": 28800,
        "max_reason_length": 500,
    }
    (entry,) = data["flags"]
    assert entry["name"] == "enterprise.a" and entry["note"] == "Used by X"
    assert entry["criteria"] == {
        "everyone": None,
        "percent": 12.5,
        "testing": True,
        "superusers": False,
        "staff": False,
        "authenticated": True,
        "languages": ["en", "fr"],
        "rollout": False,
        "groups": ["qa"],
        "customers": [],
        "user_count": 2,
    }
    assert entry["active_for_me"] is True  # authenticated
    assert entry["enrollable"] is True and entry["not_enrollable_reason"] is None
    assert entry["my_enrollment"] is None
    assert entry["me"] == {"listed": False, "groups": [], "customers": []}


def test_me_says_listed_and_my_groups(api, staff):
    qa, other = Group.objects.create(name="qa"), Group.objects.create(name="other")
    staff.groups.add(qa)
    listed = Flag.objects.create(name="enterprise.listed")
    listed.users.add(staff)
    grouped = Flag.objects.create(name="enterprise.grouped")
    grouped.groups.add(qa, other)
    flags = by_name(api(staff).get("flags/"))
    assert flags["enterprise.listed"]["me"] == {"listed": True, "groups": [], "customers": []}
    assert flags["enterprise.listed"]["active_for_me"] is True
    assert flags["enterprise.grouped"]["me"] == {"listed": False, "groups": ["qa"], "customers": []}
    assert flags["enterprise.grouped"]["active_for_me"] is True


def test_permissions_block_for_support_and_superuser(api, support, superuser):
    every = {"can_enroll_self": True, "can_enroll_others": True, "can_view_others": True, "can_enroll_customers": False}
    assert api(support).get("flags/").json()["permissions"] == every
    assert api(superuser).get("flags/").json()["permissions"] == {**every, "can_enroll_customers": True}


def test_enrollable_and_reasons(api, staff):
    Flag.objects.create(name="enterprise.open")
    Flag.objects.create(name="enterprise.on", everyone=True)
    Flag.objects.create(name="enterprise.off", everyone=False)
    Flag.objects.create(name="lms.other")
    flags = by_name(api(staff).get("flags/"))
    assert flags["enterprise.open"]["enrollable"] is True
    assert (
        flags["enterprise.on"]["enrollable"] is False
        and "already on" in flags["enterprise.on"]["not_enrollable_reason"]
    )
    assert (
        flags["enterprise.off"]["enrollable"] is False
        and "Everyone set to No" in flags["enterprise.off"]["not_enrollable_reason"]
    )
    assert (
        flags["lms.other"]["enrollable"] is False
        and "outside the enrollment policy" in flags["lms.other"]["not_enrollable_reason"]
    )


@override_settings(WAFFLE_ENROLLMENTS={"VISIBLE_FLAGS": ["enterprise.*"]})
def test_visible_flags_setting(api, staff):
    Flag.objects.create(name="enterprise.x")
    Flag.objects.create(name="lms.y")
    assert list(by_name(api(staff).get("flags/"))) == ["enterprise.x"]


def test_my_enrollment_is_listed(api, staff):
    Flag.objects.create(name="enterprise.x")
    created = api(staff).post("enrollments/", {"flag": "enterprise.x", "duration": 60, "reason": "r"}).json()
    entry = by_name(api(staff).get("flags/"))["enterprise.x"]
    assert entry["my_enrollment"]["id"] == created["id"]
    assert entry["my_enrollment"]["state"] == "live"
    assert entry["active_for_me"] is True
    assert entry["criteria"]["user_count"] == 1


def _seed_varied(n, users, group):
    """n flags cycling through every kind of criterion (and several memberships)."""
    kinds = [
        dict(everyone=True),
        dict(everyone=False),
        dict(percent=Decimal("50")),
        dict(staff=True),
        dict(superusers=True),
        dict(authenticated=True),
        dict(testing=True),
        dict(languages="fr"),
        dict(),
    ]
    for i in range(n):
        flag = Flag.objects.create(name=f"enterprise.f{i:03d}", **{"superusers": False, **kinds[i % len(kinds)]})
        if i % 3 == 0:
            flag.groups.add(group)
        if i % 4 == 0:
            flag.users.add(*users)


def test_active_for_me_agrees_with_waffle_for_every_kind_of_user(django_user_model):
    group = Group.objects.create(name="beta")
    people = {
        "staff": make_user(django_user_model, "s", staff=True),
        "super": make_user(django_user_model, "root", staff=True, superuser=True),
        "support": make_user(django_user_model, "sup", staff=True, perms=["enroll_others"]),
    }
    grouped = make_user(django_user_model, "g", staff=True)
    grouped.groups.add(group)
    people["grouped"] = grouped
    _seed_varied(27, [people["staff"], people["support"]], group)
    factory = RequestFactory()
    for who, user in people.items():
        for cookies in ({}, {"dwf_enterprise.f002": "True", "dwft_enterprise.f006": "True"}):
            client = client_for(user)
            for name, value in cookies.items():
                client.cookies[name] = value
            flags = by_name(client.get(API + "flags/"))
            for name, entry in flags.items():
                request = factory.get("/")
                request.user = user
                request.COOKIES.update(cookies)
                expected = flag_is_active(request, name, read_only=True)
                assert entry["active_for_me"] == expected, (who, name, cookies)
    # a percent flag with no cookie yet is undecided, not a guess
    assert by_name(client_for(people["staff"]).get(API + "flags/"))["enterprise.f002"]["active_for_me"] is None


def test_flags_sets_no_waffle_cookies(api, staff):
    Flag.objects.create(name="enterprise.p", percent=Decimal("50"))
    Flag.objects.create(name="enterprise.t", testing=True)
    response = api(staff).client.get(API + "flags/", {"dwft_enterprise.t": "1"})
    assert not [c for c in response.cookies if c.startswith("dwf")]


def _warm(client, path):
    """One request first: waffle fills its cache of each flag's users and groups (as the LMS's own
    `flag_is_active` calls do in a running LMS), then the request is counted."""
    assert client.get(API + path).status_code == 200


def test_constant_number_of_queries(django_user_model, django_assert_num_queries):
    group = Group.objects.create(name="beta")
    user = make_user(django_user_model, "s", staff=True)
    user.groups.add(group)
    others = [make_user(django_user_model, f"o{i}") for i in range(3)]
    _seed_varied(3, [user, *others], group)
    client = client_for(user)

    _warm(client, "flags/")
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(API + "flags/").json()["flags"]) == 3
    counted = len(small)  # read now: the next request empties the connection's query log
    # 12, and 3 for customer enrollments: their expiry sweep, the subject's customers, the flags' live ones.
    assert counted <= 15, [q["sql"] for q in small]

    Flag.objects.all().delete()
    _seed_varied(30, [user, *others], group)
    _warm(client, "flags/")
    with django_assert_num_queries(counted):
        assert len(client.get(API + "flags/").json()["flags"]) == 30


def test_a_cold_waffle_cache_costs_what_waffle_itself_costs(django_user_model):
    """With waffle's cache empty, waffle reads each flag's users and groups once (and caches them), as
    `waffle.flag_is_active` does: at most two queries per flag, and none on the next request."""
    group = Group.objects.create(name="beta")
    user = make_user(django_user_model, "s", staff=True)
    _seed_varied(30, [user], group)
    client = client_for(user)
    _warm(client, "flags/")
    with CaptureQueriesContext(connection) as warm:
        client.get(API + "flags/")
    warm_count = len(warm)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(API + "flags/")
    assert warm_count < len(cold) <= warm_count + 2 * 30


# ---- ?names= ----------------------------------------------------------------------------------


def test_names_filter_answers_only_the_flags_asked_for(api, staff):
    for name in ("enterprise.a", "enterprise.b", "enterprise.c", "lms.d"):
        Flag.objects.create(name=name, superusers=False)
    caller = api(staff)
    full = by_name(caller.get("flags/"))
    response = caller.get("flags/", names="lms.d,enterprise.a,enterprise.nope,enterprise.a")
    data = response.json()
    # Sorted by name like the full list, each once, unknown names simply absent, every entry as in the full list.
    assert [f["name"] for f in data["flags"]] == ["enterprise.a", "lms.d"]
    assert data["flags"] == [full["enterprise.a"], full["lms.d"]]
    assert set(data) == {"user", "subject", "permissions", "features", "policy", "now", "flags"}
    assert caller.get("flags/", names="").json()["flags"] == []  # no name: no flag, the rest as ever
    assert [f["name"] for f in caller.get("flags/", names="enterprise.c").json()["flags"]] == ["enterprise.c"]


@override_settings(WAFFLE_ENROLLMENTS={"VISIBLE_FLAGS": ["enterprise.*"]})
def test_names_filter_never_shows_a_hidden_flag(api, staff):
    Flag.objects.create(name="enterprise.x")
    Flag.objects.create(name="lms.y")
    assert list(by_name(api(staff).get("flags/", names="lms.y,enterprise.x"))) == ["enterprise.x"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"names": ",".join(f"enterprise.f{i}" for i in range(201))}, "at most 200"),
        ({"names": "enterprise.a,,enterprise.b"}, "empty flag name"),
        ({"names": "enterprise.a,"}, "empty flag name"),
        ({"names": "x" * 101}, "at most 100"),
        ({"names": "enterprise.a\tb"}, "control character"),
        ({"names": ["enterprise.a", "enterprise.b"]}, "names once"),
    ],
)
def test_names_filter_refuses_malformed_lists_with_a_sentence(api, staff, query, message):
    Flag.objects.create(name="enterprise.a")
    response = api(staff).client.get(API + "flags/", query)
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


def test_names_filter_accepts_200_names_of_100_characters(api, staff):
    long_name = "enterprise." + "x" * 89
    Flag.objects.create(name=long_name)
    names = [long_name] + [f"enterprise.{i:03d}" for i in range(199)]
    assert [f["name"] for f in api(staff).get("flags/", names=",".join(names)).json()["flags"]] == [long_name]


def test_names_filter_agrees_with_waffle_and_costs_no_more_queries(django_user_model, django_assert_max_num_queries):
    group = Group.objects.create(name="beta")
    user = make_user(django_user_model, "s", staff=True)
    user.groups.add(group)
    _seed_varied(30, [user], group)
    client = client_for(user)
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        client.get(API + "flags/")
    names = ["enterprise.f000", "enterprise.f003", "enterprise.f004", "enterprise.f029"]
    cache.clear()
    with django_assert_max_num_queries(len(full)):
        flags = by_name(client.get(API + "flags/", {"names": ",".join(names)}))
    assert list(flags) == names
    request = RequestFactory().get("/")
    request.user = user
    for name, entry in flags.items():
        assert entry["active_for_me"] == flag_is_active(request, name, read_only=True), name
    assert flags["enterprise.f000"]["me"] == {"listed": True, "groups": ["beta"], "customers": []}


# ---- the body is DRF's ------------------------------------------------------------------------


def test_the_body_is_byte_for_byte_what_drf_renders(api, staff, support):
    from rest_framework.renderers import JSONRenderer

    group = Group.objects.create(name="qa\u2028line")
    flag = Flag.objects.create(
        name="enterprise.é", note='Ünïcode \u2029 and "quotes" </script>', percent=Decimal("12.5"), languages="en, fr"
    )
    flag.groups.add(group)
    staff.groups.add(group)
    flag.users.add(support)
    Flag.objects.create(name="enterprise.b", everyone=True)
    caller = api(staff)
    caller.post("enrollments/", {"flag": "enterprise.é", "duration": 60, "reason": "r \u2028"})
    response = caller.get("flags/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.json())
    assert response.json()["flags"][1]["me"] == {"listed": True, "groups": ["qa\u2028line"], "customers": []}
    # A client asking for indentation gets it, as from DRF.
    indented = caller.client.get(API + "flags/", HTTP_ACCEPT="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "user"')
    assert indented.json()["flags"] == response.json()["flags"]


# ---- the answers are waffle's, flag by flag, for every kind of flag and request -------------------

_SHAPES = [
    dict(everyone=True),
    dict(everyone=False),
    dict(everyone=True, staff=True),
    dict(everyone=False, staff=True),
    dict(percent=Decimal("50")),
    dict(percent=Decimal("50.0"), rollout=True),
    dict(percent=Decimal("0")),
    dict(percent=Decimal("99.9"), testing=True),
    dict(staff=True),
    dict(superusers=True),
    dict(authenticated=True),
    dict(testing=True),
    dict(testing=True, staff=True),
    dict(languages="fr"),
    dict(languages="fr, de"),
    dict(languages="de", authenticated=True),
    dict(rollout=True),
    dict(),
]


def _seed_kinds(users, mine, other):
    """Three flags of every shape (same criteria, different names): plain, listing the users, limited
    to the caller's group or to another group. Names with `_` and `-`, as the testing header mangles
    them."""
    names = []
    for s, shape in enumerate(_SHAPES):
        for variant in ("plain", "listed", "my_group", "other_group", "again"):
            name = f"enterprise.k{s:02d}_{variant}" if s % 2 else f"enterprise.k{s:02d}-{variant}"
            flag = Flag.objects.create(name=name, **{"superusers": False, **shape})
            if variant == "listed":
                flag.users.add(*users)
            elif variant == "my_group":
                flag.groups.add(mine)
            elif variant == "other_group":
                flag.groups.add(other)
            names.append(name)
    return names


def _what_waffle_says(user, names, *, query=None, cookies=None, headers=None, language=None):
    request = RequestFactory().get("/", query or {}, **(headers or {}))
    request.user = user
    request.COOKIES.update(cookies or {})
    if language:
        request.LANGUAGE_CODE = language
    return {name: flag_is_active(request, name, read_only=True) for name in names}


@pytest.mark.parametrize("override", [False, True])
def test_active_for_me_is_waffles_answer_for_every_flag_of_every_kind(django_user_model, settings, override):
    """Flags of every shape, plain, listing the caller or limited to groups, under cookies, query
    parameters and headers waffle reads: compared with `waffle.flag_is_active` for every flag."""
    settings.WAFFLE_OVERRIDE = override
    mine, other = Group.objects.create(name="mine"), Group.objects.create(name="other")
    people = [
        make_user(django_user_model, "staff", staff=True),
        make_user(django_user_model, "root", staff=True, superuser=True),
        make_user(django_user_model, "support", perms=["enroll_others"]),
    ]
    people[0].groups.add(mine)
    people[2].groups.add(mine)
    names = _seed_kinds(people[:2], mine, other)
    some = [n for n in names if n.endswith("plain")]
    requests = [
        {},
        {"cookies": {f"dwf_{n}": value for n, value in zip(some, ["True", "False"] * len(some))}},
        {"cookies": {f"dwft_{n}": value for n, value in zip(some, ["True", "False", "x"] * len(some))}},
        {"query": {f"dwft_{n}": value for n, value in zip(some[::2], ["1", "0"] * len(some))}},
        {"headers": {"HTTP_DWFT_" + n.upper().replace("-", "_"): v for n, v in zip(some[1::2], ["1", "0"] * 50)}},
        {"query": {n: value for n, value in zip(some, ["1", "0", "x"] * len(some))}},  # WAFFLE_OVERRIDE
    ]
    for user in people:
        for asked in requests:
            client = client_for(user)
            for name, value in asked.get("cookies", {}).items():
                client.cookies[name] = value
            response = client.get(API + "flags/", asked.get("query", {}), **asked.get("headers", {}))
            got = {name: entry["active_for_me"] for name, entry in by_name(response).items()}
            assert got == _what_waffle_says(user, names, **asked), (user.username, asked)


def test_active_for_me_follows_the_request_language_per_flag(django_user_model):
    """`request.LANGUAGE_CODE` (set by LocaleMiddleware in the LMS) is what waffle reads."""
    from waffle_enrollments.evaluation import evaluate, select_flags
    from waffle_enrollments.policy import get_policy

    user = make_user(django_user_model, "staff", staff=True)
    mine = Group.objects.create(name="mine")
    names = _seed_kinds([user], mine, Group.objects.create(name="other"))
    for language in (None, "fr", "de", "en"):
        http = RequestFactory().get("/")
        http.user = user
        if language:
            http.LANGUAGE_CODE = language
        answers = evaluate(select_flags(get_policy(), user), user, http).answers
        got = {a.flag.name: a.active for a in answers}
        assert got == _what_waffle_says(user, names, language=language), language


def test_a_patched_flag_model_answers_for_every_flag(api, staff, monkeypatch):
    """The answer is whatever the installed Flag model's `is_active` says (a patched or newer waffle)."""
    for n in range(3):
        Flag.objects.create(name=f"enterprise.{n}", superusers=False)
    asked = []
    real = Flag.is_active

    def is_active(self, request, read_only=False):
        asked.append(self.name)
        return self.name == "enterprise.1" or real(self, request, read_only)

    monkeypatch.setattr(Flag, "is_active", is_active)
    flags = by_name(api(staff).get("flags/"))
    assert sorted(asked) == ["enterprise.0", "enterprise.1", "enterprise.2"]
    assert [flags[f"enterprise.{n}"]["active_for_me"] for n in range(3)] == [False, True, False]
