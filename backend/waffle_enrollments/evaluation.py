"""Read side of GET flags/: every visible flag, its criteria, and waffle's answer for the caller.

The answer comes from waffle's own ``Flag.is_active`` (read-only, on a copy of the request, so it
sets no cookie). To keep the number of queries independent of the number of flags, the data waffle
would otherwise fetch per flag (the flag's user and group ids, and the caller's groups) is loaded
up front in a fixed number of queries and handed to each Flag instance. If the installed waffle has
no such per-flag hooks, each flag is evaluated by ``waffle.flag_is_active`` instead (correct, but
one or more queries per flag).

Speed (docs/BENCHMARKS.md, 1,000 flags). What does not depend on the caller is worked out once per
version of waffle's flag list and kept in this process (``_Catalogue``): the flags sorted and
filtered by the policy, their groups, each flag's JSON with holes for the caller's parts, and a
private copy of each flag whose data hooks give its groups and read the current request's preloaded
user ids. Which version is current is a small token in waffle's cache, next to waffle's own list,
deleted whenever a flag is saved or deleted or a flag's groups change (``forget_flag_list``,
``forget_catalogue``); a request reads the token, not the pickled list of every flag.

Per request: one query for the sweep's probe, the flags that list the caller and the caller's
groups together (``read_caller``), one for the caller's live enrollments; waffle's ``is_active``
once per *kind* of flag rather than once per flag (``_Kinds``: flags that differ only in their name
get the same answer from waffle, unless the request names the flag in a cookie, a query parameter
or a header, or the flag lists the caller or one of the caller's groups: those are evaluated one
by one); and each flag's JSON, kept from the last request while its user count and answer stay the
same. The per-flag user counts come from a cache of ours that any change to Flag.users clears.
"""

import contextvars
import copy
import functools
import threading
import uuid
from collections import defaultdict

import waffle
from django.contrib.auth import get_user_model
from django.db import connections, router, transaction
from django.db.models import Count
from django.utils import timezone
from waffle import models as waffle_models
from waffle.models import Flag
from waffle.utils import get_cache, get_setting

from . import policy as rules
from . import services
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


# ---- the caller's data: the sweep, memberships and groups in one round trip ----------------------


class CallerData:
    """What GET flags/ needs to know of the caller besides its enrollments."""

    __slots__ = ("member_of", "group_ids")

    def __init__(self, member_of, group_ids):
        self.member_of = frozenset(member_of)  # ids of the flags that list the caller (Flag.users)
        self.group_ids = frozenset(group_ids)  # the caller's groups


_CALLER_SQL = {}  # database alias -> the statement below, written once


def _caller_sql(connection):
    """Three index probes in one statement: the flags listing the user (the through table's user_id
    index), the user's groups (auth_user_groups' (user_id, group_id) index), and the live enrollments
    that are due (the (live, expires_at) index: ``live IN (…)``, as ``Enrollment.objects.live()``
    writes it, see models.py)."""
    sql = _CALLER_SQL.get(connection.alias)
    if sql is None:
        q = connection.ops.quote_name
        users = Flag._meta.get_field("users")
        groups = get_user_model()._meta.get_field("groups")
        live = Enrollment._meta.get_field("live").column
        expires = Enrollment._meta.get_field("expires_at").column
        sql = _CALLER_SQL[connection.alias] = (
            f"SELECT 0, {q(users.m2m_column_name())} FROM {q(users.m2m_db_table())}"
            f" WHERE {q(users.m2m_reverse_name())} = %s"
            f" UNION ALL SELECT 1, {q(groups.m2m_reverse_name())} FROM {q(groups.m2m_db_table())}"
            f" WHERE {q(groups.m2m_column_name())} = %s"
            f" UNION ALL SELECT 2, {q(Enrollment._meta.pk.column)} FROM {q(Enrollment._meta.db_table)}"
            f" WHERE {q(live)} IN (%s) AND {q(expires)} <= %s"
        )
    return sql


def _one_database():
    """The alias the three tables are read from, or None if a router splits them."""
    user_model = get_user_model()
    aliases = {
        router.db_for_read(Flag.users.through),
        router.db_for_read(user_model.groups.through),
        router.db_for_read(Enrollment),
    }
    return aliases.pop() if len(aliases) == 1 else None


