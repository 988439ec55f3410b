from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from djproject.salon.timeline import timeline_view

urlpatterns = [
    # Before admin.site.urls, whose catch-all would answer 404 for it; admin_view adds the
    # admin's login redirect and staff check.
    path("admin/timeline/", admin.site.admin_view(timeline_view), name="salon_timeline"),
    path("admin/", admin.site.urls),
    # Django's set_language (POST language, next): the admin header's language switcher.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

# Masters' photos in the admin during development; static() adds nothing when DEBUG is off.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
