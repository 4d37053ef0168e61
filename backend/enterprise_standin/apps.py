from django.apps import AppConfig


class EnterpriseStandinConfig(AppConfig):
    name = "enterprise_standin"
    label = "enterprise"  # edx-enterprise's label: the plugin finds the models by it
    verbose_name = "Enterprise (edx-enterprise stand-in)"
    default_auto_field = "django.db.models.AutoField"
