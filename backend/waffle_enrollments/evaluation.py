"""Read side of GET flags/: every visible flag, its criteria, and waffle's answer for the caller.

The answer comes from waffle's own ``Flag.is_active`` (read-only, on a copy of the request, so it
sets no cookie). To keep the number of queries independent of the number of flags, the data waffle
would otherwise fetch per flag (the flag's user and group ids, and the caller's groups) is loaded
up front in a fixed number of queries and handed to each Flag instance. If the installed waffle has
no such per-flag hooks, each flag is evaluated by ``waffle.flag_is_active`` instead (correct, but
one or more queries per flag).

Speed (docs/BENCHMARKS.md, 1,000 flags). What does not depend on the caller is worked out once per
version of waffle's flag list and kept in this process (``_Catalogue``): the flags sorted and
filtered by the policy, each flag's JSON with holes for the caller's parts, and a private copy of
each flag whose two data hooks read the current request's preloaded ids. Which version is current
is a small token in waffle's cache, next to waffle's own list, deleted whenever a flag is saved or
deleted (``forget_flag_list``); a request reads the token, not the pickled list of every flag. Per
request and flag what is left is waffle's ``is_active`` and joining a dozen byte strings. The
per-flag user counts come from a cache of ours that any change to Flag.users clears.
"""

import contextvars
import copy
import functools
import threading
import uuid
from collections import defaultdict

import waffle
from django.db import transaction
from django.db.models import Count
from waffle.models import Flag
from waffle.utils import get_cache

from . import policy as rules
from .models import Enrollment
from .rendering import ITEM_SEPARATOR, Hole, dumps, template
from .serializers import enrollment_json, flag_json

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


# ---- the caller's data, for the flags' hooks ----------------------------------------------------

_NONE = frozenset()


class _Preloaded:
    """One request's preloaded membership data: what waffle's two hooks would have queried per flag."""

    __slots__ = ("me", "member_of", "group_ids")

    def __init__(self, user_pk, member_of, group_ids):
        self.me = frozenset([user_pk])
        self.member_of = member_of  # ids of the flags that list the caller
        self.group_ids = group_ids  # flag id -> frozenset of group ids


_preloaded = contextvars.ContextVar("waffle_enrollments_preloaded")  # per thread / task


def _user_ids_of(flag_id):
    """``Flag._get_user_ids`` of a catalogue flag: the caller if listed (the only id waffle compares)."""
    data = _preloaded.get()
    return data.me if flag_id in data.member_of else _NONE


def _group_ids_of(flag_id):
    return _preloaded.get().group_ids.get(flag_id, _NONE)


def _hooked_copy(flag):
    """A copy of a cached Flag whose hooks read the current request's preloaded ids. The cached
    instance is never changed: a cache backend that hands out shared objects would otherwise carry
    these hooks into waffle's own later checks."""
    clone = type(flag).__new__(type(flag))
    clone.__dict__.update(flag.__dict__)
    clone._get_user_ids = functools.partial(_user_ids_of, flag.pk)
    clone._get_group_ids = functools.partial(_group_ids_of, flag.pk)
    return clone


# ---- user counts ---------------------------------------------------------------------------------

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


# ---- the catalogue: everything that does not depend on the caller --------------------------------

# The version of waffle's flag list that this process's catalogue was built from. Absent: build anew.
FLAG_LIST_TOKEN_KEY = "waffle_enrollments:flag_list_token"


def forget_flag_list(sender=None, instance=None, **kwargs):
    """Receiver of post_save and post_delete of Flag: every process builds its catalogue anew.

    Waffle's own list is flushed first (waffle does it too, on commit, but only after this receiver's
    callback), then the token: a reader that finds no token stores a new one and then reads a list
    that is at least as new as the change.
    """

    def forget():
        if instance is not None:
            instance.flush()
        get_cache().delete(FLAG_LIST_TOKEN_KEY)

    forget()
    transaction.on_commit(forget)


