"""Read side of GET flags/: every visible flag, its criteria, and waffle's answer for the caller.

The answer comes from waffle's own ``Flag.is_active`` (read-only, on a copy of the request, so it
sets no cookie). To keep the number of queries independent of the number of flags, the data waffle
would otherwise fetch per flag (the flag's user and group ids, and the caller's groups) is loaded
up front in a fixed number of queries and handed to each Flag instance. If the installed waffle has
no such per-flag hooks, each flag is evaluated by ``waffle.flag_is_active`` instead (correct, but
one or more queries per flag).
"""

import copy
from collections import defaultdict

import waffle
from django.db.models import Count
from waffle.models import Flag

from .models import Enrollment

_HAS_HOOKS = hasattr(Flag, "_get_user_ids") and hasattr(Flag, "_get_group_ids")


class _PreloadedGroups:
    """Stands in for ``user.groups`` where waffle reads ``user.groups.all().values_list('pk', flat=True)``."""

    def __init__(self, ids):
        self._ids = frozenset(ids)

    def all(self):
        return self

    def values_list(self, *fields, flat=False):
        return list(self._ids)


class _Caller:
    """The caller as waffle sees it, with its groups preloaded; everything else is the real user."""

    def __init__(self, user, group_ids):
        self._user = user
        self.groups = _PreloadedGroups(group_ids)

    def __getattr__(self, name):
        return getattr(self._user, name)


def _read_only_request(request, user):
    http_request = getattr(request, "_request", request)  # DRF Request -> Django HttpRequest
    clone = copy.copy(http_request)
    clone.user = user
    for attr in ("waffles", "waffle_tests"):  # fresh per evaluation: nothing leaks into the response
        if attr in clone.__dict__:
            delattr(clone, attr)
    return clone


def criteria(flag, group_names, user_count):
    return {
        "everyone": flag.everyone,
        "percent": float(flag.percent) if flag.percent is not None else None,
        "testing": flag.testing,
        "superusers": flag.superusers,
        "staff": flag.staff,
        "authenticated": flag.authenticated,
        "languages": [code.strip() for code in flag.languages.split(",") if code.strip()],
        "rollout": flag.rollout,
        "groups": sorted(group_names),
        "user_count": user_count,
    }


def visible_flags(request, policy):
    """Return ``[(flag, criteria, active_for_me, live_enrollment, me)]`` for the caller, by name.

    ``me`` says why the caller may match: ``listed`` (in Flag.users) and the flag's groups the caller is in.
    """
    user = request.user
    flags = [
        f
        for f in Flag.objects.annotate(listed_user_count=Count("users", distinct=True)).order_by("name")
        if policy.is_visible(f.name)
    ]
    flag_ids = [f.pk for f in flags]

    groups_by_flag = defaultdict(dict)  # flag id -> {group id: name}
    for flag_id, group_id, group_name in Flag.groups.through.objects.filter(flag_id__in=flag_ids).values_list(
        "flag_id", "group_id", "group__name"
    ):
        groups_by_flag[flag_id][group_id] = group_name

    member_of = set(
        Flag.users.through.objects.filter(user_id=user.pk, flag_id__in=flag_ids).values_list("flag_id", flat=True)
    )
    my_group_ids = set(user.groups.values_list("pk", flat=True))
    my_enrollments = {
        e.flag_id: e
        for e in Enrollment.objects.filter(user=user, live=True, flag_id__in=flag_ids).select_related(
            "user", "created_by", "ended_by"
        )
    }

    caller = _Caller(user, my_group_ids)
    results = []
    for flag in flags:
        if _HAS_HOOKS:
            user_ids = {user.pk} if flag.pk in member_of else set()
            group_ids = set(groups_by_flag[flag.pk])
            flag._get_user_ids = lambda ids=user_ids: ids
            flag._get_group_ids = lambda ids=group_ids: ids
            active = flag.is_active(_read_only_request(request, caller), read_only=True)
        else:  # pragma: no cover - depends on the installed waffle
            active = waffle.flag_is_active(_read_only_request(request, user), flag.name, read_only=True)
        summary = criteria(flag, groups_by_flag[flag.pk].values(), flag.listed_user_count)
        me = {
            "listed": flag.pk in member_of,
            "groups": sorted(name for gid, name in groups_by_flag[flag.pk].items() if gid in my_group_ids),
        }
        results.append((flag, summary, active, my_enrollments.get(flag.pk), me))
    return results
