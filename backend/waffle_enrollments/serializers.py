"""DRF serializers: the JSON the API answers, and the checks of what it is sent.

Input is checked strictly (types included, no silent coercion) and every refusal is a sentence a
person can act on; ``parse`` turns a serializer's errors into one ``InvalidRequest`` (400).
"""

import re
from datetime import timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from .exceptions import InvalidRequest
from .policy import why_not_enrollable

# ---- output -------------------------------------------------------------------------------------


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="get_username")
    email = serializers.CharField(default="")


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    flag = serializers.CharField(source="flag_name")
    user = UserSerializer()
    created_by = UserSerializer(allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    end_reason = serializers.CharField(allow_null=True)
    ended_by = UserSerializer(allow_null=True)
    preexisting_membership = serializers.BooleanField()
    state = serializers.CharField()


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    at = serializers.DateTimeField()
    action = serializers.CharField()
    flag = serializers.CharField(source="flag_name")
    username = serializers.CharField()
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    membership = serializers.CharField()
    expires_at = serializers.DateTimeField()

    def get_actor(self, entry):
        return entry.actor_username or None  # blank: the expiry job


class EnrollmentDetailSerializer(EnrollmentSerializer):
    audit = serializers.SerializerMethodField()

    def get_audit(self, enrollment):
        return AuditEntrySerializer(enrollment.audit_entries.order_by("at", "id"), many=True).data


class FlagSerializer(serializers.Serializer):
    """One ``evaluation.FlagAnswer``; needs ``context["policy"]``.

    ``criteria`` (the flag's criteria, as waffle's admin shows them) and ``me`` (how the flag concerns
    the subject) are small fixed objects written by methods: a nested serializer per flag would cost
    more than the rest of the flag's answer.
    """

    name = serializers.CharField(source="flag.name")
    note = serializers.CharField(source="flag.note")
    criteria = serializers.SerializerMethodField()
    active_for_me = serializers.BooleanField(source="active", allow_null=True)
    enrollable = serializers.SerializerMethodField()
    not_enrollable_reason = serializers.SerializerMethodField()
    my_enrollment = EnrollmentSerializer(source="enrollment", allow_null=True)
    me = serializers.SerializerMethodField()
    modified = serializers.DateTimeField(source="flag.modified")

    def get_criteria(self, answer):
        flag = answer.flag
        return {
            "everyone": flag.everyone,
            "percent": float(flag.percent) if flag.percent is not None else None,
            "testing": flag.testing,
            "superusers": flag.superusers,
            "staff": flag.staff,
            "authenticated": flag.authenticated,
            "languages": [code.strip() for code in flag.languages.split(",") if code.strip()],
            "rollout": flag.rollout,
            "groups": answer.groups,
            "customers": answer.customers,
            "user_count": answer.user_count,
        }

    def get_me(self, answer):
        return {"listed": answer.listed, "groups": answer.subject_groups, "customers": answer.subject_customers}

    def get_enrollable(self, answer):
        return self.get_not_enrollable_reason(answer) is None

    def get_not_enrollable_reason(self, answer):
        return why_not_enrollable(answer.flag, self.context["policy"])


class SubjectSerializer(UserSerializer):
    """Whom the per-flag answers describe; ``context["enterprise_customers"]`` are its customers."""

    is_active = serializers.BooleanField()
    is_staff = serializers.BooleanField(default=False)
    is_superuser = serializers.BooleanField(default=False)
    enterprise_customers = serializers.SerializerMethodField()

    def get_enterprise_customers(self, user):
        return self.context.get("enterprise_customers", [])


class UserLookupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    at = serializers.DateTimeField()
    subject = serializers.SerializerMethodField()
    from_url = serializers.CharField()

    def get_subject(self, lookup):
        if lookup.subject is None:  # the user was deleted since: the name kept in the entry
            return {"id": None, "username": lookup.subject_username, "email": ""}
        return UserSerializer(lookup.subject).data


# ---- input --------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def describe(value):
    """A JSON value's kind, in words: string, number, boolean, null, list, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "list", dict: "object"}.get(type(value), type(value).__name__)


def parse(serializer_class, data, context=None, summary=None):
    """``serializer_class(data=data).validated_data``, or InvalidRequest (400) naming each bad field.

    ``summary`` starts the sentence for request bodies ("Invalid enrollment request."); without it the
    field messages, which name their query parameter, are the sentence.
    """
    serializer = serializer_class(data=data, context=context or {})
    if serializer.is_valid():
        return serializer.validated_data
    errors = {str(name)[:64]: _sentence(messages) for name, messages in serializer.errors.items()}
    if summary is None:
        raise InvalidRequest(" ".join(errors.values()))
    parts = [message if name == "non_field_errors" else f"{name}: {message}" for name, message in errors.items()]
    raise InvalidRequest(
        " ".join([summary, *parts]), errors={k: v for k, v in errors.items() if k != "non_field_errors"}
    )


def _sentence(messages):
    if isinstance(messages, dict):
        return " ".join(_sentence(m) for m in messages.values())
    if isinstance(messages, (list, tuple)):
        return " ".join(str(m) for m in messages)
    return str(messages)


class StrictString(serializers.CharField):
    """A JSON string (trimmed); a number, list or null is refused rather than turned into one."""

    default_error_messages = {
        "invalid": "Must be a string, not {kind}.",
        "null": "Must be a string, not null.",
        "blank": "Must not be blank.",
        "max_length": "Must be at most {max_length} characters.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", kind=describe(data))
        return super().to_internal_value(data)


class Raw(serializers.Field):
    """A value checked by the serializer's ``validate`` (where the policy and other fields are known)."""

    def to_internal_value(self, data):
        return data


class EnrollmentRequestSerializer(serializers.Serializer):
    """POST enrollments/: ``{flag, user?, duration | expires_at, reason}``; needs ``context["policy"]``.

    Gives ``flag``, ``user`` (None: the caller), ``reason`` and ``expires_at`` (an aware datetime).
    """

    flag = StrictString(max_length=100)
    user = StrictString(max_length=254, required=False, allow_null=True)
    duration = Raw(required=False, allow_null=True)
    expires_at = Raw(required=False, allow_null=True)
    reason = StrictString()

    FIELDS = ("flag", "user", "duration", "expires_at", "reason")
    SAY_WHY = " Say why you are enrolling (a ticket, a test plan); it is kept in the audit log."

    def get_fields(self):
        fields = super().get_fields()
        say_why = {key: fields["reason"].error_messages[key] + self.SAY_WHY for key in ("required", "blank")}
        fields["reason"] = StrictString(max_length=self.context["policy"].max_reason_length, error_messages={**say_why})
        return fields

    @staticmethod
    def _not_an_object(data):
        return serializers.ValidationError(
            {
                "non_field_errors": [
                    'Send a JSON object such as {"flag": "enterprise.x", "duration": 3600, "reason": "..."}, '
                    f"not a JSON {describe(data)}."
                ]
            }
        )

    def validate_empty_values(self, data):
        if data is None:  # a body of `null`
            raise self._not_an_object(data)
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise self._not_an_object(data)
        unknown = {
            str(key)[:64]: f"Unknown field; accepted fields are {', '.join(self.FIELDS)}."
            for key in sorted(set(data) - set(self.FIELDS), key=str)
        }
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **unknown})
        if unknown:
            raise serializers.ValidationError(unknown)
        return values

    def validate(self, attrs):
        policy = self.context["policy"]
        now = self.context.get("now") or timezone.now()
        duration, expires_at = attrs.pop("duration", None), attrs.pop("expires_at", None)
        if duration is not None and expires_at is not None:
            raise serializers.ValidationError({"duration": "Give either duration or expires_at, not both."})
        if duration is not None:
            attrs["expires_at"] = now + timedelta(seconds=self._seconds(duration, policy))
        elif expires_at is not None:
            attrs["expires_at"] = self._expiry(expires_at, policy, now)
        else:
            attrs["expires_at"] = now + policy.default_duration
        attrs.setdefault("user", None)
        return attrs

    @staticmethod
    def _seconds(duration, policy):
        longest = int(policy.max_duration.total_seconds())

        def refuse(message):
            raise serializers.ValidationError({"duration": message})

        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            refuse(f"Must be a whole number of seconds, not {describe(duration)}.")
        if isinstance(duration, float) and not duration.is_integer():
            refuse("Must be a whole number of seconds.")
        if duration <= 0:
            refuse(f"Must be more than 0 seconds (longest allowed: {longest}).")
        if duration > longest:
            refuse(f"Must be at most {longest} seconds ({policy.max_duration}); got {int(duration)}.")
        return int(duration)

    @staticmethod
    def _expiry(raw, policy, now):
        def refuse(message):
            raise serializers.ValidationError({"expires_at": message})

        if not isinstance(raw, str):
            refuse(f"Must be an ISO 8601 date-time string, not {describe(raw)}.")
        parsed = parse_datetime(raw)
        if parsed is None:
            refuse("Must be an ISO 8601 date-time such as 2030-01-31T18:00:00Z.")
        if timezone.is_naive(parsed):
            refuse("Must include a time zone, e.g. a trailing Z or +02:00.")
        if parsed <= now:
            refuse("Must be in the future.")
        if parsed - now > policy.max_duration:
            refuse(
                f"Must be at most {int(policy.max_duration.total_seconds())} seconds ({policy.max_duration}) from now."
            )
        return parsed


