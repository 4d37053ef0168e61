"""Time-boxed, audited enrollment of users in django-waffle flags, over REST.

An Open edX plugin app: install the package in the LMS environment and it is picked up
through the ``lms.djangoapp`` entry point, with no change to edx-platform.
"""

__version__ = "0.1.0"
