"""waffle's answer follows every change of a flag's users and groups, clears and the reverse side
included, although its cache (memcached in the MariaDB run) still holds the ids it read before."""

import os

import pytest
import waffle
from django.contrib.auth.models import Group
from django.test import RequestFactory
from waffle.models import Flag

from .conftest import make_user


def active(flag, user):
    request = RequestFactory().get("/")
    request.user = user
    return waffle.flag_is_active(request, flag.name)


@pytest.fixture
def member(django_user_model):
    return make_user(django_user_model, "cache-member")


@pytest.fixture
def by_user(member):
    flag = Flag.objects.create(name="enterprise.cache-users", everyone=None)
    flag.users.add(member)
    assert active(flag, member)  # waffle has now cached the flag and its user ids
    return flag


@pytest.fixture
def by_group(member):
    flag = Flag.objects.create(name="enterprise.cache-groups", everyone=None)
    group = Group.objects.create(name="cache-testers")
    member.groups.add(group)
    flag.groups.add(group)
    assert active(flag, member)
    return flag, group


CHANGES_OF_USERS = {
    "flag.users.clear()": lambda flag, user: flag.users.clear(),
    "flag.users.remove(user)": lambda flag, user: flag.users.remove(user),
    "flag.users.set([])": lambda flag, user: flag.users.set([]),
    "user.flag_set.clear()": lambda flag, user: user.flag_set.clear(),
    "user.flag_set.remove(flag)": lambda flag, user: user.flag_set.remove(flag),
    "user.flag_set.set([])": lambda flag, user: user.flag_set.set([]),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", CHANGES_OF_USERS)
def test_removing_a_user_turns_the_flag_off_at_once(by_user, member, change):
    CHANGES_OF_USERS[change](by_user, member)
    assert not active(by_user, member)


CHANGES_OF_GROUPS = {
    "flag.groups.clear()": lambda flag, group: flag.groups.clear(),
    "flag.groups.remove(group)": lambda flag, group: flag.groups.remove(group),
    "group.flag_set.clear()": lambda flag, group: group.flag_set.clear(),
    "group.flag_set.remove(flag)": lambda flag, group: group.flag_set.remove(flag),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", CHANGES_OF_GROUPS)
def test_removing_a_group_turns_the_flag_off_at_once(by_group, member, change):
    flag, group = by_group
    CHANGES_OF_GROUPS[change](flag, group)
    assert not active(flag, member)


@pytest.mark.django_db(transaction=True)
def test_adding_from_the_users_side_turns_the_flag_on_at_once(django_user_model, member):
    flag = Flag.objects.create(name="enterprise.cache-add", everyone=None)
    other = make_user(django_user_model, "cache-other")
    flag.users.add(other)
    assert not active(flag, member)  # cached: [other]
    member.flag_set.add(flag)
    assert active(flag, member)


@pytest.mark.django_db(transaction=True)
def test_clearing_another_flag_keeps_this_one(by_user, member, django_user_model):
    other_flag = Flag.objects.create(name="enterprise.cache-other", everyone=None)
    other_flag.users.add(member)
    other_flag.users.clear()
    assert active(by_user, member)


@pytest.mark.skipif(not os.environ.get("WAFFLE_TEST_DB"), reason="the MariaDB run (scripts/with-mariadb.sh) only")
def test_the_mariadb_run_uses_memcached_as_the_lms_does():
    from django.core.cache import caches
    from django.core.cache.backends.memcached import PyMemcacheCache

    cache = caches["default"]
    assert isinstance(cache, PyMemcacheCache)
    cache.set("waffle-enrollments-probe", 1)
    assert cache.get("waffle-enrollments-probe") == 1