# Values written once: JSON literals, the most common pieces, small counts.
_LITERALS = {True: b"true", False: b"false", None: b"null"}
_EMPTY_LIST = dumps([])
_NOT_MINE = {listed: dumps({"listed": listed, "groups": []}) for listed in (False, True)}
_NUMBERS = [dumps(n) for n in range(256)]


def _number(n):
    return _NUMBERS[n] if 0 <= n < 256 else dumps(n)


# Holes in a flag's JSON: the parts that depend on the caller or change without a new flag list.
_GROUPS, _USER_COUNT, _ACTIVE, _ENROLLMENT, _ME = (Hole(n) for n in ("groups", "count", "active", "enrollment", "me"))
_FLAG_HOLES = (_GROUPS, _USER_COUNT, _ACTIVE, _ENROLLMENT, _ME)
_FLAGS = Hole("flags")


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


def _flag_pieces(flag, policy):
    """The JSON of one flag (``serializers.flag_json``) cut at the holes."""
    why_not = rules.why_not_enrollable(flag, policy)
    summary = criteria(flag, (), 0)
    summary["groups"] = _GROUPS.marker
    summary["user_count"] = _USER_COUNT.marker
    value = flag_json(flag, summary, _ACTIVE.marker, None, why_not is None, why_not, _ME.marker)
    value["my_enrollment"] = _ENROLLMENT.marker
    return tuple(template(value, _FLAG_HOLES))


class _Catalogue:
    """The visible flags of one version of waffle's flag list under one policy, sorted by name.

    ``pieces[i]`` is flag i's JSON cut at the holes; ``plain[i]`` the same with the holes of the most
    common case filled in (no groups; the caller not listed, not enrolled), for fewer parts to join.
    """

    __slots__ = ("token", "policy", "flags", "ids", "position", "pieces", "plain", "hooked", "some_hidden", "groups")

    def __init__(self, token, policy, all_flags):
        self.token = token
        self.policy = policy
        self.flags = sorted((f for f in all_flags if policy.is_visible(f.name)), key=lambda f: f.name)
        self.some_hidden = len(self.flags) != len(all_flags)
        self.ids = [f.pk for f in self.flags]
        self.position = {f.name: i for i, f in enumerate(self.flags)}
        self.pieces = [_flag_pieces(f, policy) for f in self.flags]
        self.plain = [
            (p[0] + _EMPTY_LIST + p[1], p[2], p[3] + b"null" + p[4] + _NOT_MINE[False] + p[5]) for p in self.pieces
        ]
        self.hooked = [_hooked_copy(f) for f in self.flags] if _HAS_HOOKS else None
        self.groups = {}  # sorted group names -> their JSON; most flags with groups share a few sets

    def groups_json(self, names):
        key = tuple(sorted(names))
        rendered = self.groups.get(key)
        if rendered is None:
            if len(self.groups) > 4096:  # group names are free text: bound what a process keeps
                self.groups.clear()
            rendered = self.groups[key] = dumps(list(key))
        return rendered


_catalogue = None  # this process's last catalogue; replaced whole (only its memo of group names grows)
_building = threading.Lock()


def _current_catalogue(policy):
    global _catalogue
    cache = get_cache()
    token = cache.get(FLAG_LIST_TOKEN_KEY)
    known = _catalogue
    if token is not None and known is not None and known.token == token and known.policy == policy:
        return known
    if token is None:
        # Store the token before reading the list: a change after this point deletes it again.
        token = uuid.uuid4().hex
        if not cache.add(FLAG_LIST_TOKEN_KEY, token):
            token = cache.get(FLAG_LIST_TOKEN_KEY) or token  # another process was first
    # Waffle's own cached list of every flag (the one its `flag_is_active` reads per flag): a cache
    # hit instead of a query and a thousand model instances built from rows.
    with _building:  # one thread of this process builds; the others wait for it, not build again
        known = _catalogue
        if known is not None and known.token == token and known.policy == policy:
            return known
        built = _Catalogue(token, policy, Flag.get_all())
        _catalogue = built
    return built


# ---- one request ---------------------------------------------------------------------------------


