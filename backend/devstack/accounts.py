"""``GET /api/user/v1/accounts/<username>``, as edx-platform's ``AccountViewSet.retrieve`` answers it.

``@edx/frontend-platform`` reads it on start (``hydrateAuthenticatedUser``) and merges every field,
camelCased, into the authenticated user; its header shows ``name`` and ``profile_image``. The fields
and the refusals follow edx-platform:

- your own account, or any account when you are staff: every field below;
- another user's account: only what that user shares; the devstack's accounts keep edx-platform's
  default privacy (``account_privacy: "private"``), which shares ``username`` and ``profile_image``;
- no such user: 404 (edx-platform answers with no body; this one says why, as every devstack error does);
- not signed in: 401.
"""

from django.contrib.auth import get_user_model
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

PRIVATE_FIELDS = ("username", "profile_image", "account_privacy")


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def _profile_image(request):
    default = request.build_absolute_uri("/static/images/profiles/default")
    return {
        "has_image": False,
        "image_url_full": f"{default}_500.png",
        "image_url_large": f"{default}_120.png",
        "image_url_medium": f"{default}_50.png",
        "image_url_small": f"{default}_30.png",
    }


def account_fields(request, user):
    """Every field edx-platform's account serializers give the owner (the devstack stores no profile)."""
    return {
        "username": user.get_username(),
        "url": request.build_absolute_uri(f"/api/user/v1/accounts/{user.get_username()}"),
        "email": user.email,
        "id": user.pk,
        "name": user.get_full_name() or user.get_username(),
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "extended_profile": [],
        "gender": None,
        "goals": "",
        "year_of_birth": None,
        "level_of_education": None,
        "mailing_address": "",
        "bio": None,
        "profile_image": _profile_image(request),
        "requires_parental_consent": True,
        "language_proficiencies": [],
        "social_links": [],
        "accomplishments_shared": False,
        "country": None,
        "state": None,
        "phone_number": None,
        "secondary_email": None,
        "secondary_email_enabled": None,
        "time_zone": None,
        "account_privacy": "private",
        "course_certificates": None,
        "pending_name_change": None,
        "is_verified_name_enabled": False,
        "verified_name": None,
    }


class AccountView(APIView):
    def get(self, request, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound(f"No account with the username {username!r}.")
        fields = account_fields(request, user)
        if user.pk != request.user.pk and not request.user.is_staff:
            fields = {k: fields[k] for k in PRIVATE_FIELDS}
        return Response(fields)