def read_caller(user, now=None):
    """Run the expiry sweep and read the caller's memberships and groups, in one query when nothing
    is due (the usual case). If something is due, the sweep ends it (``services.expire_due``, as on
    every other call) and the caller's rows are read again, after it."""
    now = now or timezone.now()
    alias = _one_database()
    if alias is None:  # pragma: no cover - a router sends these tables to different databases
        services.expire_due(now)
        return CallerData(
            Flag.users.through.objects.filter(user_id=user.pk).values_list("flag_id", flat=True),
            user.groups.values_list("pk", flat=True),
        )
    connection = connections[alias]
    params = [user.pk, user.pk, True, connection.ops.adapt_datetimefield_value(now)]
    for attempt in (1, 2):
        with connection.cursor() as cursor:
            cursor.execute(_caller_sql(connection), params)
            rows = cursor.fetchall()
        if attempt == 2 or not any(kind == 2 for kind, _ in rows):
            break
        services.expire_due(now)  # the ids are read again there, under its own locks
    return CallerData((i for kind, i in rows if kind == 0), (i for kind, i in rows if kind == 1))


# ---- the flags' hooks --------------------------------------------------------------------------

_NONE = frozenset()

_member_of = contextvars.ContextVar("waffle_enrollments_member_of")  # per thread / task: (me, flag ids)


def _user_ids_of(flag_id):
    """``Flag._get_user_ids`` of a catalogue flag: the caller if listed (the only id waffle compares)."""
    me, member_of = _member_of.get()
    return me if flag_id in member_of else _NONE


def _constant(value):
    return value


def _hooked_copy(flag, group_ids):
    """A copy of a cached Flag whose hooks give its groups (read with the catalogue) and the current
    request's preloaded user ids. The cached instance is never changed: a cache backend that hands
    out shared objects would otherwise carry these hooks into waffle's own later checks."""
    clone = type(flag).__new__(type(flag))
    clone.__dict__.update(flag.__dict__)
    clone._get_user_ids = functools.partial(_user_ids_of, flag.pk)
    clone._get_group_ids = functools.partial(_constant, group_ids)
    return clone


# ---- kinds of flags: the same answer from waffle --------------------------------------------------

# The waffle methods whose code the rule below was checked against (django-waffle 3.0; see
# tests/test_flags_api.py, which compares every answer with `waffle.flag_is_active`). A Flag model
# that overrides any of them (WAFFLE_FLAG_MODEL), or a patched waffle, gets every flag evaluated alone.
_REVIEWED = {
    name: getattr(waffle_models.Flag, name, None)
    for name in ("is_active", "_is_active_for_user", "is_active_for_user", "_is_active_for_language")
}
# Fields that waffle's `is_active` does not read (the name only through the request: see below).
_NOT_CRITERIA = frozenset(("id", "name", "note", "created", "modified"))


def _kinds_apply(flag_class):
    return _HAS_HOOKS and all(getattr(flag_class, n, None) is f and f is not None for n, f in _REVIEWED.items())


def _kind_key(flag):
    """Every field of the flag that waffle could read, except its name (and id, note, dates).

    Waffle's ``Flag.is_active`` (read-only) reads the flag's fields, the request (the user, its
    language, and the query parameters, cookies and headers named after the flag: ``WAFFLE_OVERRIDE``,
    the testing cookie ``dwft_<name>`` in the query, a header or a cookie, the percent cookie
    ``dwf_<name>``), and the flag's user and group ids through its two hooks. Two flags whose fields
    are equal, that the request does not name, and that list neither the caller nor a group of the
    caller's, are therefore asked the same question. Any other field a later waffle adds is part of
    the key.
    """
    return tuple(
        (field.attname, getattr(flag, field.attname))
        for field in flag._meta.concrete_fields
        if field.name not in _NOT_CRITERIA
    )


def _kind_of(flag, kinds):
    """The number of the flag's kind in ``kinds`` (added if new), or None: asked alone."""
    try:
        return kinds.setdefault(_kind_key(flag), len(kinds))
    except TypeError:  # a field whose value cannot be a key (a custom field): no kind
        return None


