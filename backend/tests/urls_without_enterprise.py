"""The app mounted as the LMS mounts it, with nothing of the devstack (see settings_without_enterprise)."""

from django.urls import include, path

urlpatterns = [
    path("api/waffle-enrollments/v1/", include("waffle_enrollments.urls", namespace="waffle_enrollments")),
]
