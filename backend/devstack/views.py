"""LMS and enterprise-access stand-in views: sign-in, CSRF token, the enterprise endpoints, the BFF."""

import json
import time

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .enterprise_features import enterprise_features, enterprise_features_as_bff
from .jwt_auth import delete_jwt_cookies, set_jwt_cookies
from .middleware import is_safe_redirect
from enterprise_standin.models import EnterpriseCustomer, EnterpriseCustomerUser


MAX_LOGIN_BODY = 8 * 1024


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


# --- sign-in ------------------------------------------------------------------------------------


def _credentials(request):
    if request.content_type == "application/json":
        if len(request.body) > MAX_LOGIN_BODY:
            return None, None
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return None, None
        if not isinstance(data, dict):
            return None, None
    else:
        data = request.POST
    identifier, password = data.get("email_or_username"), data.get("password")
    if not isinstance(identifier, str) or not isinstance(password, str):
        return None, None
    return identifier.strip(), password


def _authenticate(request, identifier, password):
    if not identifier or not password:
        return None
    username = identifier
    if "@" in identifier:
        match = get_user_model().objects.filter(email__iexact=identifier).first()
        if match is not None:
            username = match.get_username()
    return authenticate(request, username=username, password=password)


def _signed_in(request, user, response):
    login(request, user)
    set_jwt_cookies(response, user)
    return response


@csrf_protect
@never_cache
@require_POST
def login_session(request):
    """``POST /api/user/v2/account/login_session/`` as the LMS: form or JSON, CSRF-protected."""
    identifier, password = _credentials(request)
    user = _authenticate(request, identifier, password)
    if user is None:
        return JsonResponse(
            {
                "success": False,
                "value": "Email or password is incorrect.",
                "error_code": "incorrect-email-or-password",
                "detail": "Email or password is incorrect.",
            },
            status=400,
        )
    next_url = request.GET.get("next") or request.POST.get("next")
    redirect_url = next_url if is_safe_redirect(next_url) else "/"
    return _signed_in(request, user, JsonResponse({"success": True, "redirect_url": redirect_url}))


@ensure_csrf_cookie
@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request):
    """``/login``: a small form for people; ``?next=`` brings them back (to a local URL only)."""
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not is_safe_redirect(next_url):
        next_url = "/"
    error = None
    if request.method == "POST":
        user = _authenticate(
            request, (request.POST.get("email_or_username") or "").strip(), request.POST.get("password") or ""
        )
        if user is not None:
            return _signed_in(request, user, HttpResponseRedirect(next_url))
        error = "Email or password is incorrect."
    return render(
        request,
        "devstack/login.html",
        {"next": next_url, "error": error, "logins": SEED_LOGINS},
        status=400 if error else 200,
    )


SEED_LOGINS = ["edx", "staff", "support", "learner", "learner2", "learner3", "ent_admin"]


@never_cache
@require_GET
def logout_view(request):
    logout(request)
    target = request.GET.get("redirect_url") or request.GET.get("next")
    response = HttpResponseRedirect(target if is_safe_redirect(target) else "/login")
    delete_jwt_cookies(response)
    return response


@csrf_exempt  # only re-issues cookies for the session the browser already has (as edx-platform)
@never_cache
@require_POST
def login_refresh(request):
    """``POST /login_refresh`` as edx-platform's: new JWT cookies for the session's user, and when they expire.

    Without a session it answers 401 with the JSON string ``"Unauthorized"`` and leaves the cookies
    alone, as edx-platform does (``@edx/frontend-platform`` then removes its JWT cookie itself).
    """
    if not request.user.is_authenticated:
        return JsonResponse("Unauthorized", status=401, safe=False)
    response = JsonResponse({})
    expires_epoch = set_jwt_cookies(response, request.user)
    now = time.time()
    response.content = json.dumps(
        {
            "success": True,
            "user_id": request.user.pk,
            "response_epoch_seconds": now,
            "response_http_date": http_date(now),
            "expires": http_date(expires_epoch),
            "expires_epoch_seconds": expires_epoch,
        }
    )
    return response


@ensure_csrf_cookie
@never_cache
@require_GET
def csrf_token(request):
    """``GET /csrf/api/v1/token`` -> ``{"csrfToken": ...}`` (and the csrftoken cookie)."""
    return JsonResponse({"csrfToken": get_token(request)})


