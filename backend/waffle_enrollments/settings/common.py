"""Settings hook called by the Open edX plugin machinery (``plugin_settings(settings)``).

It only fills in defaults the operator has not set; the policy itself is read at request time
from ``settings.WAFFLE_ENROLLMENTS`` by :mod:`waffle_enrollments.policy`.
"""


def plugin_settings(settings):
    if not hasattr(settings, "WAFFLE_ENROLLMENTS"):
        settings.WAFFLE_ENROLLMENTS = {}
