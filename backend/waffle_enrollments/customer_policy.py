"""How long a flag may be on for an enterprise customer (who may: ``policy.can_enroll_customers``).

* longest enrollment: ``WAFFLE_ENROLLMENTS["MAX_CUSTOMER_DURATION"]`` (a timedelta or seconds;
  default 3 days); without a duration, the shorter of ``DEFAULT_DURATION`` and that;
* which flags: the same ``ENROLLABLE_FLAGS`` policy as enrollments of users, and not a flag whose
  Everyone is Yes or No (``policy.why_not_enrollable``).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from . import policy as rules


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