@never_cache
@require_GET
def home(request):
    return render(
        request,
        "devstack/home.html",
        {
            "lms": settings.LMS_ROOT_URL,
            "bff": settings.BFF_ROOT_URL,
            "learner_portal": settings.LEARNER_PORTAL_URL,
            "admin_portal": settings.ADMIN_PORTAL_URL,
            "customers": EnterpriseCustomer.objects.order_by("slug"),
            "logins": SEED_LOGINS,
        },
    )


# --- enterprise endpoints (LMS) -------------------------------------------------------------------


def _customer_json(customer, admins=False):
    body = {
        "uuid": str(customer.uuid),
        "name": customer.name,
        "slug": customer.slug,
        "active": customer.active,
        "enable_learner_portal": customer.enable_learner_portal,
    }
    if admins:
        body["admin_users"] = [
            {"email": link.user_fk.email, "lms_user_id": link.user_id}
            for link in customer.enterprise_customer_users.filter(is_admin=True, active=True).select_related("user_fk")
        ]
    return body


def _paginated(results, request):
    return {
        "next": None,
        "previous": None,
        "count": len(results),
        "num_pages": 1,
        "current_page": 1,
        "start": 0,
        "results": results,
        "enterprise_features": enterprise_features(request),
    }


class EnterpriseLearnerView(APIView):
    """``GET /enterprise/api/v1/enterprise-learner/?username=..``: the caller's customer links."""

    def get(self, request):
        user = request.user
        username = request.query_params.get("username") or user.get_username()
        if username != user.get_username() and not user.is_staff:
            raise PermissionDenied("Only staff can list another user's enterprise links.")
        links = (
            EnterpriseCustomerUser.objects.filter(user_fk__username=username)
            .select_related("enterprise_customer", "user_fk")
            .order_by("id")
        )
        results = []
        for link in links:
            learner = link.user_fk
            results.append(
                {
                    "id": link.pk,
                    "enterprise_customer": _customer_json(link.enterprise_customer, admins=True),
                    "active": link.active,
                    "user_id": learner.pk,
                    "user": {
                        "id": learner.pk,
                        "username": learner.username,
                        "first_name": learner.first_name,
                        "last_name": learner.last_name,
                        "email": learner.email,
                        "is_staff": learner.is_staff,
                        "is_active": learner.is_active,
                        "date_joined": _iso(learner.date_joined),
                    },
                    "groups": [],
                    "role_assignments": ["enterprise_admin", "enterprise_learner"]
                    if link.is_admin
                    else ["enterprise_learner"],
                    "created": _iso(link.created),
                }
            )
        return Response(_paginated(results, request))


def _customers_for(user):
    if user.is_staff:
        return EnterpriseCustomer.objects.all()
    return EnterpriseCustomer.objects.filter(
        enterprise_customer_users__user_id=user.pk,
        enterprise_customer_users__linked=True,
        enterprise_customer_users__active=True,
    ).distinct()


class EnterpriseCustomerView(APIView):
    """``GET /enterprise/api/v1/enterprise-customer/?slug=..`` (the learner portal calls it for staff)."""

    def get(self, request):
        customers = _customers_for(request.user).order_by("slug")
        slug = request.query_params.get("slug")
        if slug:
            customers = customers.filter(slug=slug)
        return Response(_paginated([_customer_json(c, admins=True) for c in customers], request))


def _administered(request):
    """The customers the user administers (every one for staff), by ``?enterprise_slug=`` if given."""
    user = request.user
    customers = (
        EnterpriseCustomer.objects.all()
        if user.is_staff
        else EnterpriseCustomer.objects.filter(
            enterprise_customer_users__user_id=user.pk,
            enterprise_customer_users__linked=True,
            enterprise_customer_users__is_admin=True,
            enterprise_customer_users__active=True,
        ).distinct()
    )
    slug = request.query_params.get("enterprise_slug")
    return customers.filter(slug=slug) if slug else customers


