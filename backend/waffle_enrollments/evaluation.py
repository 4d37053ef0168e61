"""GET flags/: which flags are asked for, and what waffle answers for one user (the subject).

The answer for each flag is waffle's own ``Flag.is_active(request, read_only=True)``, the code the LMS
runs for ``waffle.flag_is_active``, on a request that carries the subject as its user:

* the caller looking at their own flags: a copy of their request (its cookies, query string and
  headers count, as in the LMS; the copy keeps waffle's notes off the real response);
* ``?user=``: a new request with no cookies, query string or headers, as a request of the subject's
  that the LMS sees for the first time. Testing-mode flags then read off (unless another criterion
  says on), percent flags read None ("undecided": read-only waffle does not roll the dice).

Waffle reads the flag's users and groups from its own cache (filled from the database when empty,
flushed on every change, exactly as in the LMS). What the answer shows besides is read here in a
fixed number of queries, whatever the number of flags: the flags with how many users each lists and
whether the subject is one (select_flags), the flags' groups with the subject's membership of each
(read_flag_groups), the subject's live enrollments, and what customer enrollments add
(customer_reading.py; its per-flag query only for flags that hold a customer's group).
"""

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from typing import List, Optional

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from waffle import get_waffle_flag_model

from . import customer_directory
from .customer_models import CUSTOMER_GROUP_PREFIX  # groups the plugin owns: shown as customers, not groups
from .customer_reading import read_customers_of_flags
from .models import Enrollment

MAX_SEARCH_RESULTS = 50


@dataclass
class Selection:
    flags: list  # Flag instances sorted by name, each with ``user_count`` and ``listed`` (see select_flags)
    truncated: Optional[bool]  # None unless searched


@dataclass
class FlagAnswer:
    """One flag as GET flags/ describes it for the subject."""

    flag: object
    active: Optional[bool]  # waffle's answer; None: decided by a percent roll the subject has not made yet
    user_count: int
    groups: List[str]  # the flag's ordinary groups
    subject_groups: List[str]  # those the subject is in
    listed: bool  # the flag lists the subject in Flag.users
    enrollment: Optional[Enrollment]  # the subject's live enrollment in it
    customers: list = field(default_factory=list)  # customers with a live enrollment in the flag
    subject_customers: list = field(default_factory=list)  # those of the subject's customers


@dataclass
class Customers:
    """What enterprise customers add to GET flags/ (see ``read_customers``)."""

    of_subject: list = field(default_factory=list)  # [{uuid, name, slug, active}]
    by_flag: dict = field(default_factory=dict)  # flag id -> [{uuid, name, slug}]
    of_subject_by_flag: dict = field(default_factory=dict)  # flag id -> [{id, enterprise_customer, expires_at}]


def customer_enrollments_available() -> bool:
    """Customer enrollments need edx-enterprise (an app labelled ``enterprise``)."""
    return customer_directory.is_available()


def read_customers(subject, flag_ids) -> Customers:
    """The subject's enterprise customers and the flags' live customer enrollments, in a fixed number of
    queries (none without edx-enterprise); see customer_reading.py."""
    read = read_customers_of_flags(subject, flag_ids)
    return Customers(of_subject=read.of_subject, by_flag=read.by_flag, of_subject_by_flag=read.of_subject_by_flag)


# ---- which flags --------------------------------------------------------------------------------


def select_flags(policy, subject, names=None, search=None) -> Selection:
    """The visible flags, sorted by name: those of ``names`` if given, those whose name contains
    ``search`` (case-insensitive; the first ``MAX_SEARCH_RESULTS``) if given, else all.

    Each flag comes with ``user_count`` (how many users ``Flag.users`` lists) and ``listed`` (whether
    one of them is ``subject``), read in the same query by two subqueries on ``Flag.users``' table. (A
    join with GROUP BY made MariaDB copy the selected rows, TEXT ``note`` included, into a temporary
    table: 2.9 ms against 1.1 ms for 20 flags of 1,000.)"""
    if names is not None and not names:  # names= asking for none (the popup before a page has flags)
        return Selection(flags=[], truncated=None)
    Flag = get_waffle_flag_model()
    members = Flag.users.through.objects.filter(flag_id=OuterRef("pk"))
    rows = Flag.objects.annotate(
        user_count=Coalesce(Subquery(members.values("flag_id").annotate(n=Count("*")).values("n")), 0),
        listed=Exists(members.filter(user_id=subject.pk)),
    )
    truncated = None
    if search is not None:
        # Names first (a search may match most flags), then the rows of the first 50 visible ones.
        matches = Flag.objects.filter(name__icontains=search).values_list("pk", "name")
        visible = sorted((name, pk) for pk, name in matches if policy.is_visible(name))
        truncated = len(visible) > MAX_SEARCH_RESULTS
        rows = rows.filter(pk__in=[pk for _, pk in visible[:MAX_SEARCH_RESULTS]])
    elif names is not None:
        rows = rows.filter(name__in=names)
    flags = sorted((f for f in rows if policy.is_visible(f.name)), key=lambda f: f.name)
    return Selection(flags=flags, truncated=truncated)


