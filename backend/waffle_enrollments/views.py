"""REST views under /api/waffle-enrollments/v1/: each parses the request, asks policy.py whether the
caller may, calls evaluation.py or services.py, and answers with serializers.py.

Authentication is whatever the host project configures for DRF (in the LMS: JWT, then session);
session and JWT-cookie callers need an X-CSRFToken on writes, as everywhere in the LMS.
"""

import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import expiry
from . import policy as rules
from . import services
from .evaluation import customer_enrollments_available, evaluate, select_flags
from .exceptions import Conflict, InvalidRequest, NotAllowed, NotFound, PayloadTooLarge, exception_handler
from .models import Enrollment, UserLookup
from .negotiation import ContentNegotiation
from .parsers import StrictJSONParser
from .serializers import (
    EnrollmentDetailSerializer,
    EnrollmentListSerializer,
    EnrollmentRequestSerializer,
    EnrollmentSerializer,
    FlagSerializer,
    FlagsQuerySerializer,
    LookupListSerializer,
    SubjectSerializer,
    UserLookupSerializer,
    UserSearchSerializer,
    UserSerializer,
    parse,
)

_RECORD_ID = re.compile(r"[0-9]{1,18}")


class MayUseApi(BasePermission):
    message = rules.STAFF_ONLY

    def has_permission(self, request, view):
        return rules.can_use_api(request.user)


class _Base(APIView):
    parser_classes = [StrictJSONParser]
    content_negotiation_class = ContentNegotiation
    renderer_classes = [JSONRenderer]
    permission_classes = [MayUseApi]

    def get_exception_handler(self):
        return exception_handler

    def get_authenticate_header(self, request):
        # DRF turns 401 into 403 when the first authenticator has no header (SessionAuthentication).
        return super().get_authenticate_header(request) or 'JWT realm="api"'

    def permission_denied(self, request, message=None, code=None):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated(rules.SIGN_IN)
        raise NotAllowed(message or rules.STAFF_ONLY)

    def initial(self, request, *args, **kwargs):
        self.policy = rules.get_policy()
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            raise InvalidRequest("The Content-Length header is not a number.")
        if length > self.policy.max_body_bytes:
            raise PayloadTooLarge(
                f"The request body is {length} bytes; the limit is {self.policy.max_body_bytes}. "
                "An enrollment request is a small JSON object."
            )
        super().initial(request, *args, **kwargs)
        expiry.sweep_if_due()  # no answer describes an expired enrollment as live


def find_user(identifier):
    """The user with this username, or else this email (case-insensitive); NotFound or Conflict otherwise."""
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: identifier}).first()
    if user is not None:
        return user
    matches = list(User.objects.filter(email__iexact=identifier)[:2]) if "@" in identifier else []
    if len(matches) > 1:
        raise Conflict(f"Several users have the email '{identifier}'; give the username instead.")
    if not matches:
        raise NotFound(f"No user has the username or email '{identifier}'.")
    return matches[0]


def _is_me(user, identifier):
    email = getattr(user, "email", "") or ""
    return identifier == user.get_username() or (email and identifier.lower() == email.lower())


class FlagsView(_Base):
    def get(self, request):
        query = parse(FlagsQuerySerializer, request.query_params)
        me = request.user
        if "user" in query:
            rules.require_view_others(me)
            subject = find_user(query["user"])
            UserLookup.objects.create(
                viewer=me,
                viewer_username=me.get_username(),
                subject=subject,
                subject_username=subject.get_username(),
                from_url=query.get("from_url", ""),
            )
            caller_request = None  # the subject's request as the LMS first sees it: no cookies, no query
        else:
            subject = me
            caller_request = request._request

        selection = select_flags(self.policy, subject, names=query.get("names"), search=query.get("q"))
        evaluation = evaluate(selection, subject, caller_request)
        policy = self.policy
        body = {
            "user": UserSerializer(me).data,
            "subject": SubjectSerializer(subject, context={"enterprise_customers": evaluation.subject_customers}).data,
            "permissions": {
                "can_enroll_self": rules.can_enroll_self(me),
                "can_enroll_others": rules.can_enroll_others(me),
                "can_view_others": rules.can_view_others(me),
                "can_enroll_customers": rules.can_enroll_customers(me, customer_enrollments_available()),
            },
            "features": {"customer_enrollments": customer_enrollments_available()},
            "policy": {
                "enrollable_patterns": list(policy.enrollable_flags),
                "max_duration_seconds": int(policy.max_duration.total_seconds()),
                "default_duration_seconds": int(policy.default_duration.total_seconds()),
                "max_reason_length": policy.max_reason_length,
            },
            "now": timezone.now().isoformat().replace("+00:00", "Z"),
            "flags": FlagSerializer(evaluation.answers, many=True, context={"policy": policy}).data,
        }
        if selection.truncated is not None:
            body["truncated"] = selection.truncated
        return Response(body)


