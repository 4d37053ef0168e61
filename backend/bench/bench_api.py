"""Latency of the API on a realistically filled database: GET flags/ as the popup calls it (``?names=``
with a portal page's ~20 flags, ``?q=`` for the flag picker, ``?user=X&names=`` for "View as user"),
GET users/?q= (the user picker) among 100,000 users, POST enrollments/, and the whole list; and the
query count of GET flags/ at 100 and at 1,000 flags.

    backend/scripts/with-mariadb.sh /usr/bin/python3 -m bench.bench_api     # on a throw-away MariaDB + memcached
    cd backend && /usr/bin/python3 -m bench.bench_api                       # on SQLite (a temp file)

How it measures: requests go through Django's test ``Client`` in this process, which runs the whole
stack a real request runs (middleware, session authentication against the database, URL routing, DRF,
the view, JSON rendering) but no socket and no WSGI server; the time is ``perf_counter`` around each
call. The database is a fresh one created (and dropped afterwards) by Django's test-database
machinery, migrated, then filled with ``bulk_create``:

* 10,000 learners, each with 2 live enrollments in enrollable flags (one among the first 100 flags,
  one among the other 900) and the ``Flag.users`` rows that go with them, 2 ended enrollments, and
  an audit row for every enrollment event; one in ten also has memberships of its own (put there by
  an admin, no enrollment);
* 1,000 flags (60% ``enterprise.*``, enrollable), cycling through every Waffle criterion, one in ten
  limited to groups;
* the caller: a staff user in 3 groups with 10 live enrollments of their own;
* 90,000 more users without enrollments (100,000 in all) for the user search.

The cache is whatever ``CACHES`` the settings give (printed, and returned as ``cache``); every timed
request runs after warm-up requests, so waffle's cache holds each flag's users and groups, as in a
running LMS; "cold" rows clear the whole cache before each request.

Prints a human summary to stderr and one JSON object on the last line of stdout.
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Django's local-memory cache keeps 300 keys by default; waffle keeps up to three per flag, and with
    # 1,000 flags it would evict them as fast as it fills them. memcached (the LMS's cache) has no such cap.
    settings.CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = 100_000

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from waffle.models import Flag  # noqa: E402

from waffle_enrollments import expiry  # noqa: E402
from waffle_enrollments.models import AuditEntry, Enrollment  # noqa: E402

API = "/api/waffle-enrollments/v1/"
USERS = int(os.environ.get("BENCH_USERS", "10000"))
ALL_USERS = int(os.environ.get("BENCH_ALL_USERS", "100000"))  # for GET users/?q=
FLAGS_SMALL = 100
PAGE_FLAGS = 20  # GET flags/?names=: about as many as a portal page's responses carry (10-30)
SEARCH = "bench_04"  # GET flags/?q=: 100 flags match, the first 50 are answered
FLAGS = int(os.environ.get("BENCH_FLAGS", "1000"))
GET_CALLS = int(os.environ.get("BENCH_GET_CALLS", "200"))
POST_CALLS = int(os.environ.get("BENCH_POST_CALLS", "200"))
WARMUP = 20

KINDS = [
    dict(everyone=True),
    dict(everyone=False),
    dict(percent=Decimal("50")),
    dict(staff=True),
    dict(superusers=True),
    dict(authenticated=True),
    dict(testing=True),
    dict(languages="fr,de"),
    dict(rollout=True, percent=Decimal("10")),
    dict(),
]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def enrollable_flag(flag):
    """What the default policy lets anyone enroll in: ``enterprise.*`` and Everyone left Unknown."""
    return flag.name.startswith("enterprise.") and flag.everyone is None


def flag_name(i):
    return f"enterprise.bench_{i:04d}" if i % 5 < 3 else f"other.bench_{i:04d}"


class Seeder:
    def __init__(self):
        self.rng = random.Random(8)
        self.now = timezone.now()
        self.groups = []
        self.learners = []
        self.flags = []  # Flag instances in creation order
        self.enrolled = set()  # (flag_id, user_id) with a live enrollment
        self.members = set()  # (flag_id, user_id) in Flag.users

    def base(self):
        User = get_user_model()
        password = make_password("edx")
        Group.objects.bulk_create([Group(name=f"bench-group-{i}") for i in range(20)])
        self.groups = list(Group.objects.filter(name__startswith="bench-group-").order_by("pk"))
        User.objects.bulk_create(
            [
                User(username=f"learner{i:05d}", email=f"learner{i:05d}@example.com", password=password)
                for i in range(USERS)
            ],
            batch_size=2000,
        )
        self.learners = list(User.objects.filter(username__startswith="learner").order_by("pk"))
        self.caller = User.objects.create_user("bench_staff", "bench_staff@example.com", "edx", is_staff=True)
        self.caller.groups.add(*self.groups[:3])
        self.support = User.objects.create_user("bench_support", "bench_support@example.com", "edx", is_staff=True)
        self.support.user_permissions.add(
            Permission.objects.get(content_type__app_label="waffle_enrollments", codename="enroll_others")
        )

    def more_users(self, total):
        """Users with no enrollment, up to ``total`` users in all (people the user search must skip)."""
        User = get_user_model()
        start = User.objects.count()
        password = make_password("edx")
        User.objects.bulk_create(
            [
                User(username=f"person{i:06d}", email=f"p{i:06d}@example.org", password=password)
                for i in range(start, total)
            ],
            batch_size=5000,
        )

    def add_flags(self, count):
        start = len(self.flags)
        new = Flag.objects.bulk_create(
            [
                Flag(name=flag_name(i), note=f"bench flag {i}", **{"superusers": False, **KINDS[i % len(KINDS)]})
                for i in range(start, start + count)
            ]
        )
        if new[0].pk is None:  # backends that do not return ids from bulk_create
            new = list(Flag.objects.filter(name__in=[f.name for f in new]).order_by("pk"))
        self.flags.extend(new)
        through = Flag.groups.through
        through.objects.bulk_create(
            [
                through(flag_id=f.pk, group_id=g.pk)
                for n, f in enumerate(new)
                if (start + n) % 10 == 0
                for g in self.rng.sample(self.groups, 2)
            ]
        )
        return new

    def enroll_all(self, flags):
        """Each learner: 1 live and 1 ended enrollment among ``flags``; 1 in 10 also a plain membership."""
        enrollable = [f for f in flags if enrollable_flag(f)]
        enrollments, audit, memberships = [], [], []
        for user in self.learners:
            picks = self.rng.sample(enrollable, 2)
            for n, flag in enumerate(picks):
                if (flag.pk, user.pk) in self.enrolled:
                    continue
                created = self.now - timedelta(hours=self.rng.randint(1, 48))
                live = n == 0
                e = Enrollment(
                    flag=flag,
                    flag_name=flag.name,
                    user=user,
                    created_by=self.support,
                    reason="bench",
                    created_at=created,
                    expires_at=created + timedelta(days=7),
                    ended_at=None if live else created + timedelta(hours=1),
                    end_reason=None if live else "revoked",
                    ended_by=None if live else self.support,
                    preexisting_membership=False,
                    live=True if live else None,
                )
                enrollments.append(e)
                if live:
                    self.enrolled.add((flag.pk, user.pk))
                    if (flag.pk, user.pk) not in self.members:
                        self.members.add((flag.pk, user.pk))
                        memberships.append((flag.pk, user.pk))
            if user.pk % 10 == 0:
                other = self.rng.choice(flags)
                if (other.pk, user.pk) not in self.members:
                    self.members.add((other.pk, user.pk))
                    memberships.append((other.pk, user.pk))
        Enrollment.objects.bulk_create(enrollments, batch_size=2000)
        for e in Enrollment.objects.filter(reason="bench", audit_entries__isnull=True).select_related("user"):
            audit.append(self.audit_row(e, "enrolled", e.created_at))
            if e.ended_at is not None:
                audit.append(self.audit_row(e, "revoked", e.ended_at))
        AuditEntry.objects.bulk_create(audit, batch_size=2000)
        through = Flag.users.through
        through.objects.bulk_create([through(flag_id=f, user_id=u) for f, u in memberships], batch_size=5000)
        expiry.expiry_changed()  # bulk_create sends no post_save: say that expiries changed

    def audit_row(self, enrollment, action, at):
        return AuditEntry(
            action=action,
            enrollment=enrollment,
            flag_name=enrollment.flag_name,
            user_id=enrollment.user_id,
            username=enrollment.user.username,
            actor=self.support,
            actor_username="bench_support",
            reason="bench" if action == "enrolled" else "",
            membership="added" if action == "enrolled" else "removed",
            expires_at=enrollment.expires_at,
            at=at,
        )

    def enroll_caller(self, count):
        enrollable = [f for f in self.flags if enrollable_flag(f)]
        for flag in self.rng.sample(enrollable, count):
            if (flag.pk, self.caller.pk) in self.enrolled:
                continue
            Enrollment.objects.create(
                flag=flag,
                flag_name=flag.name,
                user=self.caller,
                created_by=self.caller,
                reason="bench",
                expires_at=self.now + timedelta(days=3),
                preexisting_membership=False,
            )
            flag.users.add(self.caller)
            self.enrolled.add((flag.pk, self.caller.pk))
            self.members.add((flag.pk, self.caller.pk))


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def summary(samples_ms):
    s = sorted(samples_ms)
    return {
        "n": len(s),
        "p50": round(statistics.median(s), 2),
        "p95": round(percentile(s, 95), 2),
        "min": round(s[0], 2),
        "max": round(s[-1], 2),
    }


def count_get_queries(client, query=""):
    assert client.get(API + "flags/" + query).status_code == 200  # waffle's cache filled, as in a running LMS
    with CaptureQueriesContext(connection) as captured:
        response = client.get(API + "flags/" + query)
    assert response.status_code == 200, response.content[:500]
    return len(captured), len(response.json()["flags"]), list(captured)


def time_calls(client, calls, path):
    for _ in range(WARMUP):
        assert client.get(API + path).status_code == 200
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get(API + path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
    return samples


def time_interleaved(client, calls, paths):
    """Several requests, taken in turn call by call, so that each sees the same machine load."""
    for _ in range(WARMUP):
        for path in paths:
            assert client.get(API + path).status_code == 200
    samples = {path: [] for path in paths}
    for n in range(calls):
        for path in paths[n % len(paths) :] + paths[: n % len(paths)]:
            started = time.perf_counter()
            response = client.get(API + path)
            samples[path].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:500]
    return [samples[path] for path in paths]


def page_names(seeder):
    """What the popup asks for on a portal page: the page's flags (here 20 enterprise flags, among them
    some the caller is enrolled in) and 2 names the LMS does not have."""
    rng = random.Random(10)
    enterprise = [f.name for f in seeder.flags if f.name.startswith("enterprise.")]
    names = rng.sample(enterprise, PAGE_FLAGS) + ["enterprise.not_in_this_lms", "enterprise.gone_since"]
    return ",".join(sorted(names))


def time_cold(client, calls, path):
    """A request right after a change: the whole cache (waffle's flags, their users and groups) is empty."""
    samples = []
    for _ in range(calls):
        cache.clear()
        started = time.perf_counter()
        response = client.get(API + path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def time_names_after_change(client, calls, path, flags):
    """The first GET flags/?names= after a flag change: a flag of the page saved (as the admin does),
    which flushes waffle's cached flag and flag list in the cache (memcached in the MariaDB run)."""
    samples = []
    for n in range(calls):
        flag = flags[n % len(flags)]
        flag.note = f"bench: changed {n}"
        flag.save()
        started = time.perf_counter()
        response = client.get(API + path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def time_post(client, seeder, calls):
    enrollable = [f for f in seeder.flags if enrollable_flag(f)]
    pairs = []
    rng = random.Random(9)
    while len(pairs) < calls + WARMUP:
        user = rng.choice(seeder.learners)
        flag = rng.choice(enrollable)
        if (flag.pk, user.pk) in seeder.enrolled:
            continue
        seeder.enrolled.add((flag.pk, user.pk))
        pairs.append((flag.name, user.username))
    samples = []
    for n, (flag, username) in enumerate(pairs):
        body = json.dumps({"flag": flag, "user": username, "duration": 3600, "reason": "bench: POST latency"})
        started = time.perf_counter()
        response = client.post(API + "enrollments/", body, content_type="application/json")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 201, (response.status_code, response.content[:500])
        if n >= WARMUP:
            samples.append(elapsed)
    return samples


def server_info():
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "mysql":
            cursor.execute("SELECT VERSION()")
            return f"MariaDB/MySQL {cursor.fetchone()[0]}"
        if vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
    return vendor


def on_test_database(run):
    """``run()`` on a fresh test database (created, migrated, dropped afterwards)."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main():
    return on_test_database(run)


def cache_info():
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"{backend} ({settings.CACHES['default'].get('LOCATION', '')})"


def run():
    database = server_info()
    log(f"bench_api: {database}, cache {cache_info()}; seeding {USERS} users …")
    started = time.perf_counter()
    seeder = Seeder()
    seeder.base()

    small = seeder.add_flags(FLAGS_SMALL)
    seeder.enroll_all(small)
    seeder.enroll_caller(5)
    caller = Client()
    caller.force_login(seeder.caller)
    q_small, n_small, _ = count_get_queries(caller)
    get_small = summary(time_calls(caller, max(50, GET_CALLS // 4), "flags/"))
    log(f"GET flags/ ({n_small} flags): p50 {get_small['p50']} ms, p95 {get_small['p95']} ms")

    rest = seeder.add_flags(FLAGS - FLAGS_SMALL)
    seeder.enroll_all(rest)
    seeder.enroll_caller(5)
    seeder.more_users(ALL_USERS)
    q_large, n_large, sql_large = count_get_queries(caller)
    seeded = time.perf_counter() - started
    log(
        f"seeded in {seeded:.1f} s: {Flag.objects.count()} flags, {get_user_model().objects.count()} users, "
        f"{Enrollment.objects.filter(live=True).count()} live enrollments, {Enrollment.objects.count()} in all, "
        f"{Flag.users.through.objects.count()} Flag.users rows, {AuditEntry.objects.count()} audit rows"
    )
    log(f"GET flags/ queries: {q_small} at {n_small} flags, {q_large} at {n_large} flags")
    if os.environ.get("BENCH_SHOW_SQL"):
        for q in sql_large:
            log(f"  {q['time']} s  {q['sql'][:400]}")

    with connection.cursor() as cursor:  # fresh statistics after the bulk load, as a running LMS has
        if connection.vendor == "mysql":
            tables = [
                "waffle_flag",
                "waffle_flag_users",
                "waffle_flag_groups",
                "auth_user",
                "auth_user_groups",
                Enrollment._meta.db_table,
                AuditEntry._meta.db_table,
            ]
            cursor.execute("ANALYZE TABLE " + ", ".join(tables))
            cursor.fetchall()
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")

    names = page_names(seeder)
    subject = seeder.rng.choice(seeder.learners).username
    paths = {
        "floor": "flags/?names=",  # no flag: authentication, the sweep, the policy and the body's head
        "names": f"flags/?names={names}",
        "q": f"flags/?q={SEARCH}",
        "user": f"flags/?user={subject}&names={names}",
    }
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(time_calls, caller, 50, paths[os.environ["BENCH_PROFILE"]])
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(
            os.environ.get("BENCH_PROFILE_FILTER", ""), 60
        )

    n_page = len(caller.get(API + paths["names"]).json()["flags"])
    searched = caller.get(API + paths["q"]).json()
    viewer = Client()
    viewer.force_login(seeder.support)
    floor_ms, names_ms, q_ms = time_interleaved(caller, GET_CALLS, [paths["floor"], paths["names"], paths["q"]])
    (user_ms,) = time_interleaved(viewer, GET_CALLS, [paths["user"]])
    floor, page, search, as_user = summary(floor_ms), summary(names_ms), summary(q_ms), summary(user_ms)
    log(f"GET flags/?names= (no name: the floor): p50 {floor['p50']} ms, p95 {floor['p95']} ms")
    log(f"GET flags/?names= ({n_page} of {n_large} flags): p50 {page['p50']} ms, p95 {page['p95']} ms")
    log(
        f"GET flags/?q={SEARCH} ({len(searched['flags'])} flags, truncated {searched['truncated']}): "
        f"p50 {search['p50']} ms, p95 {search['p95']} ms"
    )
    log(f"GET flags/?user=&names=: p50 {as_user['p50']} ms, p95 {as_user['p95']} ms")
    q_user_small = count_get_queries(viewer, f"?user={subject}&names={names.split(',')[0]}")[0]
    q_user_large = count_get_queries(viewer, "?" + paths["user"].split("?", 1)[1])[0]
    log(f"GET flags/?user=&names= queries: {q_user_small} for 1 name, {q_user_large} for {PAGE_FLAGS + 2}")

    prefix = "learner0"
    users_found = len(viewer.get(API + f"users/?q={prefix}").json()["results"])
    users_search = summary(time_calls(viewer, GET_CALLS, f"users/?q={prefix}"))
    log(
        f"GET users/?q={prefix} ({users_found} of {get_user_model().objects.count()} users): "
        f"p50 {users_search['p50']} ms, p95 {users_search['p95']} ms"
    )

    cold = summary(time_cold(caller, max(20, GET_CALLS // 5), paths["names"]))
    log(f"GET flags/?names= after a change (cache cold): p50 {cold['p50']} ms, p95 {cold['p95']} ms")
    get = summary(time_calls(caller, max(50, GET_CALLS // 4), "flags/"))
    page_flags = list(Flag.objects.filter(name__in=names.split(",")))
    changed = summary(time_names_after_change(caller, max(40, GET_CALLS // 2), paths["names"], page_flags))
    log(f"GET flags/?names= first after a flag change: p50 {changed['p50']} ms, p95 {changed['p95']} ms")
    log(f"GET flags/ ({n_large} flags): p50 {get['p50']} ms, p95 {get['p95']} ms, min {get['min']}, max {get['max']}")

    poster = Client()
    poster.force_login(seeder.support)
    post = summary(time_post(poster, seeder, POST_CALLS))
    log(f"POST enrollments/: p50 {post['p50']} ms, p95 {post['p95']} ms, min {post['min']}, max {post['max']}")

    result = {
        "database": database,
        "cache": cache_info(),
        "vendor": connection.vendor,
        "users": get_user_model().objects.count(),
        "enrolled_users": USERS,
        "flags": Flag.objects.count(),
        "live_enrollments": Enrollment.objects.filter(live=True).count(),
        "enrollments": Enrollment.objects.count(),
        "memberships": Flag.users.through.objects.count(),
        "audit_rows": AuditEntry.objects.count(),
        "get_flags_ms": get,
        "get_flags_cold_ms": cold,
        "get_flags_small_ms": get_small,
        "get_flags_names_ms": page,
        "get_flags_floor_ms": floor,
        "get_flags_q_ms": search,
        "q": SEARCH,
        "q_found": len(searched["flags"]),
        "get_flags_user_ms": as_user,
        "users_search_ms": users_search,
        "users_found": users_found,
        "get_flags_names_after_change_ms": changed,
        "names_asked": PAGE_FLAGS + 2,
        "names_found": n_page,
        "small_flags": n_small,
        "load_average": os.getloadavg(),
        "post_enrollments_ms": post,
        "queries": {str(n_small): q_small, str(n_large): q_large},
        "user_queries": {"1": q_user_small, str(PAGE_FLAGS + 2): q_user_large},
        "python": sys.version.split()[0],
        "django": django.get_version(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
