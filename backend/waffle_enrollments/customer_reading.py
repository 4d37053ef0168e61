"""What customer enrollments add to GET flags/, for one user (the subject), in two queries (one when
no flag is asked about).

* the subject's enterprise customers: ``[{uuid, name, slug, active}]`` (``[]`` without edx-enterprise);
* per flag, the customers with a live enrollment in it: ``[{uuid, name, slug}]``;
* per flag, those live enrollments whose customer the subject is linked to:
  ``[{id, enterprise_customer: {uuid, name, slug}, expires_at}]`` — why the flag is on for them.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from . import customer_directory as directory
from .customer_models import CustomerEnrollment


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass
class CustomersOfFlags:
    of_subject: list = field(default_factory=list)
    by_flag: dict = field(default_factory=dict)
    of_subject_by_flag: dict = field(default_factory=dict)


def read_customers_of_flags(subject, flag_ids) -> CustomersOfFlags:
    if not directory.is_available():
        return CustomersOfFlags()
    customers = directory.customers_of(subject)
    mine = {c.uuid for c in customers}
    by_flag, of_subject_by_flag = defaultdict(list), defaultdict(list)
    flag_ids = list(flag_ids)
    live = []
    if flag_ids:
        live = (
            CustomerEnrollment.objects.live()
            .filter(flag_id__in=flag_ids)
            .order_by("customer_name", "id")
            .only("id", "flag_id", "customer_uuid", "customer_name", "customer_slug", "expires_at")
        )
    for enrollment in live:
        customer = {
            "uuid": str(enrollment.customer_uuid),
            "name": enrollment.customer_name,
            "slug": enrollment.customer_slug,
        }
        by_flag[enrollment.flag_id].append(customer)
        if enrollment.customer_uuid in mine:
            of_subject_by_flag[enrollment.flag_id].append(
                {"id": enrollment.pk, "enterprise_customer": customer, "expires_at": _iso(enrollment.expires_at)}
            )
    return CustomersOfFlags(
        of_subject=[{"uuid": str(c.uuid), "name": c.name, "slug": c.slug, "active": c.active} for c in customers],
        by_flag=dict(by_flag),
        of_subject_by_flag=dict(of_subject_by_flag),
    )
