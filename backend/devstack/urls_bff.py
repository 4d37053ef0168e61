"""URLs of the enterprise-access (BFF) stand-in (port 18270)."""

from django.urls import path, re_path

from . import views

handler404 = "devstack.views.not_found"
handler500 = "devstack.views.server_error"

urlpatterns = [
    path("csrf/api/v1/token", views.csrf_token),
    re_path(r"^api/v1/bffs/learner/(?P<route>dashboard|search|academy|skills-quiz)/$", views.LearnerBffView.as_view()),
]
