"""URLs of the LMS stand-in (port 18000)."""

from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path

from . import accounts, views

handler404 = "devstack.views.not_found"
handler500 = "devstack.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("login", views.login_page, name="login"),
    path("logout", views.logout_view, name="logout"),
    path("login_refresh", views.login_refresh, name="login_refresh"),
    path("api/user/v2/account/login_session/", views.login_session, name="login_session"),
    path("csrf/api/v1/token", views.csrf_token, name="csrf_token"),
    re_path(r"^api/user/v1/accounts/(?P<username>[\w.@+-]{1,150})/?$", accounts.AccountView.as_view()),
    path("enterprise/api/v1/enterprise-learner/", views.EnterpriseLearnerView.as_view()),
    path("enterprise/api/v1/enterprise-customer/", views.EnterpriseCustomerView.as_view()),
    path("enterprise/api/v1/enterprise-customer/dashboard_list/", views.DashboardListView.as_view()),
    path("enterprise/api/v1/enterprise-customer/with_access_to/", views.WithAccessToView.as_view()),
    path("enterprise/api/v1/enterprise-customer/support_tool/", views.SupportToolView.as_view()),
    # What the Open edX plugin machinery does with plugin_app["url_config"]:
    path("api/waffle-enrollments/v1/", include("waffle_enrollments.urls", namespace="waffle_enrollments")),
    path("admin/", admin.site.urls),
    # Admin CSS/JS (DEBUG is off, so serve them explicitly; loopback devstack only).
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
