"""Settings of the devstack: a Django project that stands in for the LMS (and enterprise-access).

Everything that changes between runs comes from the environment, set by ``devstack.serve``:

- ``WAFFLE_DEVSTACK_DATA_DIR``: folder of the SQLite database and the generated secrets;
- ``WAFFLE_DEVSTACK_LMS_URL``, ``..._BFF_URL``, ``..._LEARNER_PORTAL_URL``, ``..._ADMIN_PORTAL_URL``;
- ``WAFFLE_DEVSTACK_EXTRA_ORIGINS``: comma-separated origins to trust for CORS and CSRF;
- ``WAFFLE_DEVSTACK_JWT_SECONDS``: lifetime of the JWT cookie (default 3600).

Loopback only: never expose it; the secrets are generated per data folder but the accounts all
have the password ``edx``.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent
DATA_DIR = Path(os.environ.get("WAFFLE_DEVSTACK_DATA_DIR") or BACKEND_DIR / ".devstack-data")


def _secrets(data_dir):
    """Generate the Django and JWT secrets once per data folder (mode 0600)."""
    path = data_dir / "secrets.json"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {"SECRET_KEY": secrets.token_urlsafe(50), "JWT_SECRET": secrets.token_urlsafe(40)}
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    os.replace(tmp, path)
    return values


_SECRETS = (
    {"SECRET_KEY": os.environ["WAFFLE_DEVSTACK_SECRET_KEY"], "JWT_SECRET": os.environ["WAFFLE_DEVSTACK_JWT_SECRET"]}
    if os.environ.get("WAFFLE_DEVSTACK_SECRET_KEY") and os.environ.get("WAFFLE_DEVSTACK_JWT_SECRET")
    else _secrets(DATA_DIR)
)
SECRET_KEY = _SECRETS["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

LMS_ROOT_URL = os.environ.get("WAFFLE_DEVSTACK_LMS_URL", "http://localhost:18000")
BFF_ROOT_URL = os.environ.get("WAFFLE_DEVSTACK_BFF_URL", "http://localhost:18270")
LEARNER_PORTAL_URL = os.environ.get("WAFFLE_DEVSTACK_LEARNER_PORTAL_URL", "http://localhost:8734")
ADMIN_PORTAL_URL = os.environ.get("WAFFLE_DEVSTACK_ADMIN_PORTAL_URL", "http://localhost:1991")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "waffle",
    "waffle_enrollments",
    "enterprise_standin",  # app label "enterprise", as edx-enterprise in an LMS
    "devstack",
]

MIDDLEWARE = [
    "devstack.middleware.ServiceRouterMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "devstack.middleware.OriginCheckMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

ROOT_URLCONF = "devstack.urls"
BFF_URLCONF = "devstack.urls_bff"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "devstack.sqlite_immediate",
        "NAME": str(DATA_DIR / "db.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# A cache every process of this devstack shares (the server, `manage` commands such as the expiry
# cron): a per-process cache would keep serving a flag's old members after another process changed them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

AUTH_PASSWORD_VALIDATORS = []
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_URL = "/login"

# --- sessions, CSRF, CORS: as the LMS on devstack (http, all services on "localhost") ---------
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
_EXTRA_ORIGINS = [
    o.strip().rstrip("/") for o in os.environ.get("WAFFLE_DEVSTACK_EXTRA_ORIGINS", "").split(",") if o.strip()
]
CORS_ALLOWED_ORIGINS = sorted({LEARNER_PORTAL_URL, ADMIN_PORTAL_URL, LMS_ROOT_URL, BFF_ROOT_URL, *_EXTRA_ORIGINS})
# Devstack only: e2e tests serve pages on random local ports.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^http://localhost:\d{1,5}$", r"^http://127\.0\.0\.1:\d{1,5}$"]
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "origin",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
    "use-jwt-cookie",
]
# Django 3.2 wants bare hosts here (4.x wants scheme://host); both are derived from the same list.
CSRF_TRUSTED_ORIGINS = [o.split("://", 1)[1] for o in CORS_ALLOWED_ORIGINS]
# The Origin check that Django >= 4 does (see devstack.middleware.OriginCheckMiddleware).
DEVSTACK_TRUSTED_ORIGINS = list(CORS_ALLOWED_ORIGINS)
DEVSTACK_TRUSTED_ORIGIN_REGEXES = CORS_ALLOWED_ORIGIN_REGEXES + [r"^(chrome|moz)-extension://[A-Za-z0-9_.-]+$"]
# Where ?next= may send people after sign-in.
DEVSTACK_SAFE_REDIRECT_REGEXES = [r"^http://localhost(:\d{1,5})?(/|$)", r"^http://127\.0\.0\.1(:\d{1,5})?(/|$)"]

# --- JWT cookies, as edx-platform sets them -------------------------------------------------
JWT_AUTH = {
    "JWT_SECRET_KEY": _SECRETS["JWT_SECRET"],
    "JWT_ALGORITHM": "HS256",
    "JWT_AUDIENCE": "lms-key",
    "JWT_ISSUER": f"{LMS_ROOT_URL}/oauth2",
    "JWT_EXPIRATION": timedelta(seconds=int(os.environ.get("WAFFLE_DEVSTACK_JWT_SECONDS", "3600"))),
    "JWT_AUTH_COOKIE_HEADER_PAYLOAD": "edx-jwt-cookie-header-payload",
    "JWT_AUTH_COOKIE_SIGNATURE": "edx-jwt-cookie-signature",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "devstack.jwt_auth.JwtAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# --- waffle, as in the LMS ----------------------------------------------------------------
WAFFLE_FLAG_DEFAULT = False
WAFFLE_SECURE = False  # devstack is plain http; a Secure dwf_ cookie would not be kept

# WAFFLE_ENROLLMENTS: not set; the plugin's defaults (waffle_enrollments/policy.py) apply, as they
# would in an LMS that installs it without configuring it.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "[%(name)s] %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "django.server": {
            "handlers": ["stderr"],
            "level": os.environ.get("WAFFLE_DEVSTACK_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "waffle_enrollments": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# --- real servers instead of SQLite and the local-memory cache (several LMS processes, benches) ---
if os.environ.get("WAFFLE_DEVSTACK_DB"):
    from devstack.external import database as _external_database

    DATABASES = {"default": _external_database(os.environ["WAFFLE_DEVSTACK_DB"])}
if os.environ.get("WAFFLE_DEVSTACK_CACHE"):
    from devstack.external import cache as _external_cache

    CACHES = {"default": _external_cache(os.environ["WAFFLE_DEVSTACK_CACHE"])}
