"""The edx-style JWT: issued at sign-in as a cookie pair, accepted back from the pair or a header.

- ``edx-jwt-cookie-header-payload`` holds ``header.payload`` and is readable by JavaScript (the
  MFEs read the user's claims from it);
- ``edx-jwt-cookie-signature`` holds the signature and is HttpOnly.

API calls are authenticated from ``Authorization: JWT <token>`` (what a BFF forwards; no CSRF
needed, the header is not ambient) or by reassembling the cookie pair, as edx-platform's
``JwtAuthCookieMiddleware`` does (CSRF enforced on writes, since cookies are ambient).
"""

import hashlib
import time

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.http import http_date
from rest_framework import authentication, exceptions

from enterprise_standin.models import EnterpriseCustomerUser


def _conf(key):
    return settings.JWT_AUTH[key]


def enterprise_roles(user):
    roles = []
    if user.is_staff:
        roles.append("enterprise_openedx_operator:*")
    # Linked customers (the default manager's rows), as edx-enterprise assigns the learner role.
    links = EnterpriseCustomerUser.objects.filter(user_id=user.pk).select_related("enterprise_customer")
    for link in links:
        uuid = str(link.enterprise_customer.uuid)
        roles.append(f"enterprise_learner:{uuid}")
        if link.is_admin:
            roles.append(f"enterprise_admin:{uuid}")
    return roles


def claims_for(user, now=None):
    now = int(now if now is not None else time.time())
    full_name = user.get_full_name() or user.get_username()
    return {
        "aud": _conf("JWT_AUDIENCE"),
        "exp": now + int(_conf("JWT_EXPIRATION").total_seconds()),
        "iat": now,
        "iss": _conf("JWT_ISSUER"),
        # An anonymous, stable subject, like the LMS's anonymous_id_for_user.
        "sub": hashlib.md5(f"{settings.SECRET_KEY}:{user.pk}".encode()).hexdigest(),
        "preferred_username": user.get_username(),
        "scopes": ["user_id", "email", "profile"],
        "version": "1.2.0",
        "filters": ["user:me"],
        "is_restricted": False,
        "email_verified": True,
        "email": user.email,
        "name": full_name,
        "family_name": user.last_name,
        "given_name": user.first_name,
        "administrator": user.is_staff,
        "superuser": user.is_superuser,
        "user_id": user.pk,
        "roles": enterprise_roles(user),
    }


def encode(user):
    return jwt.encode(claims_for(user), _conf("JWT_SECRET_KEY"), algorithm=_conf("JWT_ALGORITHM"))


def decode(token):
    return jwt.decode(
        token,
        _conf("JWT_SECRET_KEY"),
        algorithms=[_conf("JWT_ALGORITHM")],
        audience=_conf("JWT_AUDIENCE"),
        issuer=_conf("JWT_ISSUER"),
        options={"require": ["exp", "iat", "preferred_username", "user_id"]},
    )


def set_jwt_cookies(response, user):
    """Sets the cookie pair (and ``edxloggedin``); returns when the cookies expire, in epoch seconds."""
    token = encode(user)
    header_payload, signature = token.rsplit(".", 1)
    max_age = int(_conf("JWT_EXPIRATION").total_seconds())
    expires_epoch = int(time.time()) + max_age
    expires = http_date(expires_epoch)
    cookie = {"max_age": max_age, "expires": expires, "samesite": "Lax"}
    response.set_cookie(_conf("JWT_AUTH_COOKIE_HEADER_PAYLOAD"), header_payload, httponly=False, **cookie)
    response.set_cookie(_conf("JWT_AUTH_COOKIE_SIGNATURE"), signature, httponly=True, **cookie)
    response.set_cookie("edxloggedin", "true", **cookie)
    return expires_epoch


def delete_jwt_cookies(response):
    for name in (_conf("JWT_AUTH_COOKIE_HEADER_PAYLOAD"), _conf("JWT_AUTH_COOKIE_SIGNATURE"), "edxloggedin"):
        response.delete_cookie(name, samesite="Lax")


def token_from_cookies(request):
    header_payload = request.COOKIES.get(_conf("JWT_AUTH_COOKIE_HEADER_PAYLOAD"))
    signature = request.COOKIES.get(_conf("JWT_AUTH_COOKIE_SIGNATURE"))
    if header_payload and signature:
        return f"{header_payload}.{signature}"
    return None


class JwtAuthentication(authentication.BaseAuthentication):
    """``Authorization: JWT <token>``, else the JWT cookie pair (with CSRF on unsafe methods)."""

    keyword = "JWT"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if header:
            parts = header.split()
            if parts[0] != self.keyword:
                return None  # another scheme: not ours
            if len(parts) != 2:
                raise exceptions.AuthenticationFailed("Malformed Authorization header: expected 'JWT <token>'.")
            return self._user(parts[1])
        token = token_from_cookies(request)
        if token is None:
            return None
        result = self._user(token)
        self._enforce_csrf(request)
        return result

    def _user(self, token):
        try:
            claims = decode(token)
        except jwt.ExpiredSignatureError:
            raise exceptions.AuthenticationFailed(
                "Your JWT has expired: refresh it with POST /login_refresh, or sign in again."
            )
        except jwt.InvalidTokenError as error:
            raise exceptions.AuthenticationFailed(f"Invalid JWT ({error}). Sign in again.")
        User = get_user_model()
        user = User.objects.filter(pk=claims["user_id"], username=claims["preferred_username"]).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("The JWT names a user who does not exist or is inactive.")
        return user, claims

    def _enforce_csrf(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        check = authentication.CSRFCheck(lambda req: None)  # returns the reason instead of a response
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise exceptions.PermissionDenied(
                f"CSRF check failed ({reason}). GET /csrf/api/v1/token and send its csrfToken as X-CSRFToken."
            )

    def authenticate_header(self, request):
        return 'JWT realm="api"'
