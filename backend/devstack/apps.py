from django.apps import AppConfig


class DevstackConfig(AppConfig):
    name = "devstack"
    verbose_name = "Devstack (LMS and enterprise stand-in)"
    default_auto_field = "django.db.models.AutoField"
