"""Customer enrollments at the size of a real pilot customer: enrolling, revoking and expiring a
customer of 10,000 learners, ``GET flags/?names=`` for one of its learners while the enrollment is
live (and before it), and waffle's ``flag_is_active`` for a learner with and without the customer's
group in the flag.

    backend/scripts/with-mariadb.sh /usr/bin/python3 -m bench.bench_customers   # a throw-away MariaDB
    cd backend && /usr/bin/python3 -m bench.bench_customers                     # SQLite (a temp file)

Requests go through Django's test ``Client`` in this process (the whole stack but the socket, as in
bench_api); waffle's cache is the one the settings configure. The database is a fresh test
database, filled with ``bulk_create``: 10,000 learners linked to the customer under test, 1,000
linked to another, 200 flags (one in ten limited to a group). Each enrollment is made with no group
left from the last one (the most work: the group is created and filled). Prints a summary to
stderr and one JSON object on the last line of stdout.
"""

import json
import os
import statistics
import sys
import time
from datetime import timedelta

from bench.bench_api import log, on_test_database, server_info, summary  # noqa: E402  (sets Django up)
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402
from waffle import flag_is_active  # noqa: E402
from waffle.models import Flag  # noqa: E402

from waffle_enrollments.customer_models import CustomerEnrollment  # noqa: E402
from waffle_enrollments.customer_services import expire_due_customers  # noqa: E402

API = "/api/waffle-enrollments/v1/"
LEARNERS = int(os.environ.get("BENCH_CUSTOMER_LEARNERS", "10000"))
OTHER_LEARNERS = 1000
FLAGS = 200
ROUNDS = int(os.environ.get("BENCH_CUSTOMER_ROUNDS", "5"))
GET_CALLS = int(os.environ.get("BENCH_GET_CALLS", "200"))
CHECKS = 2000  # flag_is_active calls per case
PAGE_FLAGS = 20


def seed():
    from enterprise_standin.models import EnterpriseCustomer, EnterpriseCustomerUser

    User = get_user_model()
    password = make_password("edx")
    pilot = EnterpriseCustomer.objects.create(name="Pilot Enterprise", slug="pilot-enterprise")
    other = EnterpriseCustomer.objects.create(name="Other Enterprise", slug="other-enterprise")
    User.objects.bulk_create(
        [User(username=f"pilot{i:05d}", email=f"pilot{i:05d}@example.com", password=password) for i in range(LEARNERS)]
        + [
            User(username=f"other{i:05d}", email=f"other{i:05d}@example.com", password=password)
            for i in range(OTHER_LEARNERS)
        ],
        batch_size=2000,
    )
    rows = []
    for customer, prefix in ((pilot, "pilot"), (other, "other")):
        for user_id in User.objects.filter(username__startswith=prefix).values_list("pk", flat=True):
            rows.append(EnterpriseCustomerUser(enterprise_customer=customer, user_id=user_id, user_fk_id=user_id))
    EnterpriseCustomerUser.objects.bulk_create(rows, batch_size=2000)
    Group.objects.bulk_create([Group(name=f"bench-group-{i}") for i in range(10)])
    groups = list(Group.objects.filter(name__startswith="bench-group-").order_by("pk"))
    Flag.objects.bulk_create([Flag(name=f"enterprise.bench_{i:04d}", superusers=False) for i in range(FLAGS)])
    flags = list(Flag.objects.order_by("name"))
    for i, flag in enumerate(flags):
        if i % 10 == 0:
            flag.groups.add(groups[i % len(groups)])
    qa = User.objects.create_user("bench_qa", "bench_qa@example.com", "edx", is_staff=True)
    qa.user_permissions.add(Permission.objects.get(codename="enroll_customers"))
    # A staff member who is also a learner of the pilot customer: GET flags/ is for staff.
    tester = User.objects.create_user("bench_tester", "bench_tester@example.com", "edx", is_staff=True)
    EnterpriseCustomerUser.objects.create(enterprise_customer=pilot, user_id=tester.pk, user_fk=tester)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute(
                "ANALYZE TABLE auth_user, auth_user_groups, auth_group, waffle_flag, waffle_flag_groups, "
                "enterprise_enterprisecustomeruser"
            )
            cursor.fetchall()
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
    return flags, qa, tester


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def per_call_us(fn, n):
    for _ in range(100):  # warm-up
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    s = sorted(samples)
    return {"n": n, "median": round(statistics.median(s), 1), "p95": round(s[int(0.95 * (n - 1))], 1)}


