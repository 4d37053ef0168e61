"""REST views under /api/waffle-enrollments/v1/. Thin: rules live in policy.py, changes in services.py.

Authentication is whatever the host project configures for DRF (in the LMS: JWT, then session);
session and JWT-cookie callers need an X-CSRFToken on writes, as everywhere in the LMS.
"""

from django.contrib.auth import get_user_model
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from django.utils import timezone

from . import policy as rules
from . import services
from .evaluation import flags_document, read_caller
from .exceptions import Conflict, InvalidRequest, PayloadTooLarge, exception_handler
from .models import AuditEntry, Enrollment
from .rendering import JSONRenderer, PreRendered
from .serializers import audit_json, enrollment_json, parse_enrollment_request, parse_flag_names, user_json

SIGN_IN = (
    "Sign in to the LMS and try again: this request carried no valid session, JWT cookie or "
    "'Authorization: JWT' header."
)
STAFF_ONLY = (
    "Waffle enrollments are for LMS staff: this account is not staff and holds no waffle_enrollments "
    "permission. The flags shown in the page are read-only for you."
)


class CanView(BasePermission):
    message = STAFF_ONLY

    def has_permission(self, request, view):
        return rules.can_view(request.user)


class _Base(APIView):
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    permission_classes = [CanView]

    def get_exception_handler(self):
        return exception_handler

    def get_authenticate_header(self, request):
        # DRF turns 401 into 403 when the first authenticator has no header (SessionAuthentication).
        return super().get_authenticate_header(request) or 'JWT realm="api"'

    def permission_denied(self, request, message=None, code=None):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated(SIGN_IN)
        raise PermissionDenied(message or STAFF_ONLY)

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
        if not self.sweeps_itself(request):
            services.expire_due()  # the sweep: one indexed query when nothing is due

    def sweeps_itself(self, request):
        return False


class FlagsView(_Base):
    def sweeps_itself(self, request):
        # GET (and HEAD) sweep in `read_caller`, first thing, in the same query as the caller's rows.
        return request.method in ("GET", "HEAD")

    def get(self, request):
        user = request.user
        caller_data = read_caller(user)  # the sweep, and the caller's memberships and groups

        policy = self.policy
        names = None
        given = request.query_params.getlist("names")
        if len(given) > 1:
            raise InvalidRequest("Give names once, as one comma-separated list: names=enterprise.a,enterprise.b.")
        if given:
            names = parse_flag_names(given[0])
        head = {
            "user": user_json(user),
            "permissions": {
                "can_enroll_self": rules.can_enroll_self(user),
                "can_enroll_others": rules.can_enroll_others(user),
            },
            "policy": {
                "enrollable_patterns": list(policy.enrollable_flags),
                "max_duration_seconds": int(policy.max_duration.total_seconds()),
                "default_duration_seconds": int(policy.default_duration.total_seconds()),
                "max_reason_length": policy.max_reason_length,
            },
            "now": timezone.now().isoformat().replace("+00:00", "Z"),
        }
        # Rendered here from pieces written once per version of the flag list (evaluation.py); the
        # renderer passes the bytes through, with the headers DRF's JSONRenderer gives.
        return Response(PreRendered(flags_document(request, policy, head, names, caller_data)))


def _find_user(identifier):
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


