"""Property-based fuzzing of every API endpoint: whatever the method, query string, headers and body,
the answer is JSON, below 500, and a refused request (4xx) writes no row.

Seeded: ``WAFFLE_FUZZ_SEED`` (default: a new random seed per run) is printed with any failure, and
re-running with it replays the same examples. ``WAFFLE_FUZZ_EXAMPLES`` (default 1,000) is the number
of generated requests per endpoint. A new endpoint is one line in ``ENDPOINTS``.
"""

import json
import os
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from waffle.models import Flag

from waffle_enrollments import services
from waffle_enrollments.customer_models import CustomerAuditEntry, CustomerEnrollment
from waffle_enrollments.models import AuditEntry, Enrollment, UserLookup

from .conftest import API, make_user

SEED = int(os.environ.get("WAFFLE_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
EXAMPLES = int(os.environ.get("WAFFLE_FUZZ_EXAMPLES") or 1000)
# Requests per generated example: Hypothesis's cost is mostly per example, so a batch of ten is about
# three times cheaper than ten examples; a failure still shrinks to the one request that failed.
BATCH = 10


@dataclass(frozen=True)
class Endpoint:
    """``path`` may hold ``{id}`` (filled with existing, missing and malformed ids); ``params`` and
    ``fields`` are the query parameters and body fields it knows, mixed into the generated requests."""

    path: str
    params: tuple = ()
    fields: tuple = ()


ENROLLMENT_FIELDS = ("flag", "user", "duration", "expires_at", "reason")
ENDPOINTS = [
    Endpoint("flags/", params=("names", "q", "user", "from_url")),
    Endpoint("users/", params=("q",)),
    Endpoint("lookups/", params=("limit",)),
    Endpoint("enrollments/", params=("flag", "user", "state", "limit", "offset"), fields=ENROLLMENT_FIELDS),
    Endpoint("enrollments/{id}/", fields=("reason",)),
    Endpoint(
        "customer-enrollments/",
        params=("flag", "enterprise_customer", "state", "limit", "offset"),
        fields=("flag", "enterprise_customer", "duration", "expires_at", "reason"),
    ),
    Endpoint("customer-enrollments/{id}/"),
    Endpoint("enterprise-customers/{id}/"),
]

METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=",
    "application/json;;;",
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "application/vnd.api+json",
    "",
    "*/*",
    "application/json; charset=utf-16",
]
ACCEPTS = [
    "application/json",
    "text/html",
    "*/*",
    "application/json; indent=4",
    "application/json; indent=x",
    "application/xml",
    "",
    "text/html;q=0.9, application/json;q=0.1",
    "\x00",
    "é",
]
NAMES = ["enterprise.fuzz", "enterprise.on", "other.flag", "enterprise.missing", "", "enterprise.*", "a" * 101]
USERS = [
    "fuzz-learner",
    "fuzz-learner@example.com",
    "fuzz-staff",
    "nobody",
    "FUZZ-LEARNER@EXAMPLE.COM",
    "",
    "@",
    "a" * 255,
    "inactive-user",
]

text = st.text(max_size=40)
weird_text = st.one_of(
    text,
    st.sampled_from(NAMES + USERS),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=20),
    st.sampled_from(["\x00", "\ud800", "\u2028", "' OR 1=1 --", "%", "%00", "<script>", "null", "-1", "1e999", "0x10"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    weird_text,
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12
)
durations = st.one_of(st.integers(min_value=-10, max_value=10**7), st.sampled_from([3600, 86400, 0, 1.5, "3600"]))


@st.composite
def near_valid_bodies(draw, fields):
    """A JSON object of the endpoint's fields with plausible and wrong values (the paths past parsing)."""
    body = {}
    for field in draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields))) if fields else []:
        if field == "flag":
            body[field] = draw(st.one_of(st.sampled_from(NAMES), json_values))
        elif field == "user":
            body[field] = draw(st.one_of(st.sampled_from(USERS), st.none(), json_values))
        elif field == "duration":
            body[field] = draw(st.one_of(durations, json_values))
        elif field == "expires_at":
            when = draw(st.integers(min_value=-(10**6), max_value=10**7))
            body[field] = draw(
                st.one_of(
                    st.just((timezone.now() + timedelta(seconds=when)).isoformat()),
                    st.sampled_from(
                        ["2030-99-99T00:00:00Z", "9999-12-31T23:59:59-23:59", "2030-01-01T00:00:00", "now"]
                    ),
                    json_values,
                )
            )
        else:
            body[field] = draw(st.one_of(st.just("fuzzing"), json_values))
    if draw(st.booleans()):
        body[draw(text)] = draw(json_values)
    return json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


