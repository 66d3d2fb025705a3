from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The admin site is muster.accounts.admin_site.VerifiedAdminSite (its titles are set there).
urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("", include("muster.accounts.urls")),
    path("admin/", admin.site.urls),
]
