"""JSON in and out. Input is checked strictly (types included) with messages a person can act on."""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .exceptions import InvalidRequest


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def user_json(user):
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "email": getattr(user, "email", "")}


def enrollment_json(enrollment):
    return {
        "id": enrollment.pk,
        "flag": enrollment.flag_name,
        "user": user_json(enrollment.user),
        "created_by": user_json(enrollment.created_by),
        "reason": enrollment.reason,
        "created_at": _iso(enrollment.created_at),
        "expires_at": _iso(enrollment.expires_at),
        "ended_at": _iso(enrollment.ended_at),
        "end_reason": enrollment.end_reason,
        "ended_by": user_json(enrollment.ended_by),
        "preexisting_membership": enrollment.preexisting_membership,
        "state": enrollment.state,
    }


def audit_json(entry):
    return {
        "id": entry.pk,
        "at": _iso(entry.at),
        "action": entry.action,
        "flag": entry.flag_name,
        "username": entry.username,
        "actor": entry.actor_username or None,
        "reason": entry.reason,
        "membership": entry.membership,
        "expires_at": _iso(entry.expires_at),
    }


def flag_json(flag, criteria, active_for_me, enrollment, enrollable, not_enrollable_reason, me):
    return {
        "name": flag.name,
        "note": flag.note,
        "criteria": criteria,
        "active_for_me": active_for_me,
        "enrollable": enrollable,
        "not_enrollable_reason": not_enrollable_reason,
        "my_enrollment": enrollment_json(enrollment) if enrollment is not None else None,
        "me": me,
        "modified": _iso(flag.modified),
    }


# --- input ------------------------------------------------------------------------------------

MAX_FLAG_NAMES = 200
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
MAX_FLAG_NAME_LENGTH = 100  # waffle's Flag.name


def parse_flag_names(raw):
    """The flag names of GET flags/?names=a,b,c, or InvalidRequest (400) saying what is wrong.

    An empty value asks for no flag at all; names are Waffle flag names (no commas), given once.
    """
    if raw == "":
        return []
    names = raw.split(",")
    if len(names) > MAX_FLAG_NAMES:
        raise InvalidRequest(
            f"names lists {len(names)} flags; at most {MAX_FLAG_NAMES} can be asked for at once "
            "(leave names out for every flag)."
        )
    for name in names:
        if not name:
            raise InvalidRequest(
                "names has an empty flag name: separate flag names by single commas, "
                "e.g. names=enterprise.a,enterprise.b."
            )
        if len(name) > MAX_FLAG_NAME_LENGTH:
            raise InvalidRequest(
                f"names has a flag name of {len(name)} characters; flag names are at most {MAX_FLAG_NAME_LENGTH}."
            )
        if _CONTROL.search(name):
            raise InvalidRequest("names has a flag name with a control character in it.")
    return names


ENROLLMENT_FIELDS = ("flag", "user", "duration", "expires_at", "reason")


@dataclass(frozen=True)
class EnrollmentRequest:
    flag: str
    user: Optional[str]
    expires_at: object  # aware datetime
    reason: str


def _describe(value):
    return "null" if value is None else type(value).__name__.replace("str", "string").replace("dict", "object")


def _string(data, field, errors, required, max_length=None):
    if field not in data:
        if required:
            errors[field] = "This field is required."
        return None
    value = data[field]
    if not isinstance(value, str):
        errors[field] = f"Must be a string, not {_describe(value)}."
        return None
    value = value.strip()
    if not value:
        errors[field] = "Must not be blank."
        return None
    if max_length is not None and len(value) > max_length:
        errors[field] = f"Must be at most {max_length} characters (got {len(value)})."
        return None
    return value


def _seconds(delta):
    return int(delta.total_seconds())


def parse_enrollment_request(data, policy, now=None) -> EnrollmentRequest:
    """Validate a POST enrollments/ body or raise InvalidRequest (400) naming each bad field."""
    now = now or timezone.now()
    if not isinstance(data, dict):
        raise InvalidRequest(
            f"Send a JSON object such as {{\"flag\": \"enterprise.x\", \"duration\": 3600, \"reason\": \"...\"}}, "
            f"not a JSON {_describe(data)}."
        )
    errors = {}
    unknown = sorted(set(data) - set(ENROLLMENT_FIELDS))
    for key in unknown:
        errors[str(key)[:64]] = f"Unknown field; accepted fields are {', '.join(ENROLLMENT_FIELDS)}."

    flag = _string(data, "flag", errors, required=True, max_length=100)
    user = _string(data, "user", errors, required=False, max_length=254)
    if "user" in data and data["user"] is None:
        errors.pop("user", None)  # null means "me", like leaving it out
    reason = _string(data, "reason", errors, required=True, max_length=policy.max_reason_length)
    if "reason" in errors and errors["reason"] in ("This field is required.", "Must not be blank."):
        errors["reason"] += " Say why you are enrolling (a ticket, a test plan); it is kept in the audit log."

    max_s = _seconds(policy.max_duration)
    expires_at = None
    has_duration = data.get("duration") is not None
    has_expiry = data.get("expires_at") is not None
    if has_duration and has_expiry:
        errors["duration"] = "Give either duration or expires_at, not both."
    elif has_duration:
        duration = data["duration"]
        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            errors["duration"] = f"Must be a whole number of seconds, not {_describe(duration)}."
        elif isinstance(duration, float) and not duration.is_integer():
            errors["duration"] = "Must be a whole number of seconds."
        elif duration <= 0:
            errors["duration"] = f"Must be more than 0 seconds (longest allowed: {max_s})."
        elif duration > max_s:
            errors["duration"] = f"Must be at most {max_s} seconds ({policy.max_duration}); got {int(duration)}."
        else:
            expires_at = now + timedelta(seconds=int(duration))
    elif has_expiry:
        raw = data["expires_at"]
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
            errors["expires_at"] = f"Must be at most {max_s} seconds ({policy.max_duration}) from now."
        else:
            expires_at = parsed
    else:
        expires_at = now + policy.default_duration

    if errors:
        raise InvalidRequest(_summary(errors), errors=errors)
    return EnrollmentRequest(flag=flag, user=user, expires_at=expires_at, reason=reason)


def _summary(errors):
    parts = [f"{field}: {message}" for field, message in errors.items()]
    return "Invalid enrollment request. " + " ".join(parts)
