"""JSON in and out for customer enrollments. Input is checked strictly, with messages a person can act on."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .exceptions import InvalidRequest


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _user(user):
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "email": getattr(user, "email", "")}


def customer_json(customer, learner_count=None):
    body = {"uuid": str(customer.uuid), "name": customer.name, "slug": customer.slug}
    if learner_count is not None:
        body["learner_count"] = learner_count
    return body


def customer_enrollment_json(enrollment):
    return {
        "id": enrollment.pk,
        "flag": enrollment.flag_name,
        "enterprise_customer": {
            "uuid": str(enrollment.customer_uuid),
            "name": enrollment.customer_name,
            "slug": enrollment.customer_slug,
        },
        "learner_count": enrollment.learner_count,
        "created_by": _user(enrollment.created_by),
        "reason": enrollment.reason,
        "created_at": _iso(enrollment.created_at),
        "expires_at": _iso(enrollment.expires_at),
        "ended_at": _iso(enrollment.ended_at),
        "end_reason": enrollment.end_reason,
        "ended_by": _user(enrollment.ended_by),
        "state": enrollment.state,
    }


def customer_audit_json(entry):
    return {
        "id": entry.pk,
        "at": _iso(entry.at),
        "action": entry.action,
        "flag": entry.flag_name,
        "enterprise_customer": {"uuid": str(entry.customer_uuid), "slug": entry.customer_slug},
        "actor": entry.actor_username or None,
        "reason": entry.reason,
        "learner_count": entry.learner_count,
        "learners_added": entry.learners_added,
        "learners_removed": entry.learners_removed,
        "group": entry.group,
        "expires_at": _iso(entry.expires_at),
    }


# --- input ------------------------------------------------------------------------------------

FIELDS = ("flag", "enterprise_customer", "duration", "expires_at", "reason")
MAX_CUSTOMER_KEY_LENGTH = 255
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class CustomerEnrollmentRequest:
    flag: str
    enterprise_customer: str  # a uuid or a slug
    expires_at: object  # aware datetime
    reason: str


def _describe(value):
    return "null" if value is None else type(value).__name__.replace("str", "string").replace("dict", "object")


def _text(data, field, errors, max_length):
    if field not in data or data[field] is None:
        errors[field] = "This field is required."
        return None
    value = data[field]
    if not isinstance(value, str):
        errors[field] = f"Must be a string, not {_describe(value)}."
        return None
    value = value.strip()
    if not value:
        errors[field] = "Must not be blank."
    elif len(value) > max_length:
        errors[field] = f"Must be at most {max_length} characters (got {len(value)})."
    elif field != "reason" and _CONTROL.search(value):
        errors[field] = "Must not contain control characters."
    else:
        return value
    return None


def _expiry(data, errors, policy, now):
    max_s = int(policy.max_duration.total_seconds())
    duration, raw = data.get("duration"), data.get("expires_at")
    if duration is not None and raw is not None:
        errors["duration"] = "Give either duration or expires_at, not both."
    elif duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            errors["duration"] = f"Must be a whole number of seconds, not {_describe(duration)}."
        elif isinstance(duration, float) and not duration.is_integer():
            errors["duration"] = "Must be a whole number of seconds."
        elif duration <= 0:
            errors["duration"] = f"Must be more than 0 seconds (longest allowed for a customer: {max_s})."
        elif duration > max_s:
            errors[
                "duration"
            ] = f"Must be at most {max_s} seconds ({policy.max_duration}) for a customer; got {int(duration)}."
        else:
            return now + timedelta(seconds=int(duration))
    elif raw is not None:
        parsed = parse_datetime(raw) if isinstance(raw, str) else None
        if not isinstance(raw, str):
            errors["expires_at"] = f"Must be an ISO 8601 date-time string, not {_describe(raw)}."
        elif parsed is None:
            errors["expires_at"] = "Must be an ISO 8601 date-time such as 2030-01-31T18:00:00Z."
        elif timezone.is_naive(parsed):
            errors["expires_at"] = "Must include a time zone, e.g. a trailing Z or +02:00."
        elif parsed <= now:
            errors["expires_at"] = "Must be in the future."
        elif parsed - now > policy.max_duration:
            errors["expires_at"] = f"Must be at most {max_s} seconds ({policy.max_duration}) from now for a customer."
        else:
            return parsed
    else:
        return now + policy.default_duration
    return None


def parse_customer_enrollment_request(data, policy, now=None) -> CustomerEnrollmentRequest:
    """Validate a POST customer-enrollments/ body (``policy``: a CustomerPolicy) or raise InvalidRequest."""
    now = now or timezone.now()
    if not isinstance(data, dict):
        raise InvalidRequest(
            'Send a JSON object such as {"flag": "enterprise.x", "enterprise_customer": "test-enterprise", '
            f'"duration": 3600, "reason": "..."}}, not a JSON {_describe(data)}.'
        )
    errors = {}
    for key in sorted(set(data) - set(FIELDS), key=str):
        errors[str(key)[:64]] = f"Unknown field; accepted fields are {', '.join(FIELDS)}."
    flag = _text(data, "flag", errors, 100)
    customer = _text(data, "enterprise_customer", errors, MAX_CUSTOMER_KEY_LENGTH)
    if "enterprise_customer" in errors and errors["enterprise_customer"] == "This field is required.":
        errors["enterprise_customer"] += " Give the customer's uuid or slug, e.g. test-enterprise."
    reason = _text(data, "reason", errors, policy.max_reason_length)
    if errors.get("reason") in ("This field is required.", "Must not be blank."):
        errors["reason"] += " Say why (a ticket, a pilot plan); it is kept in the audit log."
    expires_at = _expiry(data, errors, policy, now)
    if errors:
        parts = " ".join(f"{field}: {message}" for field, message in errors.items())
        raise InvalidRequest("Invalid customer enrollment request. " + parts, errors=errors)
    return CustomerEnrollmentRequest(flag=flag, enterprise_customer=customer, expires_at=expires_at, reason=reason)