def _cookie_formats():
    return (get_setting("COOKIE"), get_setting("TEST_COOKIE"))


# ---- user counts ---------------------------------------------------------------------------------

# How many users each flag lists, for every flag: {flag id: count}. Kept in waffle's cache because
# counting means reading every row of Flag.users; forgotten whenever Flag.users changes (apps.py) and
# after USER_COUNTS_SECONDS at most, for the changes no signal reports (a user deleted in bulk SQL).
USER_COUNTS_KEY = "waffle_enrollments:flag_user_counts"
USER_COUNTS_SECONDS = 60


def _count_users(cache):
    # One GROUP BY over the (flag_id, user_id) index of the through table, rather than a
    # COUNT(DISTINCT) over the flags joined to every membership row.
    counts = dict(Flag.users.through.objects.values_list("flag_id").annotate(n=Count("id")).order_by())
    cache.set(USER_COUNTS_KEY, counts, USER_COUNTS_SECONDS)
    return counts


def _user_counts():
    cache = get_cache()
    counts = cache.get(USER_COUNTS_KEY)
    return _count_users(cache) if counts is None else counts


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

# The version of waffle's flag list (and of the flags' groups) that this process's catalogue was
# built from. Absent: build anew.
FLAG_LIST_TOKEN_KEY = "waffle_enrollments:flag_list_token"


def _forget_token():
    get_cache().delete(FLAG_LIST_TOKEN_KEY)


def forget_flag_list(sender=None, instance=None, **kwargs):
    """Receiver of post_save and post_delete of Flag: every process builds its catalogue anew.

    Waffle's own list is flushed first (waffle does it too, on commit, but only after this receiver's
    callback), then the token: a reader that finds no token stores a new one and then reads a list
    that is at least as new as the change.
    """

    def forget():
        if instance is not None:
            instance.flush()
        _forget_token()

    forget()
    transaction.on_commit(forget)


def forget_catalogue(sender=None, action="post_", **kwargs):
    """Receiver of m2m_changed on Flag.groups and post_save/post_delete of Group: the flags' groups,
    read with the catalogue, changed (a group deleted takes its rows of Flag.groups with it without an
    m2m signal; a renamed one changes the names shown)."""
    if not action.startswith("post_"):
        return
    _forget_token()
    transaction.on_commit(_forget_token)


# Values written once: JSON literals, the most common pieces, small counts.
_LITERALS = {True: b"true", False: b"false", None: b"null"}
_NOT_MINE = {listed: dumps({"listed": listed, "groups": []}) for listed in (False, True)}
_NUMBERS = [dumps(n) for n in range(256)]


def _number(n):
    return _NUMBERS[n] if 0 <= n < 256 else dumps(n)


def _answer(value):
    return _LITERALS[value] if value is None or value.__class__ is bool else dumps(value)


# Holes in a flag's JSON: the parts that depend on the caller or change without a new flag list.
_USER_COUNT, _ACTIVE, _ENROLLMENT, _ME = (Hole(n) for n in ("count", "active", "enrollment", "me"))
_FLAG_HOLES = (_USER_COUNT, _ACTIVE, _ENROLLMENT, _ME)
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


def _flag_pieces(flag, policy, group_names):
    """The JSON of one flag (``serializers.flag_json``) cut at the holes."""
    why_not = rules.why_not_enrollable(flag, policy)
    summary = criteria(flag, group_names, 0)
    summary["user_count"] = _USER_COUNT.marker
    value = flag_json(flag, summary, _ACTIVE.marker, None, why_not is None, why_not, _ME.marker)
    value["my_enrollment"] = _ENROLLMENT.marker
    return tuple(template(value, _FLAG_HOLES))


def _add_to(index, key, flag_id):
    index.setdefault(key, set()).add(flag_id)


