"""50 concurrent enrolls on one flag from two LMS processes (the devstack's Django on MariaDB +
memcached, over HTTP), then 50 concurrent revokes: latency, and what was lost.

    backend/scripts/with-mariadb.sh /usr/bin/python3 -m bench.bench_two_processes

Each round uses a new flag and 50 new users; requests alternate between the two processes, all 50 in
flight at once (a thread each). Counted after each round, in the database: the flag's memberships
(must be 50, then 0) and its audit rows (must be one per action). Prints a summary to stderr and one
JSON object on the last line of stdout.
"""

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from bench.bench_api import summary
from devstack.lms_processes import Browser, LmsProcesses, create_users_and_flag

API = "/api/waffle-enrollments/v1/"
CONCURRENT = 50
ROUNDS = int(os.environ.get("BENCH_CONCURRENT_ROUNDS", "4"))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def timed(call):
    started = time.perf_counter()
    status, body = call()
    return status, body, (time.perf_counter() - started) * 1000


def round_(lms, support, n):
    a, b = lms.processes
    flag = f"enterprise.concurrency_{n}"
    users = [f"load{n}_{i}" for i in range(CONCURRENT)]
    create_users_and_flag(lms, flag, users)
    body = {"flag": flag, "duration": 3600, "reason": "bench: concurrent enrolls"}

    def enroll(i):
        return timed(lambda: support.call((a, b)[i % 2], "POST", API + "enrollments/", {**body, "user": users[i]}))

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        enrolled = list(pool.map(enroll, range(CONCURRENT)))
    enroll_wall = (time.perf_counter() - started) * 1000
    flag_id = lms.one("SELECT id FROM waffle_flag WHERE name = %s", flag)
    members = lms.one("SELECT COUNT(*) FROM waffle_flag_users WHERE flag_id = %s", flag_id)
    audit_enrolled = lms.one("SELECT COUNT(*) FROM waffle_enrollments_auditentry WHERE flag_name = %s", flag)

    def revoke(i):
        enrollment_id = enrolled[i][1]["id"]
        return timed(lambda: support.call((b, a)[i % 2], "DELETE", f"{API}enrollments/{enrollment_id}/"))

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT) as pool:
        revoked = list(pool.map(revoke, range(CONCURRENT)))
    revoke_wall = (time.perf_counter() - started) * 1000
    return {
        "enroll_statuses": sorted({s for s, _, _ in enrolled}),
        "revoke_statuses": sorted({s for s, _, _ in revoked}),
        "enroll_ms": [ms for _, _, ms in enrolled],
        "revoke_ms": [ms for _, _, ms in revoked],
        "enroll_wall_ms": enroll_wall,
        "revoke_wall_ms": revoke_wall,
        "lost_memberships": CONCURRENT - members,
        "left_memberships": lms.one("SELECT COUNT(*) FROM waffle_flag_users WHERE flag_id = %s", flag_id),
        "audit_rows": lms.one("SELECT COUNT(*) FROM waffle_enrollments_auditentry WHERE flag_name = %s", flag),
        "audit_after_enrolls": audit_enrolled,
    }


def main():
    log(f"bench_two_processes: two LMS processes on MariaDB + memcached, {ROUNDS} rounds of {CONCURRENT}")
    with LmsProcesses(2) as lms:
        support = Browser(lms.processes[0], "support")
        rounds = [round_(lms, support, n) for n in range(ROUNDS)]
    enroll_ms = [ms for r in rounds for ms in r["enroll_ms"]]
    revoke_ms = [ms for r in rounds for ms in r["revoke_ms"]]
    result = {
        "concurrent": CONCURRENT,
        "rounds": ROUNDS,
        "processes": 2,
        "enroll_ms": summary(enroll_ms),
        "revoke_ms": summary(revoke_ms),
        "enroll_wall_ms": summary([r["enroll_wall_ms"] for r in rounds]),
        "revoke_wall_ms": summary([r["revoke_wall_ms"] for r in rounds]),
        "statuses": sorted({s for r in rounds for s in r["enroll_statuses"] + r["revoke_statuses"]}),
        "lost_memberships": sum(r["lost_memberships"] for r in rounds),
        "left_memberships": sum(r["left_memberships"] for r in rounds),
        "audit_after_enrolls": [r["audit_after_enrolls"] for r in rounds],
        "audit_rows": [r["audit_rows"] for r in rounds],
        "actions": 2 * CONCURRENT,
    }
    log(
        f"enrolls: p50 {result['enroll_ms']['p50']} ms, p95 {result['enroll_ms']['p95']} ms; "
        f"50 in {result['enroll_wall_ms']['p50']} ms; lost {result['lost_memberships']}; "
        f"audit rows per round {result['audit_rows']} for {result['actions']} actions"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
