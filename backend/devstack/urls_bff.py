"""URLs of the enterprise-access (BFF) stand-in (port 18270)."""

from django.urls import path

from . import views

handler404 = "devstack.views.not_found"
handler500 = "devstack.views.server_error"

urlpatterns = [
    path("csrf/api/v1/token", views.csrf_token),
    path("api/v1/bffs/learner/dashboard/", views.LearnerDashboardBffView.as_view()),
]