class _Catalogue:
    """The visible flags of one version of waffle's flag list under one policy, sorted by name.

    ``pieces[i]`` is flag i's JSON cut at the holes; ``plain_tail[i]`` what follows its answer when the
    caller holds no enrollment in it and neither the flag nor its groups list the caller (most flags,
    for most callers); ``rendered[i]`` that whole JSON as last written, with the count and answer it
    was written for. ``kinds[i]`` numbers the flags that waffle answers alike (``_kind_key``), or is
    None if that does not apply to this Flag model; ``named_by_*`` are the flag ids each query
    parameter, cookie or header name would make waffle read.
    """

    __slots__ = (
        "token", "policy", "cookie_formats", "flags", "ids", "position", "some_hidden", "pieces", "plain_tail",
        "rendered", "group_names", "flags_of_group", "hooked", "kinds", "kind_count", "named_by_query",
        "named_by_cookie", "named_by_header",
    )

    def __init__(self, token, policy, cookie_formats, all_flags, groups_by_flag):
        self.token = token
        self.policy = policy
        self.cookie_formats = cookie_formats
        self.flags = sorted((f for f in all_flags if policy.is_visible(f.name)), key=lambda f: f.name)
        self.some_hidden = len(self.flags) != len(all_flags)
        self.ids = [f.pk for f in self.flags]
        self.position = {f.name: i for i, f in enumerate(self.flags)}
        self.group_names = [groups_by_flag.get(f.pk) for f in self.flags]  # {group id: name} or None
        self.flags_of_group = {}  # group id -> ids of the visible flags limited to it
        for flag_id, names in zip(self.ids, self.group_names):
            for group_id in names or ():
                _add_to(self.flags_of_group, group_id, flag_id)
        self.pieces = [_flag_pieces(f, policy, (g or {}).values()) for f, g in zip(self.flags, self.group_names)]
        self.plain_tail = [p[2] + b"null" + p[3] + _NOT_MINE[False] + p[4] for p in self.pieces]
        self.rendered = [None] * len(self.flags)  # (count, answer, JSON); replaced whole, never changed
        self.hooked = (
            [_hooked_copy(f, frozenset(g or ())) for f, g in zip(self.flags, self.group_names)] if _HAS_HOOKS else None
        )
        kinds = {}
        applies = {cls: _kinds_apply(cls) for cls in {type(f) for f in self.flags}}
        self.kinds = [_kind_of(f, kinds) if applies[type(f)] else None for f in self.flags]
        self.kind_count = len(kinds)
        cookie, test_cookie = cookie_formats
        self.named_by_query, self.named_by_cookie, self.named_by_header = {}, {}, {}
        for f in self.flags:
            test_name = test_cookie % f.name
            _add_to(self.named_by_query, f.name, f.pk)  # WAFFLE_OVERRIDE
            _add_to(self.named_by_query, test_name, f.pk)
            _add_to(self.named_by_cookie, test_name, f.pk)
            _add_to(self.named_by_cookie, cookie % f.name, f.pk)
            _add_to(self.named_by_header, test_name.replace("_", "-").lower(), f.pk)  # request.headers: any case

    def named_by(self, http_request):
        """Ids of the flags whose answer may depend on a query parameter, cookie or header of this request."""
        named = set()
        for index, keys in (
            (self.named_by_query, http_request.GET),
            (self.named_by_cookie, http_request.COOKIES),
            (self.named_by_header, (h.lower() for h in http_request.headers)),
        ):
            for key in keys:
                ids = index.get(key)
                if ids:
                    named |= ids
        return named


_catalogue = None  # this process's last catalogue; replaced whole (only `rendered` changes, slot by slot)
_building = threading.Lock()


def _read_groups():
    groups_by_flag = defaultdict(dict)  # flag id -> {group id: name}
    for flag_id, group_id, group_name in Flag.groups.through.objects.values_list("flag_id", "group_id", "group__name"):
        groups_by_flag[flag_id][group_id] = group_name
    return groups_by_flag


