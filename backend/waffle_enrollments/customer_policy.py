"""Who may turn a flag on for an enterprise customer, and for how long.

* create, list and end customer enrollments, and read a customer's learner count: the
  ``waffle_enrollments.enroll_customers`` permission (superusers hold every permission);
* which flags: the same ``ENROLLABLE_FLAGS`` policy as enrollments of users, and not a flag whose
  Everyone is Yes or No (``policy.why_not_enrollable``);
* longest enrollment: ``WAFFLE_ENROLLMENTS["MAX_CUSTOMER_DURATION"]`` (a timedelta or seconds;
  default 3 days); without a duration, the shorter of ``DEFAULT_DURATION`` and that.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from . import policy as rules

ENROLL_CUSTOMERS = "waffle_enrollments.enroll_customers"

NEEDS_PERMISSION = (
    "Turning a flag on for an enterprise customer needs the waffle_enrollments.enroll_customers "
    "permission; ask an LMS administrator."
)


def can_enroll_customers(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(ENROLL_CUSTOMERS))


@dataclass(frozen=True)
class CustomerPolicy:
    max_duration: timedelta
    default_duration: timedelta
    max_reason_length: int


def get_customer_policy(policy=None) -> CustomerPolicy:
    """Read from settings (validated by ``policy.get_policy`` and the app's system check)."""
    policy = policy or rules.get_policy()
    configured = getattr(settings, "WAFFLE_ENROLLMENTS", None) or {}
    max_duration = rules._duration(
        "MAX_CUSTOMER_DURATION", configured.get("MAX_CUSTOMER_DURATION", rules.DEFAULTS["MAX_CUSTOMER_DURATION"])
    )
    return CustomerPolicy(
        max_duration=max_duration,
        default_duration=min(policy.default_duration, max_duration),
        max_reason_length=policy.max_reason_length,
    )
