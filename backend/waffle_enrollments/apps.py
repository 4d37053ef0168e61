"""App config, including the Open edX plugin declaration.

``plugin_app`` is the plain dict that edx-django-utils' plugin machinery reads from the
AppConfig of every package registered under the ``lms.djangoapp`` entry point. The string
keys are the values of ``edx_django_utils.plugins.PluginURLs`` / ``PluginSettings``; writing
them out keeps this package importable outside edx-platform.
"""

from django.apps import AppConfig


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
        "settings_config": {
            "lms.djangoapp": {
                "common": {"relative_path": "settings.common"},
                "production": {"relative_path": "settings.production"},
                "test": {"relative_path": "settings.common"},
                "devstack": {"relative_path": "settings.common"},
            },
        },
    }

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings check)
        from . import waffle_cache

        # waffle's own cache of each flag's users and groups, after clears too and from either side.
        waffle_cache.connect()