def _current_catalogue(policy, token):
    """The catalogue for ``token`` (read from the cache by the caller; None: there is none)."""
    global _catalogue
    formats = _cookie_formats()
    known = _catalogue
    if token is not None and known is not None and known.token == token and known.policy == policy and (
        known.cookie_formats == formats
    ):
        return known
    cache = get_cache()
    if token is None:
        # Store the token before reading the list: a change after this point deletes it again.
        token = uuid.uuid4().hex
        if not cache.add(FLAG_LIST_TOKEN_KEY, token):
            token = cache.get(FLAG_LIST_TOKEN_KEY) or token  # another process was first
    # Waffle's own cached list of every flag (the one its `flag_is_active` reads per flag): a cache
    # hit instead of a query and a thousand model instances built from rows.
    with _building:  # one thread of this process builds; the others wait for it, not build again
        known = _catalogue
        if known is not None and known.token == token and known.policy == policy and known.cookie_formats == formats:
            return known
        built = _Catalogue(token, policy, formats, Flag.get_all(), _read_groups())
        _catalogue = built
    return built


class _EnrollmentReader:
    """The caller's live enrollments with the users who created and ended them, as
    ``Enrollment.objects.live().filter(user=user).select_related("created_by", "ended_by")`` reads
    them, from a statement written once per database: the ORM compiled that query on every request
    (~0.8 ms of its ~1.8 ms in the benchmark). Values go through the converters the ORM applies, and
    the instances are built by ``Model.from_db``; of the users, only what ``user_json`` reads is
    loaded (the rest is deferred, as with ``only()``)."""

    def __init__(self, connection):
        q = connection.ops.quote_name
        User = get_user_model()
        meta = User._meta
        self.alias = connection.alias
        self.fields = [f.attname for f in Enrollment._meta.concrete_fields]
        user_fields = [meta.pk, meta.get_field(User.USERNAME_FIELD)]
        if any(f.name == "email" for f in meta.concrete_fields):
            user_fields.append(meta.get_field("email"))
        self.user_fields = [f.attname for f in user_fields]
        columns = [(f, "e") for f in Enrollment._meta.concrete_fields]
        columns += [(f, t) for t in ("c", "d") for f in user_fields]
        get = Enrollment._meta.get_field
        self.sql = (
            f"SELECT {', '.join(f'{t}.{q(f.column)}' for f, t in columns)}"
            f" FROM {q(Enrollment._meta.db_table)} e"
            f" LEFT OUTER JOIN {q(meta.db_table)} c ON c.{q(meta.pk.column)} = e.{q(get('created_by').column)}"
            f" LEFT OUTER JOIN {q(meta.db_table)} d ON d.{q(meta.pk.column)} = e.{q(get('ended_by').column)}"
            f" WHERE e.{q(get('user').column)} = %s AND e.{q(get('live').column)} IN (%s)"
        )
        self.converters = []  # (position, converters, expression), as SQLCompiler.get_converters
        for position, (field, table) in enumerate(columns):
            expression = field.get_col(table)
            convs = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
            if convs:
                self.converters.append((position, convs, expression))

    def read(self, connection, user):
        n, k = len(self.fields), len(self.user_fields)
        User = get_user_model()
        mine = {}
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [user.pk, True])
            rows = cursor.fetchall()
        for row in rows:
            row = list(row)
            for position, convs, expression in self.converters:
                value = row[position]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[position] = value
            e = Enrollment.from_db(self.alias, self.fields, row[:n])
            e.user = user  # the caller itself: no second copy of it per row
            for name, start in (("created_by", n), ("ended_by", n + k)):
                values = row[start : start + k]
                setattr(e, name, User.from_db(self.alias, self.user_fields, values) if values[0] is not None else None)
            mine[e.flag_id] = e
        return mine


_ENROLLMENT_READERS = {}  # database alias -> _EnrollmentReader


def _live_enrollments(user):
    """The caller's live enrollments: {flag id: Enrollment}."""
    connection = connections[router.db_for_read(Enrollment)]
    reader = _ENROLLMENT_READERS.get(connection.alias)
    if reader is None:
        reader = _ENROLLMENT_READERS[connection.alias] = _EnrollmentReader(connection)
    return reader.read(connection, user)


# ---- one request ---------------------------------------------------------------------------------