class QuerySerializer(serializers.Serializer):
    """Query parameters: each declared one at most once (``?a=1&a=2`` is refused, not half-read)."""

    def to_internal_value(self, data):
        if isinstance(data, QueryDict):
            twice = [name for name in self.fields if len(data.getlist(name)) > 1]
            if twice:
                raise serializers.ValidationError({name: self.ONCE.get(name, f"Give {name} once.") for name in twice})
            data = {name: data[name] for name in self.fields if name in data}
        return super().to_internal_value(data)

    ONCE = {}


def _no_control(name):
    def check(value):
        if _CONTROL.search(value):
            raise serializers.ValidationError(f"{name} has a control character in it.")

    return check


class FlagNames(serializers.Field):
    """``names=a,b,c``: Waffle flag names (no commas), at most 200 of at most 100 characters; an empty
    value asks for no flag at all."""

    MAX_NAMES = 200
    MAX_LENGTH = 100  # waffle's Flag.name

    def to_internal_value(self, raw):
        if raw == "":
            return []
        names = raw.split(",")
        if len(names) > self.MAX_NAMES:
            raise serializers.ValidationError(
                f"names lists {len(names)} flags; at most {self.MAX_NAMES} can be asked for at once "
                "(leave names out for every flag, or search with q)."
            )
        for name in names:
            if not name:
                raise serializers.ValidationError(
                    "names has an empty flag name: separate flag names by single commas, "
                    "e.g. names=enterprise.a,enterprise.b."
                )
            if len(name) > self.MAX_LENGTH:
                raise serializers.ValidationError(
                    f"names has a flag name of {len(name)} characters; flag names are at most {self.MAX_LENGTH}."
                )
            if _CONTROL.search(name):
                raise serializers.ValidationError("names has a flag name with a control character in it.")
        return names