class DashboardListView(APIView):
    """``GET /enterprise/api/v1/enterprise-customer/dashboard_list/?enterprise_slug=..`` (admin portal)."""

    def get(self, request):
        customers = _administered(request)
        results = [
            {
                "uuid": str(c.uuid),
                "name": c.name,
                "slug": c.slug,
                "active": c.active,
                "enable_portal_code_management_screen": c.enable_portal_code_management_screen,
                "enable_learner_portal": c.enable_learner_portal,
            }
            for c in customers.order_by("slug")
        ]
        return Response(_paginated(results, request))


class WithAccessToView(APIView):
    """``GET /enterprise/api/v1/enterprise-customer/with_access_to/?permissions=..`` (admin and support apps).

    The customers the user has a group permission on; here: every customer for staff, the customers
    the user administers otherwise. ``permissions`` is required, as in edx-enterprise.
    """

    def get(self, request):
        if not request.query_params.get("permissions"):
            raise ParseError("Give at least one permissions= query parameter.")
        customers = _administered(request)
        return Response(_paginated([_customer_json(c, admins=True) for c in customers.order_by("name")], request))


class SupportToolView(APIView):
    """``GET /enterprise/api/v1/enterprise-customer/support_tool/`` (support tools app): staff only."""

    def get(self, request):
        if not request.user.is_staff:
            raise PermissionDenied("Only staff may use the support tools.")
        customers = EnterpriseCustomer.objects.all().order_by("name")
        query = request.query_params.get("user_query")
        if query:
            customers = customers.filter(name__icontains=query)
        return Response(_paginated([_customer_json(c) for c in customers], request))


# --- BFF (enterprise-access) ----------------------------------------------------------------------


class LearnerBffView(APIView):
    """``POST /api/v1/bffs/learner/<route>/`` ``{"enterprise_customer_slug": ..}`` on the BFF port.

    ``enterprise_features`` is evaluated as the real BFF gets it from the LMS: without the browser's
    cookies and query string (``enterprise_features_as_bff``).
    """

    ROUTE_FIELDS = {
        "dashboard": {"enterprise_course_enrollments": []},
        "search": {"has_search_catalog_access": True},
        "academy": {"academies": []},
        "skills-quiz": {"quiz_results": []},
    }

    def post(self, request, route="dashboard"):
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            raise ParseError("Send a JSON object with enterprise_customer_slug or enterprise_customer_uuid.")
        slug = data.get("enterprise_customer_slug")
        uuid = data.get("enterprise_customer_uuid")
        user = request.user
        links = list(
            EnterpriseCustomerUser.objects.filter(user_id=user.pk).select_related("enterprise_customer").order_by("id")
        )
        customers = EnterpriseCustomer.objects.all()
        try:
            if slug:
                customer = customers.filter(slug=str(slug)).first()
            elif uuid:
                customer = customers.filter(uuid=str(uuid)).first()
            else:
                customer = next((link.enterprise_customer for link in links if link.active), None)
        except Exception:  # a malformed uuid
            customer = None
        if customer is None:
            raise NotFound("No such enterprise customer.")
        linked = any(link.enterprise_customer_id == customer.pk for link in links)
        if not linked and not user.is_staff:
            raise PermissionDenied("You are not linked to this enterprise customer.")

        def short(c):
            return {"uuid": str(c.uuid), "slug": c.slug, "name": c.name}

        return Response(
            {
                "enterprise_customer": {**short(customer), "active": customer.active},
                "all_linked_enterprise_customer_users": [
                    {"id": link.pk, "active": link.active, "enterprise_customer": short(link.enterprise_customer)}
                    for link in links
                ],
                "active_enterprise_customer": short(customer) if linked else None,
                "staff_enterprise_customer": short(customer) if (user.is_staff and not linked) else None,
                "should_update_active_enterprise_customer_user": False,
                "enterprise_customer_user_subsidies": {
                    "subscriptions": {
                        "customer_agreement": None,
                        "subscription_licenses": [],
                        "subscription_licenses_by_status": {"activated": [], "assigned": [], "revoked": []},
                    }
                },
                **self.ROUTE_FIELDS[route],
                "errors": [],
                "warnings": [],
                "enterprise_features": enterprise_features_as_bff(request),
            },
            status=status.HTTP_200_OK,
        )


def not_found(request, exception=None):
    return JsonResponse({"detail": f"Nothing at {request.path} on this devstack."}, status=404)


def server_error(request):
    return JsonResponse({"detail": "The devstack failed on this request; see its log."}, status=500)