PATHOLOGICAL = [
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b'{"flag": 1' + b"0" * 5000 + b"}",
    b'{"flag": "enterprise.fuzz", "duration": NaN, "reason": "x"}',
    b'{"flag": "enterprise.fuzz", "duration": Infinity, "reason": "x"}',
    b'{"flag": "enterprise.fuzz", "duration": 1e999, "reason": "x"}',
    b'{"flag": "enterprise.fuzz", "flag": "enterprise.on", "reason": "x"}',
    b'{"flag": "\\ud800", "reason": "x"}',
    b'{"flag": "\xff\xfe", "reason": "x"}',
    b'\xef\xbb\xbf{"flag": "enterprise.fuzz", "reason": "x"}',
    b'"' + b'\\"' * 2000,
    b"",
    b"null",
    b"{}",
    b"\x00",
]


@st.composite
def bodies(draw, fields):
    kind = draw(st.integers(min_value=0, max_value=4))
    if kind == 0:
        return draw(near_valid_bodies(fields))
    if kind == 1:
        return json.dumps(draw(json_values)).encode()
    if kind == 2:
        return draw(st.binary(max_size=200))
    if kind == 3:
        return draw(st.sampled_from(PATHOLOGICAL))
    return draw(st.text(max_size=100)).encode("utf-8", "surrogatepass")


@st.composite
def query_strings(draw, params):
    keys = st.one_of(st.sampled_from(params), text) if params else text
    pairs = draw(st.lists(st.tuples(keys, weird_text), max_size=4))
    encoded = urlencode([(k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for k, v in pairs])
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        encoded += draw(st.sampled_from(["&%ff%fe=%c3%28", "&names", "&=", "&&&", "&names=a&names=b", "&q=%00"]))
    return encoded


@st.composite
def requests(draw, endpoint, ids):
    method = draw(st.sampled_from(METHODS))
    path = endpoint.path
    if "{id}" in path:
        raw_id = draw(st.one_of(st.sampled_from(ids), st.integers(min_value=-5, max_value=10**20).map(str), text))
        path = path.replace("{id}", quote(raw_id.encode("utf-8", "surrogatepass"), safe="") or "x")
    headers = {}
    if draw(st.booleans()):
        headers["HTTP_ACCEPT"] = draw(st.sampled_from(ACCEPTS))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        headers["HTTP_X_CSRFTOKEN"] = draw(st.sampled_from(["", "x" * 64, "\x00"]))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        headers["HTTP_AUTHORIZATION"] = draw(st.sampled_from(["JWT ", "JWT a.b.c", "Bearer x", "Basic Og==", "JWT"]))
    if draw(st.integers(min_value=0, max_value=6)) == 0:
        headers["HTTP_USE_JWT_COOKIE"] = "true"
    if draw(st.integers(min_value=0, max_value=6)) == 0:
        headers["HTTP_X_HTTP_METHOD_OVERRIDE"] = draw(st.sampled_from(METHODS))
    body = draw(bodies(endpoint.fields))
    length = draw(st.sampled_from([None, None, None, "abc", "-1", "0", "99999999999", " 5"]))
    if length is not None and (not length.strip().isdigit() or int(length) <= len(body) or int(length) > 10**6):
        headers["CONTENT_LENGTH"] = length  # never more than the body holds, unless refused as too large
    return {
        "caller": draw(st.sampled_from(["superuser", "support", "staff", "learner", "anonymous"])),
        "method": method,
        "path": path,
        "query": draw(query_strings(endpoint.params)),
        "content_type": draw(st.sampled_from(CONTENT_TYPES)),
        "body": body,
        "headers": headers,
    }


def _snapshot():
    """Rows a request could write, leaving out what the expiry sweep does on any request (it ends
    enrollments that are due: an 'expired' audit row and one fewer membership each). The last item
    counts the ``?user=`` lookup audit, the one row a successful read writes."""
    q = connection.ops.quote_name
    enrollments = q(Enrollment._meta.db_table)
    audit = q(AuditEntry._meta.db_table)
    members = q(Flag.users.through._meta.db_table)
    flags = q(Flag._meta.db_table)
    lookups = q(UserLookup._meta.db_table)
    customer = q(CustomerEnrollment._meta.db_table)
    customer_audit = q(CustomerAuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {enrollments}), (SELECT MAX(id) FROM {enrollments}),"
            f" (SELECT COUNT(*) FROM {enrollments} WHERE end_reason = 'revoked'),"
            f" (SELECT COUNT(*) FROM {audit} WHERE action <> 'expired'),"
            f" (SELECT COUNT(*) FROM {members})"
            f"   + (SELECT COUNT(*) FROM {audit} WHERE action = 'expired' AND membership = 'removed'),"
            f" (SELECT COUNT(*) FROM {flags}), (SELECT MAX(modified) FROM {flags}),"
            f" (SELECT COUNT(*) FROM {customer}), (SELECT MAX(id) FROM {customer}),"
            f" (SELECT COUNT(*) FROM {customer_audit} WHERE action NOT IN ('expired', 'resynced')),"
            f" (SELECT COUNT(*) FROM {lookups})"
        )
        return cursor.fetchone()


def _send(client, request):
    path = API + request["path"] + ("?" + request["query"] if request["query"] else "")
    return client.generic(
        request["method"], path, request["body"], content_type=request["content_type"], **request["headers"]
    )