class FlagsQuerySerializer(QuerySerializer):
    """GET flags/: ``names`` or ``q`` (not both), ``user`` and ``from_url``. Other parameters are left
    alone: waffle reads its own (``dwft_<flag>``, and flag names with WAFFLE_OVERRIDE) from the request."""

    names = FlagNames(required=False)
    q = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=100,
        validators=[_no_control("q")],
        error_messages={
            "blank": "q must be 1 to 100 characters of the flag name to search for.",
            "max_length": "q must be 1 to 100 characters of the flag name to search for.",
        },
    )
    user = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=254,
        validators=[_no_control("user")],
        error_messages={
            "blank": "user is empty: give the username or email of the user whose flags you want to see.",
            "max_length": "user must be a username or email of at most {max_length} characters.",
        },
    )
    from_url = serializers.CharField(
        required=False,
        trim_whitespace=False,
        allow_blank=True,
        max_length=500,
        error_messages={"max_length": "from_url must be at most {max_length} characters (the portal page's URL)."},
    )

    ONCE = {
        "names": "Give names once, as one comma-separated list: names=enterprise.a,enterprise.b.",
        "q": "Give q once: the text to search flag names for.",
        "user": "Give user once: one username or email.",
        "from_url": "Give from_url once: the page you are looking from.",
    }

    def validate(self, attrs):
        if "names" in attrs and "q" in attrs:
            raise serializers.ValidationError("Give names (the flags of a page) or q (a search), not both.")
        return attrs


class UserSearchSerializer(QuerySerializer):
    """GET users/?q=: the start of a username or email, 2 to 254 characters."""

    MESSAGE = "q must be 2 to 254 characters: the start of a username or email."
    q = serializers.CharField(
        min_length=2,
        max_length=254,
        trim_whitespace=False,
        validators=[_no_control("q")],
        error_messages={"required": MESSAGE, "blank": MESSAGE, "min_length": MESSAGE, "max_length": MESSAGE},
    )
    ONCE = {"q": "Give q once: the start of a username or email."}


_LOOKUPS_LIMIT = "limit must be a whole number between 1 and 100."


class LookupListSerializer(QuerySerializer):
    limit = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=100,
        error_messages={"invalid": _LOOKUPS_LIMIT, "min_value": _LOOKUPS_LIMIT, "max_value": _LOOKUPS_LIMIT},
    )


MAX_ENROLLMENTS_PAGE = 200
_LIMIT = f"limit must be a whole number between 1 and {MAX_ENROLLMENTS_PAGE}."


class EnrollmentListSerializer(QuerySerializer):
    """GET enrollments/: ``flag``, ``user``, ``state``, ``limit``, ``offset``; anything else is refused."""

    flag = serializers.CharField(required=False, allow_blank=True)
    user = serializers.CharField(required=False, allow_blank=True)
    state = serializers.ChoiceField(
        choices=["live", "ended", "all"],
        required=False,
        default="all",
        error_messages={"invalid_choice": "state must be live, ended or all, not '{input}'."},
    )
    limit = serializers.IntegerField(
        required=False,
        default=50,
        min_value=1,
        max_value=MAX_ENROLLMENTS_PAGE,
        error_messages={"invalid": _LIMIT, "min_value": _LIMIT, "max_value": _LIMIT},
    )
    offset = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        error_messages={
            "invalid": "offset must be a whole number, at least 0.",
            "min_value": "offset must be a whole number, at least 0.",
        },
    )

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        f"Unknown query parameter(s): {', '.join(unknown)}. Use flag, user, state, limit, offset."
                    ]
                }
            )
        return super().to_internal_value(data)
