"""App config, including the Open edX plugin declaration.

``plugin_app`` is the plain dict that edx-django-utils' plugin machinery reads from the
AppConfig of every package registered under the ``lms.djangoapp`` entry point. The string
keys are the values of ``edx_django_utils.plugins.PluginURLs`` / ``PluginSettings``; writing
them out keeps this package importable outside edx-platform.
"""

from django.apps import AppConfig

_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "production": {"relative_path": "settings.production"},
    "test": {"relative_path": "settings.common"},
    "devstack": {"relative_path": "settings.common"},
}


class WaffleEnrollmentsConfig(AppConfig):
    name = "waffle_enrollments"
    verbose_name = "Waffle flag enrollments"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        "url_config": {
            "lms.djangoapp": {
                "namespace": "waffle_enrollments",
                "regex": r"^api/waffle-enrollments/v1/",
                "relative_path": "urls",
            },
        },
        # The same settings for Studio (cms.djangoapp), which shares the LMS's database: Studio's
        # admin and management commands delete flags and users, and Django (not the database) carries
        # out on_delete, so Studio must know these models. Studio mounts no URL of this app.
        "settings_config": {
            "lms.djangoapp": _SETTINGS,
            "cms.djangoapp": _SETTINGS,
        },
    }

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from . import checks  # noqa: F401  (registers the settings check)
        from . import expiry, services, waffle_cache

        # waffle's own cache of each flag's users and groups, after clears too and from either side.
        waffle_cache.connect()
        # Every saved enrollment makes the next API request look for expired ones (expiry.py).
        expiry.connect()
        # A deleted user's enrollments end (audited) and go before the user row does (models.py).
        pre_delete.connect(
            services.end_enrollments_of_deleted_user, sender=get_user_model(), dispatch_uid="waffle_enrollments.user"
        )
        from . import customer_signals

        # Customer groups follow edx-enterprise's links (when it is installed).
        customer_signals.connect()