def _world(django_user_model):
    superuser = make_user(django_user_model, "fuzz-super", staff=True, superuser=True)
    callers = {
        "superuser": superuser,
        "support": make_user(django_user_model, "fuzz-support", staff=True, perms=["enroll_others"]),
        "staff": make_user(django_user_model, "fuzz-staff", staff=True),
        "learner": make_user(django_user_model, "fuzz-learner"),
        "anonymous": None,
    }
    make_user(django_user_model, "inactive-user", active=False)
    Flag.objects.create(name="enterprise.fuzz", everyone=None)
    Flag.objects.create(name="enterprise.on", everyone=True)
    Flag.objects.create(name="other.flag", everyone=None)
    live = services.enroll(
        flag_name="enterprise.fuzz",
        user=callers["learner"],
        actor=superuser,
        reason="seed",
        expires_at=timezone.now() + timedelta(days=1),
    )
    clients = {}
    for name, user in callers.items():
        clients[name] = Client(raise_request_exception=True)
        if user is not None:
            clients[name].force_login(user)
    return clients, [str(live.pk), str(live.pk + 1000), "0"]


def _check(response, request, before, after):
    where = f"{request['method']} {request['path']}?{request['query'][:200]} as {request['caller']}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.content[:300]!r}"
    content_type = response.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"{where}: Content-Type {content_type!r}"
    assert b"<html" not in response.content.lower(), f"{where}: HTML in the answer"
    if request["method"] != "HEAD":
        body = json.loads(response.content)
        if response.status_code >= 400:
            assert isinstance(body.get("detail"), str) and body["detail"], f"{where}: no sentence: {body!r}"
    if response.status_code >= 400:
        assert before == after, f"{where}: answered {response.status_code} but wrote rows: {before} -> {after}"
    elif request["method"] in ("GET", "HEAD", "OPTIONS"):
        assert before[:-1] == after[:-1], f"{where}: a read wrote rows: {before} -> {after}"
        assert after[-1] - before[-1] <= 1, f"{where}: a read wrote {after[-1] - before[-1]} lookup rows"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.path for e in ENDPOINTS])
def test_no_input_gives_a_5xx_html_or_a_written_row(endpoint, django_user_model):
    clients, ids = _world(django_user_model)

    sent = []

    @hypothesis_seed(SEED)
    @hypothesis_settings(
        max_examples=-(-EXAMPLES // BATCH),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(batch=st.lists(requests(endpoint, ids), min_size=BATCH, max_size=BATCH))
    def fuzz(batch):
        for request in batch:
            before = _snapshot()
            response = _send(clients[request["caller"]], request)
            sent.append(response.status_code)
            _check(response, request, before, _snapshot())

    try:
        fuzz()
    except BaseException as error:
        raise AssertionError(f"fuzzing {endpoint.path} failed; replay with WAFFLE_FUZZ_SEED={SEED}: {error}") from error
    assert len(sent) >= EXAMPLES, f"only {len(sent)} requests were generated (seed {SEED})"
    statuses = sorted(set(sent))
    print(f"fuzz {endpoint.path}: {len(sent)} requests, statuses {statuses}, seed {SEED}")


def test_the_fuzzer_covers_every_route():
    """A route added to urls.py without a line in ENDPOINTS fails here."""
    from waffle_enrollments.urls import urlpatterns

    routes = {str(p.pattern).lstrip("^").rstrip("$") for p in urlpatterns}
    routes = {re.sub(r"\(\?P<\w+>[^)]*\)|<(?:\w+:)?\w+>", "{id}", r) for r in routes}
    assert routes <= {e.path for e in ENDPOINTS}, f"routes without a fuzz line: {routes - {e.path for e in ENDPOINTS}}"


def test_the_snapshot_sees_a_written_row(django_user_model, db):
    """The property above can fail: a refused request that wrote a row would change the snapshot."""
    before = _snapshot()
    make_user(django_user_model, "someone")
    flag = Flag.objects.create(name="enterprise.snapshot")
    assert _snapshot() != before
    before = _snapshot()
    flag.users.add(django_user_model.objects.get(username="someone"))
    assert _snapshot() != before
    before = _snapshot()
    UserLookup.objects.create(viewer_username="a", subject_username="b")
    assert _snapshot()[-1] == before[-1] + 1


def test_pathological_bodies_are_answered_400(django_user_model, db):
    user = make_user(django_user_model, "fuzz-edge", staff=True, superuser=True)
    client = Client()
    client.force_login(user)
    for body in PATHOLOGICAL:
        if body in (b"", b"{}"):
            continue
        response = client.post(API + "enrollments/", body, content_type="application/json")
        assert response.status_code == 400, (body[:40], response.status_code, response.content[:200])
        assert (
            response.json()["detail"].startswith("JSON parse error")
            or "Send a JSON object" in response.json()["detail"]
        ), (body[:40], response.json())
    response = client.post(API + "enrollments/", b'{"flag": "x"}', content_type="application/json; charset=latin-1")
    assert response.status_code == 415 and "UTF-8" in response.json()["detail"]
