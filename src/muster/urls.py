from django.contrib import admin
from django.urls import include, path

# The admin site is muster.accounts.admin_site.VerifiedAdminSite (its titles are set there).
urlpatterns = [
    path("", include("muster.web.urls")),
    path("", include("muster.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("muster.api.urls")),
]