class UsersView(_Base):
    """Suggestions for "View as user": active users whose username or email starts with ``q``.

    Two index range scans of at most ``LIMIT`` rows each: auth_user's unique index on username, and the
    LMS's index on email (edx-platform's student migration 0010; the devstack adds the same).
    """

    LIMIT = 10

    def get(self, request):
        rules.require_view_others(request.user, doing="Searching users")
        prefix = parse(UserSearchSerializer, request.query_params)["q"]
        User = get_user_model()
        active = User.objects.filter(is_active=True)
        username = User.USERNAME_FIELD
        found = {
            u.pk: u for u in active.filter(**{f"{username}__istartswith": prefix}).order_by(username)[: self.LIMIT]
        }
        if any(f.name == "email" for f in User._meta.fields):
            for user in active.filter(email__istartswith=prefix).order_by("email")[: self.LIMIT]:
                found.setdefault(user.pk, user)
        users = sorted(found.values(), key=lambda u: u.get_username())[: self.LIMIT]
        return Response({"results": UserSerializer(users, many=True).data})


class LookupsView(_Base):
    """The caller's own recent lookups of other users' flags, newest first."""

    def get(self, request):
        rules.require_view_others(request.user, doing="Listing your lookups of other users")
        limit = parse(LookupListSerializer, request.query_params)["limit"]
        lookups = UserLookup.objects.filter(viewer=request.user).select_related("subject")[:limit]
        return Response({"results": UserLookupSerializer(lookups, many=True).data})


class EnrollmentsView(_Base):
    def get(self, request):
        me = request.user
        query = parse(EnrollmentListSerializer, request.query_params)
        enrollments = Enrollment.objects.select_related("user", "created_by", "ended_by")
        if not rules.can_enroll_others(me):
            enrollments = enrollments.filter(user=me)
        if query.get("flag"):
            enrollments = enrollments.filter(flag_name=query["flag"])
        if query.get("user"):
            if not _is_me(me, query["user"]):
                rules.require_see_enrollments_of_others(me, listing=True)
            enrollments = enrollments.filter(user=find_user(query["user"]))
        if query["state"] == "live":
            enrollments = enrollments.live()
        elif query["state"] == "ended":
            enrollments = enrollments.filter(ended_at__isnull=False)
        limit, offset = query["limit"], query["offset"]
        page = enrollments[offset : offset + limit]
        return Response(
            {
                "count": enrollments.count(),
                "limit": limit,
                "offset": offset,
                "results": EnrollmentSerializer(page, many=True).data,
            }
        )

    def post(self, request):
        me = request.user
        data = parse(
            EnrollmentRequestSerializer,
            request.data,
            context={"policy": self.policy},
            summary="Invalid enrollment request.",
        )
        rules.require_in_policy(data["flag"], self.policy)
        if data["user"] is None or _is_me(me, data["user"]):
            rules.require_enroll_self(me)
            target = me
        else:
            rules.require_enroll_others(me)
            target = find_user(data["user"])
            if not target.is_active:
                raise Conflict(f"User '{target.get_username()}' is inactive; waffle would never see them signed in.")

        def check(flag):
            why_not = rules.why_not_enrollable(flag, self.policy)
            if why_not:
                raise services.NotEnrollable(why_not)

        enrollment = services.enroll(
            flag_name=data["flag"],
            user=target,
            actor=me,
            reason=data["reason"],
            expires_at=data["expires_at"],
            check=check,
        )
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)


def record_id(pk, what):
    """The integer id in a detail URL, or a 404 with a sentence. Only ASCII digits: ``str.isdigit``
    is also true for '²' and '٣', which ``int`` refuses or reads as another number."""
    if not _RECORD_ID.fullmatch(pk):
        raise NotFound(f"{what} ids are whole numbers; '{pk[:40]}' is not one.")
    return int(pk)


class EnrollmentDetailView(_Base):
    def _id(self, pk):
        return record_id(pk, "Enrollment")

    def get(self, request, pk):
        enrollment = Enrollment.objects.select_related("user", "created_by", "ended_by").filter(pk=self._id(pk)).first()
        if enrollment is None:
            raise NotFound(f"No enrollment #{pk}. GET enrollments/ lists them.")
        if enrollment.user_id != request.user.pk:
            rules.require_see_enrollments_of_others(request.user)
        return Response(EnrollmentDetailSerializer(enrollment).data)

    def delete(self, request, pk):
        me = request.user
        result = services.revoke(self._id(pk), actor=me, allowed=lambda enrollment: rules.require_end(me, enrollment))
        body = EnrollmentSerializer(result.enrollment).data
        body["membership"] = result.membership
        return Response(body, status=status.HTTP_200_OK)
