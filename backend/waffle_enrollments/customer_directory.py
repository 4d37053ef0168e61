"""edx-enterprise's customers and their learners, read through its own models found by app label.

``enterprise.EnterpriseCustomer`` (``uuid`` primary key, ``name``, ``slug``, ``active``) and
``enterprise.EnterpriseCustomerUser`` (``enterprise_customer``, integer ``user_id``, ``linked``;
its default manager returns linked rows only). Nothing is imported from edx-enterprise: without
an app labelled ``enterprise`` the feature is unavailable and every function here says so.

A customer's learners are the users linked to it (``linked``; ``active`` only marks which of a
user's customers is the current one) whose LMS account is active.
"""

import uuid
from dataclasses import dataclass
from typing import FrozenSet, List, Optional

from django.apps import apps
from django.contrib.auth import get_user_model

ENTERPRISE_APP_LABEL = "enterprise"
UNAVAILABLE = (
    "Customer enrollments need edx-enterprise, which is not installed in this LMS "
    "(no app labelled 'enterprise'); enrollments of single users still work."
)


@dataclass(frozen=True)
class Customer:
    uuid: uuid.UUID
    name: str
    slug: str
    active: bool


def customer_model():
    try:
        return apps.get_model(ENTERPRISE_APP_LABEL, "EnterpriseCustomer")
    except LookupError:
        return None


def link_model():
    try:
        return apps.get_model(ENTERPRISE_APP_LABEL, "EnterpriseCustomerUser")
    except LookupError:
        return None


def is_available() -> bool:
    return customer_model() is not None and link_model() is not None


def _customer(row) -> Customer:
    return Customer(uuid=row.uuid, name=row.name, slug=row.slug, active=bool(row.active))


def find_customer(key: str) -> Optional[Customer]:
    """The customer whose uuid (any spelling Python's UUID accepts) or slug is ``key``, or None."""
    model = customer_model()
    try:
        as_uuid = uuid.UUID(key)
    except ValueError:
        as_uuid = None
    row = model.objects.filter(pk=as_uuid).first() if as_uuid is not None else None
    if row is None:
        row = model.objects.filter(slug=key).first()
    return _customer(row) if row is not None else None


def customer_by_uuid(customer_uuid) -> Optional[Customer]:
    row = customer_model().objects.filter(pk=customer_uuid).first()
    return _customer(row) if row is not None else None


def _linked_rows(customer_uuid):
    return link_model().objects.filter(enterprise_customer_id=customer_uuid)  # default manager: linked only


def lock_linked_user_ids(customer_uuid) -> FrozenSet[int]:
    """User ids of the rows linked to the customer, read with ``SELECT ... FOR UPDATE`` (inside the
    caller's transaction): waits for links being written right now, and holds new ones off until
    the caller commits. Must be the transaction's first plain read's predecessor (see
    customer_services), so that later reads see what these locks waited for."""
    return frozenset(_linked_rows(customer_uuid).select_for_update().values_list("user_id", flat=True))


def learner_ids(candidate_ids) -> FrozenSet[int]:
    """Of ``candidate_ids``, the ids of existing, active LMS accounts."""
    User = get_user_model()
    found = set()
    ids = list(candidate_ids)
    for start in range(0, len(ids), 1000):
        found.update(User.objects.filter(pk__in=ids[start : start + 1000], is_active=True).values_list("pk", flat=True))
    return frozenset(found)


def is_learner(customer_uuid, user_id) -> bool:
    """Is ``user_id`` linked to the customer and an active account?"""
    User = get_user_model()
    return (
        _linked_rows(customer_uuid).filter(user_id=user_id).exists()
        and User.objects.filter(pk=user_id, is_active=True).exists()
    )


def learner_count(customer_uuid) -> int:
    User = get_user_model()
    return User.objects.filter(is_active=True, pk__in=_linked_rows(customer_uuid).values("user_id")).count()


def customers_of(user) -> List[Customer]:
    """The customers ``user`` is linked to, by name; ``[]`` when edx-enterprise is not installed."""
    if not is_available() or user is None or not getattr(user, "pk", None):
        return []
    model = customer_model()
    uuids = link_model().objects.filter(user_id=user.pk).values("enterprise_customer_id")
    return [_customer(row) for row in model.objects.filter(pk__in=uuids).order_by("name", "slug")]
