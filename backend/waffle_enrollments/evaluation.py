"""Read side of GET flags/: every visible flag, its criteria, and waffle's answer for the caller.

The answer comes from waffle's own ``Flag.is_active`` (read-only, on a copy of the request, so it
sets no cookie). To keep the number of queries independent of the number of flags, the data waffle
would otherwise fetch per flag (the flag's user and group ids, and the caller's groups) is loaded
up front in a fixed number of queries and handed to each Flag instance. If the installed waffle has
no such per-flag hooks, each flag is evaluated by ``waffle.flag_is_active`` instead (correct, but
one or more queries per flag).

Speed (docs/BENCHMARKS.md, 1,000 flags): the flag list comes from waffle's own cache, the per-flag
user counts from a cache of ours that any change to Flag.users clears, and the per-flag work is plain
Python on preloaded data.
"""

import copy
from collections import defaultdict

import waffle
from django.db import transaction
from django.db.models import Count
from waffle.models import Flag
from waffle.utils import get_cache

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
    """The caller as waffle sees it, with its groups preloaded; everything else is the real user.

    What waffle reads for every flag is copied once, so that a thousand flags do not each go through
    ``__getattr__`` and Django's lazy ``request.user``.
    """

    def __init__(self, user, group_ids):
        self._user = user
        self.groups = _PreloadedGroups(group_ids)
        self.pk = user.pk
        self.is_authenticated = user.is_authenticated
        self.is_staff = getattr(user, "is_staff", False)
        self.is_superuser = getattr(user, "is_superuser", False)

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


# How many users each flag lists, for every flag: {flag id: count}. Kept in waffle's cache because
# counting means reading every row of Flag.users; forgotten whenever Flag.users changes (apps.py) and
# after USER_COUNTS_SECONDS at most, for the changes no signal reports (a user deleted in bulk SQL).
USER_COUNTS_KEY = "waffle_enrollments:flag_user_counts"
USER_COUNTS_SECONDS = 60


def _user_counts():
    cache = get_cache()
    counts = cache.get(USER_COUNTS_KEY)
    if counts is None:
        # One GROUP BY over the (flag_id, user_id) index of the through table, rather than a
        # COUNT(DISTINCT) over the flags joined to every membership row.
        counts = dict(Flag.users.through.objects.values_list("flag_id").annotate(n=Count("id")).order_by())
        cache.set(USER_COUNTS_KEY, counts, USER_COUNTS_SECONDS)
    return counts


def forget_user_counts(sender=None, action="post_", **kwargs):
    """Receiver of m2m_changed on Flag.users and post_delete of users: the counts are stale."""
    if not action.startswith("post_"):
        return

    def forget():
        get_cache().delete(USER_COUNTS_KEY)

    forget()
    # Again after commit: a reader may have cached the old counts in between (as waffle does too).
    transaction.on_commit(forget)


def _name(flag):
    return flag.name


def _private_copy(flag):
    """A shallow copy of a cached Flag to hang one caller's preloaded ids on. The cached instance is
    never changed: a cache backend that hands out shared objects instead of unpickled copies would
    otherwise carry this caller's ids into waffle's own later checks for other users."""
    clone = type(flag).__new__(type(flag))
    clone.__dict__.update(flag.__dict__)
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

    Cost: a fixed number of queries, none of which joins the flags to their members or (with every
    flag visible) carries a list of every flag id.
    """
    user = request.user
    # Waffle's own cached list of every flag (the one its `flag_is_active` reads per flag): a cache
    # hit instead of a query and a thousand model instances built from rows; waffle flushes it on
    # every change to a flag, its users or its groups.
    all_flags = sorted(Flag.get_all(), key=_name)
    flags = [f for f in all_flags if policy.is_visible(f.name)]
    # With every flag visible (the default) the per-flag queries below need no `flag_id IN (...)` of
    # a thousand ids; the rows of hidden flags are simply not looked up.
    some_hidden = len(flags) != len(all_flags)
    flag_ids = [f.pk for f in flags]

    def of_visible(queryset):
        return queryset.filter(flag_id__in=flag_ids) if some_hidden else queryset

    user_counts = _user_counts()

    groups_by_flag = defaultdict(dict)  # flag id -> {group id: name}
    for flag_id, group_id, group_name in of_visible(Flag.groups.through.objects).values_list(
        "flag_id", "group_id", "group__name"
    ):
        groups_by_flag[flag_id][group_id] = group_name

    member_of = set(Flag.users.through.objects.filter(user_id=user.pk).values_list("flag_id", flat=True))
    my_group_ids = set(user.groups.values_list("pk", flat=True))
    my_enrollments = {
        e.flag_id: e
        for e in Enrollment.objects.live().filter(user=user).select_related("user", "created_by", "ended_by")
    }

    caller = _Caller(user, my_group_ids)
    # One read-only copy of the request serves every flag: with read_only=True waffle only ever
    # writes `waffle_tests[flag name]` on it, one key per flag, and reads nothing back across flags.
    evaluation_request = _read_only_request(request, caller) if _HAS_HOOKS else None
    results = []
    no_groups = {}
    for flag in flags:
        groups = groups_by_flag.get(flag.pk, no_groups)
        listed = flag.pk in member_of
        if _HAS_HOOKS:
            user_ids = {user.pk} if listed else set()
            group_ids = set(groups)
            flag = _private_copy(flag)
            flag._get_user_ids = lambda ids=user_ids: ids
            flag._get_group_ids = lambda ids=group_ids: ids
            active = flag.is_active(evaluation_request, read_only=True)
        else:  # pragma: no cover - depends on the installed waffle
            active = waffle.flag_is_active(_read_only_request(request, user), flag.name, read_only=True)
        summary = criteria(flag, groups.values(), user_counts.get(flag.pk, 0))
        me = {
            "listed": listed,
            "groups": sorted(name for gid, name in groups.items() if gid in my_group_ids),
        }
        results.append((flag, summary, active, my_enrollments.get(flag.pk), me))
    return results
