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
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from waffle.models import Flag

        from . import checks  # noqa: F401  (registers the settings check)
        from .evaluation import forget_catalogue, forget_flag_list, forget_user_counts

        # GET flags/ caches how many users each flag lists; these are the changes that make it stale.
        m2m_changed.connect(forget_user_counts, sender=Flag.users.through, dispatch_uid="waffle_enrollments.counts")
        post_delete.connect(forget_user_counts, sender=get_user_model(), dispatch_uid="waffle_enrollments.counts.user")
        # ... and the per-process catalogue of flags (their JSON, sorted, filtered by the policy).
        post_save.connect(forget_flag_list, sender=Flag, dispatch_uid="waffle_enrollments.flag_list.save")
        post_delete.connect(forget_flag_list, sender=Flag, dispatch_uid="waffle_enrollments.flag_list.delete")
        # ... which also holds the flags' groups, with their names.
        m2m_changed.connect(forget_catalogue, sender=Flag.groups.through, dispatch_uid="waffle_enrollments.flag_groups")
        post_save.connect(forget_catalogue, sender=Group, dispatch_uid="waffle_enrollments.group.save")
        post_delete.connect(forget_catalogue, sender=Group, dispatch_uid="waffle_enrollments.group.delete")