def check(user, name):
    def run():
        request = RequestFactory().get("/")
        request.user = user
        return flag_is_active(request, name)

    return run


def run():
    database = server_info()
    log(f"bench_customers: {database}; seeding {LEARNERS} + {OTHER_LEARNERS} learners, {FLAGS} flags …")
    flags, qa, tester = seed()
    User = get_user_model()
    client = Client()
    client.force_login(qa)
    body = {"enterprise_customer": "pilot-enterprise", "duration": 3600, "reason": "bench"}

    def post(flag):
        response = client.post(
            API + "customer-enrollments/", {**body, "flag": flag.name}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    enroll_ms, revoke_ms, expire_ms = [], [], []
    for i in range(ROUNDS):
        ms, created = timed(lambda: post(flags[1 + i]))
        enroll_ms.append(ms)
        ms, response = timed(lambda: client.delete(API + f"customer-enrollments/{created['id']}/"))
        assert response.status_code == 200 and response.json()["group"] == "deleted", response.content
        revoke_ms.append(ms)
        created = post(flags[1 + i])
        CustomerEnrollment.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
        ms, ended = timed(expire_due_customers)
        assert ended == 1
        expire_ms.append(ms)
    log(f"enroll {LEARNERS} learners: median {statistics.median(enroll_ms):.0f} ms, max {max(enroll_ms):.0f} ms")
    log(f"revoke: median {statistics.median(revoke_ms):.0f} ms; expire: median {statistics.median(expire_ms):.0f} ms")

    flag = flags[0]
    learner = User.objects.get(username="pilot00042")
    stranger = User.objects.get(username="other00042")
    tester_client = Client()
    tester_client.force_login(tester)
    names = "?names=" + ",".join(f.name for f in flags[:PAGE_FLAGS])

    def get_page():
        response = tester_client.get(API + "flags/" + names)
        assert response.status_code == 200
        return response

    def time_gets():
        for _ in range(20):
            get_page()
        return summary([timed(get_page)[0] for _ in range(GET_CALLS)])

    get_before = time_gets()
    checks_before = per_call_us(check(learner, flag.name), CHECKS)
    live = post(flag)
    assert next(f for f in get_page().json()["flags"] if f["name"] == flag.name)["active_for_me"] is True
    get_during = time_gets()
    checks_member = per_call_us(check(learner, flag.name), CHECKS)
    checks_stranger = per_call_us(check(stranger, flag.name), CHECKS)
    assert check(learner, flag.name)() is True and check(stranger, flag.name)() is False
    client.delete(API + f"customer-enrollments/{live['id']}/")
    log(f"GET flags/{names[:20]}… as a learner: p95 {get_before['p95']} ms before, {get_during['p95']} ms during")
    log(
        f"flag_is_active: {checks_before['median']} µs (no customer group), {checks_member['median']} µs (member), "
        f"{checks_stranger['median']} µs (not a member)"
    )
    return {
        "database": database,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "learners": LEARNERS,
        "rounds": ROUNDS,
        "enroll_ms": summary(enroll_ms),
        "revoke_ms": summary(revoke_ms),
        "expire_ms": summary(expire_ms),
        "page_flags": PAGE_FLAGS,
        "get_names_before_ms": get_before,
        "get_names_during_ms": get_during,
        "flag_is_active_us": {"no_group": checks_before, "member": checks_member, "not_member": checks_stranger},
    }


def main():
    return on_test_database(run)


if __name__ == "__main__":
    print(json.dumps(main()), flush=True)
    sys.exit(0)
