"""Every rule about who may do what, and which flags and durations are allowed.

Configured by the ``WAFFLE_ENROLLMENTS`` Django setting, a dict whose keys are all optional (each
default is in ``DEFAULTS`` below, and only there):

* ``ENROLLABLE_FLAGS``: glob patterns (fnmatch, case-sensitive) of the flags that may be enrolled in;
* ``VISIBLE_FLAGS``: glob patterns of the flags GET flags/ lists (enrollable or not);
* ``MAX_DURATION``, ``DEFAULT_DURATION``: the longest enrollment, and the one given when a request
  names no duration (a timedelta or a number of seconds); ``MAX_CUSTOMER_DURATION`` the same limit
  for a customer enrollment (customer_policy.py);
* ``MAX_BODY_BYTES``: the largest request body accepted, in bytes (larger: 413);
* ``MAX_REASON_LENGTH``: the longest reason accepted, in characters.

Who may do what (decided here only, never by the client):

* see flags and enrollments: active staff, or anyone holding one of this app's permissions;
* enroll oneself: staff, or the ``waffle_enrollments.enroll_self`` permission;
* look at another user's flags (``GET flags/?user=``), search users, list one's own lookups: the
  ``waffle_enrollments.view_others`` permission, which ``enroll_others`` implies;
* enroll someone else, list or end other people's enrollments: the
  ``waffle_enrollments.enroll_others`` permission (superusers hold every permission);
* end one's own enrollment: anyone who may see flags (ending only takes access away).

Each refusal has its sentence here, once: the ``require_*`` functions raise ``NotAllowed`` with it.
"""

from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase
from typing import Tuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .exceptions import NotAllowed

ENROLL_SELF = "waffle_enrollments.enroll_self"
ENROLL_OTHERS = "waffle_enrollments.enroll_others"
VIEW_OTHERS = "waffle_enrollments.view_others"
ENROLL_CUSTOMERS = "waffle_enrollments.enroll_customers"

DEFAULTS = {
    "ENROLLABLE_FLAGS": ["enterprise.*"],
    "VISIBLE_FLAGS": ["*"],
    "MAX_DURATION": timedelta(days=7),
    "DEFAULT_DURATION": timedelta(hours=8),
    "MAX_BODY_BYTES": 16 * 1024,
    "MAX_REASON_LENGTH": 500,
    "MAX_CUSTOMER_DURATION": timedelta(days=3),  # read by customer_policy.py
}


@dataclass(frozen=True)
class Policy:
    enrollable_flags: Tuple[str, ...]
    visible_flags: Tuple[str, ...]
    max_duration: timedelta
    default_duration: timedelta
    max_body_bytes: int
    max_reason_length: int

    def is_visible(self, flag_name: str) -> bool:
        # "*" (the default) is tested without fnmatch: GET flags/ asks once per flag.
        return any(p == "*" or fnmatchcase(flag_name, p) for p in self.visible_flags)

    def is_enrollable(self, flag_name: str) -> bool:
        return any(fnmatchcase(flag_name, p) for p in self.enrollable_flags)


def _duration(key, value):
    if isinstance(value, bool):
        raise ImproperlyConfigured(f"WAFFLE_ENROLLMENTS[{key!r}] must be a timedelta or seconds, not a bool")
    if isinstance(value, (int, float)):
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise ImproperlyConfigured(f"WAFFLE_ENROLLMENTS[{key!r}] must be a timedelta or a number of seconds")
    if value <= timedelta(0):
        raise ImproperlyConfigured(f"WAFFLE_ENROLLMENTS[{key!r}] must be positive")
    return value


def _patterns(key, value):
    if isinstance(value, str) or not all(isinstance(p, str) and p for p in value):
        raise ImproperlyConfigured(f"WAFFLE_ENROLLMENTS[{key!r}] must be a list of non-empty glob strings")
    return tuple(value)


