"""Studio's URLs as far as these tests need them: the Django admin. No URL of this plugin."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
