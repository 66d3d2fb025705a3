from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Muster"
admin.site.site_title = "Muster"
admin.site.index_title = "Registers and people"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]
