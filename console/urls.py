"""URLs of the staff console."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "Poradnyk"
admin.site.site_title = "Poradnyk"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="editorial/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("announcements/", include("console.announcements.urls")),
    path("insights/", include("console.insights.urls")),
    path("", include("console.editorial.urls")),
]
