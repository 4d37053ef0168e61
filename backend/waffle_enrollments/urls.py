"""Mounted by the host project at ``api/waffle-enrollments/v1/`` (see apps.plugin_app)."""

from django.urls import path, re_path

from . import customer_views, views

app_name = "waffle_enrollments"

urlpatterns = [
    path("flags/", views.FlagsView.as_view(), name="flags"),
    path("users/", views.UsersView.as_view(), name="users"),
    path("lookups/", views.LookupsView.as_view(), name="lookups"),
    path("enrollments/", views.EnrollmentsView.as_view(), name="enrollments"),
    # Any segment, so that a malformed id gets a JSON 404 from the view, not an HTML one.
    re_path(r"^enrollments/(?P<pk>[^/]+)/$", views.EnrollmentDetailView.as_view(), name="enrollment"),
    path("customer-enrollments/", customer_views.CustomerEnrollmentsView.as_view(), name="customer-enrollments"),
    re_path(
        r"^customer-enrollments/(?P<pk>[^/]+)/$",
        customer_views.CustomerEnrollmentDetailView.as_view(),
        name="customer-enrollment",
    ),
    re_path(
        r"^enterprise-customers/(?P<pk>[^/]+)/$",
        customer_views.EnterpriseCustomerView.as_view(),
        name="enterprise-customer",
    ),
]
