"""Devstack-only middleware: one Django project serves the LMS and the BFF on different ports."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ServiceRouterMiddleware:
    """Requests that came in on the BFF's port (tagged by devstack.serve) use the BFF's URLs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("devstack.service") == "bff":
            request.urlconf = settings.BFF_URLCONF
        return self.get_response(request)


def origin_is_trusted(origin):
    if origin in settings.DEVSTACK_TRUSTED_ORIGINS:
        return True
    return any(re.match(pattern, origin) for pattern in settings.DEVSTACK_TRUSTED_ORIGIN_REGEXES)


class OriginCheckMiddleware:
    """Refuse writes whose Origin header is neither this server nor a trusted origin.

    Django >= 4.0 does this inside its CSRF check (CSRF_TRUSTED_ORIGINS); this devstack runs Django
    3.2, which checks only the Referer and only over https, so the check is done here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.META.get("HTTP_ORIGIN")
        if request.method in UNSAFE and origin and origin != "null":
            own = f"{request.scheme}://{request.get_host()}"
            if origin != own and not origin_is_trusted(origin):
                return JsonResponse(
                    {
                        "detail": f"Origin {origin} is not trusted by this LMS (CSRF_TRUSTED_ORIGINS); "
                        "the request was refused."
                    },
                    status=403,
                )
        return self.get_response(request)


def is_safe_redirect(url):
    if not url:
        return False
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return True
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    return any(re.match(pattern, url) for pattern in settings.DEVSTACK_SAFE_REDIRECT_REGEXES)
