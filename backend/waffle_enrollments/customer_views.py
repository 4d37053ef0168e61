"""REST views of customer enrollments under /api/waffle-enrollments/v1/. Thin: rules in
customer_policy.py, changes in customer_services.py, edx-enterprise read by customer_directory.py.

Without edx-enterprise every view here answers 404 with a sentence saying so.
"""

import re

from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from . import customer_directory as directory
from . import customer_services
from . import policy as rules
from . import services
from .customer_models import CustomerAuditEntry, CustomerEnrollment
from .customer_policy import get_customer_policy
from .customer_serializers import (
    customer_audit_json,
    customer_enrollment_json,
    customer_json,
    parse_customer_enrollment_request,
)
from .exceptions import InvalidRequest, NotFound
from .views import _Base, record_id

MAX_LIMIT = 200
_WHOLE = re.compile(r"[0-9]{1,9}")


class _CustomerView(_Base):
    """The app's base view (parsing, negotiation, body cap, errors, the sweeps); its own permission check."""

    permission_classes = []

    def check_permissions(self, request):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated(rules.SIGN_IN)
        if not directory.is_available():
            raise NotFound(directory.UNAVAILABLE)
        rules.require_enroll_customers(request.user, available=True)


def _customer_or_404(key):
    customer = directory.find_customer(key)
    if customer is None:
        raise NotFound(f"No enterprise customer has the uuid or slug '{key[:80]}'.")
    return customer


def _int_param(params, name, default, low, high):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE.fullmatch(raw) or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRequest(f"{name} must be a whole number {bound}, not '{raw[:40]}'.")
    return int(raw)


class CustomerEnrollmentsView(_CustomerView):
    def get(self, request):
        params = request.query_params
        unknown = sorted(set(params) - {"flag", "enterprise_customer", "state", "limit", "offset"})
        if unknown:
            raise InvalidRequest(
                f"Unknown query parameter(s): {', '.join(unknown)}. "
                "Use flag, enterprise_customer, state, limit, offset."
            )
        queryset = CustomerEnrollment.objects.select_related("created_by", "ended_by")
        if params.get("flag"):
            queryset = queryset.filter(flag_name=params["flag"])
        if params.get("enterprise_customer"):
            queryset = queryset.filter(customer_uuid=_customer_or_404(params["enterprise_customer"]).uuid)
        state = params.get("state", "all")
        if state == "live":
            queryset = queryset.live()
        elif state == "ended":
            queryset = queryset.filter(ended_at__isnull=False)
        elif state != "all":
            raise InvalidRequest(f"state must be live, ended or all, not '{state[:40]}'.")
        limit = _int_param(params, "limit", 50, 1, MAX_LIMIT)
        offset = _int_param(params, "offset", 0, 0, None)
        count = queryset.count()
        page = queryset[offset : offset + limit]
        return Response(
            {"count": count, "limit": limit, "offset": offset, "results": [customer_enrollment_json(e) for e in page]}
        )

    def post(self, request):
        customer_policy = get_customer_policy(self.policy)
        data = parse_customer_enrollment_request(request.data, customer_policy)
        rules.require_in_policy(data.flag, self.policy)
        customer = _customer_or_404(data.enterprise_customer)

        def check(flag):
            why_not = rules.why_not_enrollable(flag, self.policy)
            if why_not:
                raise services.NotEnrollable(why_not)

        enrollment = customer_services.enroll_customer(
            flag_name=data.flag,
            customer=customer,
            actor=request.user,
            reason=data.reason,
            expires_at=data.expires_at,
            check=check,
        )
        return Response(customer_enrollment_json(enrollment), status=status.HTTP_201_CREATED)


def _id(pk):
    return record_id(pk, "Customer enrollment")


class CustomerEnrollmentDetailView(_CustomerView):
    def get(self, request, pk):
        enrollment = CustomerEnrollment.objects.select_related("created_by", "ended_by").filter(pk=_id(pk)).first()
        if enrollment is None:
            raise NotFound(f"No customer enrollment #{pk}. GET customer-enrollments/ lists them.")
        body = customer_enrollment_json(enrollment)
        entries = CustomerAuditEntry.objects.filter(customer_enrollment=enrollment).order_by("at", "id")
        body["audit"] = [customer_audit_json(a) for a in entries]
        return Response(body)

    def delete(self, request, pk):
        result = customer_services.revoke_customer(_id(pk), actor=request.user)
        body = customer_enrollment_json(result.enrollment)
        body["group"] = result.group
        return Response(body, status=status.HTTP_200_OK)


class EnterpriseCustomerView(_CustomerView):
    """``enterprise-customers/<uuid or slug>/``: what the popup's "Enable for <customer> (N learners)" shows."""

    def get(self, request, pk):
        customer = _customer_or_404(pk)  # a uuid or a slug
        limits = get_customer_policy(self.policy)
        return Response(
            {
                **customer_json(customer, directory.learner_count(customer.uuid)),
                "max_duration_seconds": int(limits.max_duration.total_seconds()),
                "default_duration_seconds": int(limits.default_duration.total_seconds()),
            }
        )