def _positive_int(key, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ImproperlyConfigured(f"WAFFLE_ENROLLMENTS[{key!r}] must be a positive integer")
    return value


def get_policy() -> Policy:
    """Read and validate the policy from settings (cheap; read on every request)."""
    configured = getattr(settings, "WAFFLE_ENROLLMENTS", None) or {}
    if not isinstance(configured, dict):
        raise ImproperlyConfigured("WAFFLE_ENROLLMENTS must be a dict")
    unknown = set(configured) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"Unknown WAFFLE_ENROLLMENTS keys: {', '.join(sorted(unknown))}")
    merged = {**DEFAULTS, **configured}
    max_duration = _duration("MAX_DURATION", merged["MAX_DURATION"])
    default_duration = _duration("DEFAULT_DURATION", merged["DEFAULT_DURATION"])
    if default_duration > max_duration:
        raise ImproperlyConfigured("WAFFLE_ENROLLMENTS['DEFAULT_DURATION'] is longer than MAX_DURATION")
    return Policy(
        enrollable_flags=_patterns("ENROLLABLE_FLAGS", merged["ENROLLABLE_FLAGS"]),
        visible_flags=_patterns("VISIBLE_FLAGS", merged["VISIBLE_FLAGS"]),
        max_duration=max_duration,
        default_duration=default_duration,
        max_body_bytes=_positive_int("MAX_BODY_BYTES", merged["MAX_BODY_BYTES"]),
        max_reason_length=_positive_int("MAX_REASON_LENGTH", merged["MAX_REASON_LENGTH"]),
    )


# --- who may do what -------------------------------------------------------------------------


def _usable(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_enroll_self(user) -> bool:
    return _usable(user) and (user.is_staff or user.has_perm(ENROLL_SELF))


def can_enroll_others(user) -> bool:
    return _usable(user) and user.has_perm(ENROLL_OTHERS)


def can_view_others(user) -> bool:
    return _usable(user) and (user.has_perm(VIEW_OTHERS) or user.has_perm(ENROLL_OTHERS))


def can_enroll_customers(user, available: bool) -> bool:
    """``available``: edx-enterprise is installed (customer enrollments exist only then)."""
    return available and _usable(user) and user.has_perm(ENROLL_CUSTOMERS)


def can_use_api(user) -> bool:
    return can_enroll_self(user) or can_enroll_others(user) or can_view_others(user)


def can_end(user, enrollment) -> bool:
    if not can_use_api(user):
        return False
    return enrollment.user_id == user.pk or can_enroll_others(user)


SIGN_IN = (
    "Sign in to the LMS and try again: this request carried no valid session, JWT cookie or "
    "'Authorization: JWT' header."
)
STAFF_ONLY = (
    "Waffle enrollments are for LMS staff: this account is not staff and holds no waffle_enrollments "
    "permission. The flags shown in the page are read-only for you."
)


def require_view_others(user, doing="Looking at another user's flags"):
    if not can_view_others(user):
        raise NotAllowed(
            f"{doing} needs the waffle_enrollments.view_others permission (or enroll_others); being staff is "
            "not enough. Ask an LMS administrator to grant it; every lookup is audited."
        )


def require_enroll_self(user):
    if not can_enroll_self(user):
        raise NotAllowed("Enrolling yourself needs staff status or the waffle_enrollments.enroll_self permission.")


def require_enroll_others(user):
    if not can_enroll_others(user):
        raise NotAllowed(
            "Enrolling another user needs the waffle_enrollments.enroll_others permission; "
            "ask an LMS administrator, or leave out 'user' to enroll yourself."
        )


def require_see_enrollments_of_others(user, listing=False):
    if not can_enroll_others(user):
        if listing:
            raise NotAllowed(
                "Listing other users' enrollments needs the waffle_enrollments.enroll_others permission; "
                "without it you see your own."
            )
        raise NotAllowed("Seeing other users' enrollments needs the waffle_enrollments.enroll_others permission.")


def require_end(user, enrollment):
    if not can_end(user, enrollment):
        raise NotAllowed("Ending another user's enrollment needs the waffle_enrollments.enroll_others permission.")


def require_enroll_customers(user, available: bool):
    if not can_enroll_customers(user, available):
        raise NotAllowed(
            "Turning a flag on for an enterprise customer needs the waffle_enrollments.enroll_customers "
            "permission; ask an LMS administrator."
        )


def require_in_policy(flag_name: str, policy: Policy):
    if not policy.is_enrollable(flag_name):
        raise NotAllowed(_outside(flag_name, policy))


def _outside(flag_name, policy):
    return (
        f"'{flag_name}' is outside the enrollment policy; only flags matching "
        f"{', '.join(policy.enrollable_flags)} can be enrolled in."
    )


def why_not_enrollable(flag, policy: Policy):
    """A sentence saying why enrolling in ``flag`` would be refused or pointless, or None."""
    if not policy.is_enrollable(flag.name):
        return _outside(flag.name, policy)
    if flag.everyone is True:
        return (
            f"'{flag.name}' has Everyone set to Yes: it is already on for every user, "
            "so an enrollment would change nothing."
        )
    if flag.everyone is False:
        return (
            f"'{flag.name}' has Everyone set to No: it is off for every user whatever the user list says, "
            "so an enrollment would change nothing. Ask an operator to set Everyone to Unknown."
        )
    return None