@dataclass
class FlagGroup:
    id: int
    name: str
    subject_is_member: bool


def read_flag_groups(flag_ids, subject) -> dict:
    """flag id -> its groups (customer groups included), each saying whether the subject is in it:
    one query, whatever the number of flags."""
    Flag = get_waffle_flag_model()
    member = get_user_model().groups.through.objects.filter(user_id=subject.pk, group_id=OuterRef("group_id"))
    rows = (
        Flag.groups.through.objects.filter(flag_id__in=flag_ids)
        .annotate(mine=Exists(member))
        .order_by("group__name")
        .values_list("flag_id", "group_id", "group__name", "mine")
    )
    groups = defaultdict(list)
    for flag_id, group_id, name, mine in rows:
        groups[flag_id].append(FlagGroup(group_id, name, bool(mine)))
    return groups


# ---- waffle's answer for the subject ------------------------------------------------------------


class _PreloadedGroups:
    """``user.groups`` as waffle reads it (``user.groups.all().values_list("pk", flat=True)``), answered
    from the subject's group ids read once; any other use goes to the real manager."""

    def __init__(self, manager, group_ids):
        self._manager = manager
        self._ids = list(group_ids)

    def all(self):
        return self

    def values_list(self, *fields, flat=False):
        if flat and fields in (("pk",), ("id",)):
            return list(self._ids)
        return self._manager.values_list(*fields, flat=flat)

    def __getattr__(self, name):
        return getattr(self._manager.all(), name)


class _Subject:
    """The subject as waffle sees it: the user itself, with its groups read once for every flag."""

    def __init__(self, user, group_ids):
        self._user = user
        self.groups = _PreloadedGroups(user.groups, group_ids)

    def __getattr__(self, name):
        return getattr(self._user, name)


def evaluation_request(subject, group_ids, caller_request=None):
    """The request waffle evaluates the flags on: a copy of the caller's own request (``caller_request``,
    a Django HttpRequest) or, without it, a new one with no cookies, query string or headers."""
    if caller_request is not None:
        request = copy.copy(caller_request)
        for note in ("waffles", "waffle_tests"):  # waffle's notes for the response's cookies
            request.__dict__.pop(note, None)
    else:
        request = HttpRequest()
        request.method = "GET"
    request.user = _Subject(subject, group_ids)
    return request


@dataclass
class Evaluation:
    answers: List[FlagAnswer]
    subject_customers: list  # the subject's enterprise customers: [{uuid, name, slug, active}]


def evaluate(selection: Selection, subject, caller_request=None) -> Evaluation:
    """Every selected flag, with waffle's answer for ``subject`` (see the module's docstring)."""
    flags = selection.flags
    ids = [f.pk for f in flags]
    if not ids:  # names= asking for none: only the subject's customers
        return Evaluation(answers=[], subject_customers=read_customers(subject, []).of_subject)
    groups = read_flag_groups(ids, subject)
    # Waffle asks for the subject's groups only to find one among the flag's: those of these flags do.
    subject_group_ids = {g.id for of_flag in groups.values() for g in of_flag if g.subject_is_member}
    enrollments = {}
    # A live enrollment has no ended_by: only its creator is read with it.
    for enrollment in Enrollment.objects.live().filter(user=subject, flag_id__in=ids).select_related("created_by"):
        enrollment.user = subject
        enrollments[enrollment.flag_id] = enrollment
    # A live customer enrollment is its customer's group in Flag.groups: without one, nothing to read.
    with_customer = [i for i in ids if any(g.name.startswith(CUSTOMER_GROUP_PREFIX) for g in groups.get(i, ()))]
    customers = read_customers(subject, with_customer)

    request = evaluation_request(subject, subject_group_ids, caller_request)
    answers = []
    for flag in flags:
        ordinary = [g for g in groups.get(flag.pk, ()) if not g.name.startswith(CUSTOMER_GROUP_PREFIX)]
        answers.append(
            FlagAnswer(
                flag=flag,
                active=flag.is_active(request, read_only=True),
                user_count=flag.user_count,
                groups=[g.name for g in ordinary],
                subject_groups=[g.name for g in ordinary if g.subject_is_member],
                listed=bool(flag.listed),
                enrollment=enrollments.get(flag.pk),
                customers=customers.by_flag.get(flag.pk, []),
                subject_customers=customers.of_subject_by_flag.get(flag.pk, []),
            )
        )
    return Evaluation(answers=answers, subject_customers=customers.of_subject)