def flags_document(request, policy, head, names=None, caller_data=None):
    """The JSON body of GET flags/: ``head`` (a dict of the other top-level keys) and ``"flags"``, the
    visible flags (only those of ``names`` if given) sorted by name, as one bytes object.

    ``caller_data`` is ``read_caller(user)`` (read here if not given: that runs the sweep first).
    Cost: a fixed number of queries, none of which joins the flags to their members or carries a list
    of flag ids.
    """
    user = request.user
    if caller_data is None:
        caller_data = read_caller(user)
    cache = get_cache()
    cached = cache.get_many([FLAG_LIST_TOKEN_KEY, USER_COUNTS_KEY])  # one round trip to the cache
    catalogue = _current_catalogue(policy, cached.get(FLAG_LIST_TOKEN_KEY))
    user_counts = cached.get(USER_COUNTS_KEY)
    if user_counts is None:
        user_counts = _count_users(cache)
    if names is None:
        positions = range(len(catalogue.flags))
    else:
        position = catalogue.position
        positions = sorted({position[n] for n in names if n in position})

    member_of = caller_data.member_of
    my_group_ids = caller_data.group_ids
    my_enrollments = _live_enrollments(user)

    flags_of_group = catalogue.flags_of_group
    in_my_groups = set()  # ids of flags limited to a group of the caller's
    for group_id in my_group_ids:
        in_my_groups |= flags_of_group.get(group_id, _NONE)
    # Rendered from the pieces (not kept): the flags whose JSON says something of the caller.
    about_me = member_of | in_my_groups | my_enrollments.keys()

    hooked = catalogue.hooked
    if hooked is not None:
        # One read-only copy of the request serves every flag: with read_only=True waffle only ever
        # writes `waffle_tests[flag name]` on it, one key per flag, and reads nothing back across flags.
        evaluation_request = _read_only_request(request, _Caller(user, my_group_ids))
        # Asked of waffle one by one: flags whose answer may differ from that of their kind.
        alone = member_of | in_my_groups | catalogue.named_by(evaluation_request)
        answers = [None] * catalogue.kind_count  # kind -> waffle's answer for this request, as JSON
    reset = _member_of.set((frozenset([user.pk]), member_of))
    try:
        bodies = []
        add = bodies.append
        ids, kinds, rendered, plain_tail = catalogue.ids, catalogue.kinds, catalogue.rendered, catalogue.plain_tail
        pieces, group_names, flags = catalogue.pieces, catalogue.group_names, catalogue.flags
        count_of = user_counts.get
        for i in positions:
            flag_id = ids[i]
            if hooked is None:  # pragma: no cover - depends on the installed waffle
                alone_request = _read_only_request(request, user)
                active = _answer(waffle.flag_is_active(alone_request, flags[i].name, read_only=True))
            else:
                kind = kinds[i]
                if kind is None or flag_id in alone:
                    active = _answer(hooked[i].is_active(evaluation_request, read_only=True))
                else:
                    active = answers[kind]
                    if active is None:
                        active = answers[kind] = _answer(hooked[i].is_active(evaluation_request, read_only=True))
            count = count_of(flag_id, 0)
            if flag_id not in about_me:  # most flags, for most callers
                last = rendered[i]
                if last is not None and last[0] == count and last[1] == active:
                    add(last[2])
                    continue
                p = pieces[i]
                body = b"".join((p[0], _number(count), p[1], active, plain_tail[i]))
                rendered[i] = (count, active, body)
                add(body)
                continue
            listed = flag_id in member_of
            groups = group_names[i]
            mine = sorted(name for gid, name in groups.items() if gid in my_group_ids) if groups else None
            me = dumps({"listed": listed, "groups": mine}) if mine else _NOT_MINE[listed]
            enrollment = my_enrollments.get(flag_id)
            p = pieces[i]
            add(
                b"".join(
                    (
                        p[0], _number(count), p[1], active, p[2],
                        dumps(enrollment_json(enrollment)) if enrollment is not None else b"null", p[3],
                        me, p[4],
                    )
                )
            )
    finally:
        _member_of.reset(reset)
    # The hole is the list's only item: `before` ends with its "[", `after` starts with its "]".
    before, after = template({**head, "flags": [_FLAGS.marker]}, (_FLAGS,))
    return b"".join((before, ITEM_SEPARATOR.join(bodies), after))