class EnrollmentsView(_Base):
    MAX_LIMIT = 200

    def get(self, request):
        me = request.user
        params = request.query_params
        unknown = sorted(set(params) - {"flag", "user", "state", "limit", "offset"})
        if unknown:
            raise InvalidRequest(f"Unknown query parameter(s): {', '.join(unknown)}. Use flag, user, state, limit, offset.")
        queryset = Enrollment.objects.select_related("user", "created_by", "ended_by")
        if not rules.can_enroll_others(me):
            queryset = queryset.filter(user=me)
        if params.get("flag"):
            queryset = queryset.filter(flag_name=params["flag"])
        if params.get("user"):
            identifier = params["user"]
            if not _is_me(me, identifier) and not rules.can_enroll_others(me):
                raise PermissionDenied(
                    "Listing other users' enrollments needs the waffle_enrollments.enroll_others permission; "
                    "without it you see your own."
                )
            queryset = queryset.filter(user=_find_user(identifier))
        state = params.get("state", "all")
        if state == "live":
            queryset = queryset.live()
        elif state == "ended":
            queryset = queryset.filter(ended_at__isnull=False)
        elif state != "all":
            raise InvalidRequest(f"state must be live, ended or all, not '{state[:40]}'.")
        limit = self._int_param(params, "limit", 50, 1, self.MAX_LIMIT)
        offset = self._int_param(params, "offset", 0, 0, None)
        count = queryset.count()
        page = queryset[offset : offset + limit]
        return Response(
            {"count": count, "limit": limit, "offset": offset, "results": [enrollment_json(e) for e in page]}
        )

    @staticmethod
    def _int_param(params, name, default, low, high):
        raw = params.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise InvalidRequest(f"{name} must be a whole number {bound}, not '{raw[:40]}'.")
        return int(raw)

    def post(self, request):
        me = request.user
        data = parse_enrollment_request(request.data, self.policy)
        if not self.policy.is_enrollable(data.flag):
            raise PermissionDenied(
                f"'{data.flag}' is outside the enrollment policy; only flags matching "
                f"{', '.join(self.policy.enrollable_flags)} can be enrolled in."
            )
        if data.user is None or _is_me(me, data.user):
            if not rules.can_enroll_self(me):
                raise PermissionDenied(
                    "Enrolling yourself needs staff status or the waffle_enrollments.enroll_self permission."
                )
            target = me
        else:
            if not rules.can_enroll_others(me):
                raise PermissionDenied(
                    "Enrolling another user needs the waffle_enrollments.enroll_others permission; "
                    "ask an LMS administrator, or leave out 'user' to enroll yourself."
                )
            target = _find_user(data.user)
            if not target.is_active:
                raise Conflict(f"User '{target.get_username()}' is inactive; waffle would never see them signed in.")

        def check(flag):
            why_not = rules.why_not_enrollable(flag, self.policy)
            if why_not:
                raise services.NotEnrollable(why_not)

        enrollment = services.enroll(
            flag_name=data.flag, user=target, actor=me, reason=data.reason, expires_at=data.expires_at, check=check
        )
        return Response(enrollment_json(enrollment), status=status.HTTP_201_CREATED)


class EnrollmentDetailView(_Base):
    def _id(self, pk):
        if not pk.isdigit() or len(pk) > 18:
            raise NotFound(f"Enrollment ids are whole numbers; '{pk[:40]}' is not one.")
        return int(pk)

    def get(self, request, pk):
        enrollment = (
            Enrollment.objects.select_related("user", "created_by", "ended_by").filter(pk=self._id(pk)).first()
        )
        if enrollment is None:
            raise NotFound(f"No enrollment #{pk}. GET enrollments/ lists them.")
        if enrollment.user_id != request.user.pk and not rules.can_enroll_others(request.user):
            raise PermissionDenied(
                "Seeing other users' enrollments needs the waffle_enrollments.enroll_others permission."
            )
        body = enrollment_json(enrollment)
        body["audit"] = [audit_json(a) for a in AuditEntry.objects.filter(enrollment=enrollment).order_by("at", "id")]
        return Response(body)

    def delete(self, request, pk):
        me = request.user

        def allowed(enrollment):
            if not rules.can_end(me, enrollment):
                raise PermissionDenied(
                    "Ending another user's enrollment needs the waffle_enrollments.enroll_others permission."
                )

        result = services.revoke(self._id(pk), actor=me, allowed=allowed)
        body = enrollment_json(result.enrollment)
        body["membership"] = result.membership
        return Response(body, status=status.HTTP_200_OK)