def flags_document(request, policy, head, names=None):
    """The JSON body of GET flags/: ``head`` (a dict of the other top-level keys) and ``"flags"``, the
    visible flags (only those of ``names`` if given) sorted by name, as one bytes object.

    Cost: a fixed number of queries, none of which joins the flags to their members or (with every
    flag visible) carries a list of every flag id.
    """
    user = request.user
    catalogue = _current_catalogue(policy)
    if names is None:
        positions = range(len(catalogue.flags))
        subset = catalogue.some_hidden
    else:
        position = catalogue.position
        positions = sorted({position[n] for n in names if n in position})
        subset = True
    ids = catalogue.ids
    # With every flag wanted (the default) the per-flag queries below need no `flag_id IN (...)` of a
    # thousand ids; the rows of other flags are simply not looked up.
    wanted_ids = [ids[i] for i in positions] if subset else None

    def of_wanted(queryset):
        return queryset.filter(flag_id__in=wanted_ids) if subset else queryset

    user_counts = _user_counts()
    groups_by_flag = defaultdict(dict)  # flag id -> {group id: name}
    for flag_id, group_id, group_name in of_wanted(Flag.groups.through.objects).values_list(
        "flag_id", "group_id", "group__name"
    ):
        groups_by_flag[flag_id][group_id] = group_name
    member_of = frozenset(Flag.users.through.objects.filter(user_id=user.pk).values_list("flag_id", flat=True))
    my_group_ids = frozenset(user.groups.values_list("pk", flat=True))
    my_enrollments = {}
    for e in Enrollment.objects.live().filter(user=user).select_related("created_by", "ended_by").order_by():
        e.user = user  # the caller itself: no second copy of it per row
        my_enrollments[e.flag_id] = e

    caller = _Caller(user, my_group_ids)
    # One read-only copy of the request serves every flag: with read_only=True waffle only ever
    # writes `waffle_tests[flag name]` on it, one key per flag, and reads nothing back across flags.
    evaluation_request = _read_only_request(request, caller) if _HAS_HOOKS else None
    preloaded = _Preloaded(user.pk, member_of, {fid: frozenset(g) for fid, g in groups_by_flag.items()})
    reset = _preloaded.set(preloaded)
    try:
        parts = []
        add = parts.extend
        pieces, plain, hooked, flags = catalogue.pieces, catalogue.plain, catalogue.hooked, catalogue.flags
        count_of = user_counts.get
        for i in positions:
            flag_id = ids[i]
            if hooked is not None:
                active = hooked[i].is_active(evaluation_request, read_only=True)
            else:  # pragma: no cover - depends on the installed waffle
                active = waffle.flag_is_active(_read_only_request(request, user), flags[i].name, read_only=True)
            active = _LITERALS[active] if active is None or active.__class__ is bool else dumps(active)
            count = _number(count_of(flag_id, 0))
            groups = groups_by_flag.get(flag_id)
            listed = flag_id in member_of
            enrollment = my_enrollments.get(flag_id)
            if groups is None and not listed and enrollment is None:  # most flags, for most callers
                p = plain[i]
                add((p[0], count, p[1], active, p[2], ITEM_SEPARATOR))
                continue
            if groups:
                group_json = catalogue.groups_json(groups.values())
                mine = sorted(name for gid, name in groups.items() if gid in my_group_ids)
                me = dumps({"listed": listed, "groups": mine}) if mine else _NOT_MINE[listed]
            else:
                group_json = _EMPTY_LIST
                me = _NOT_MINE[listed]
            p = pieces[i]
            add(
                (
                    p[0], group_json, p[1], count, p[2], active, p[3],
                    dumps(enrollment_json(enrollment)) if enrollment is not None else b"null", p[4],
                    me, p[5], ITEM_SEPARATOR,
                )
            )
        if parts:
            parts.pop()  # the separator after the last flag
    finally:
        _preloaded.reset(reset)
    # The hole is the list's only item: `before` ends with its "[", `after` starts with its "]".
    before, after = template({**head, "flags": [_FLAGS.marker]}, (_FLAGS,))
    return b"".join((before, *parts, after))
