"""System check: a broken WAFFLE_ENROLLMENTS setting is reported at start-up, not on a request."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .customer_policy import get_customer_policy
from .policy import get_policy


@checks.register()
def check_policy_settings(app_configs, **kwargs):
    try:
        get_customer_policy(get_policy())
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="waffle_enrollments.E001")]
    return []
