"""Packaging of the waffle_enrollments Open edX plugin (the devstack and tests are not shipped).

    pip install /path/to/backend        # in the LMS's (and Studio's) virtualenv; then ./manage.py lms migrate
"""

from setuptools import find_packages, setup

setup(
    name="waffle-enrollments",
    version="0.1.0",
    description="Time-boxed, audited enrollment of users in django-waffle flags, over REST (Open edX LMS plugin).",
    license="AGPL-3.0-or-later",
    packages=find_packages(include=["waffle_enrollments", "waffle_enrollments.*"]),
    include_package_data=True,
    python_requires=">=3.8",
    install_requires=["Django>=3.2", "djangorestframework>=3.12", "django-waffle>=2.0"],
    # Studio (cms) too: it shares the LMS's database and deletes flags and users (models, signals, admin; no URLs).
    entry_points={
        "lms.djangoapp": ["waffle_enrollments = waffle_enrollments.apps:WaffleEnrollmentsConfig"],
        "cms.djangoapp": ["waffle_enrollments = waffle_enrollments.apps:WaffleEnrollmentsConfig"],
    },
    classifiers=["Framework :: Django", "Programming Language :: Python :: 3"],
)
