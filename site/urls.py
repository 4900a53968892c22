"""Root URL configuration. Wagtail's page tree serves everything not matched above it."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from applicants.privacy.reports import site_history_urlpatterns


@login_not_required
def healthz(request):
    """Liveness and database check for load balancers: 200 when a query succeeds, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Site history through the access policies (applicants/privacy/reports.py), before Wagtail's own.
    path("admin/reports/", include((site_history_urlpatterns, "wagtailadmin_reports"), namespace="sigap_reports")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
]
# Residents read the site in Indonesian at the same URLs as always and in English under /en/ (the
# admin follows each user's language in Wagtail's account settings instead). Wagtail's page tree is
# the last pattern of all, below.
public_patterns = [path("", include("public_pages.urls"))]
urlpatterns += i18n_patterns(*public_patterns, prefix_default_language=False)

if settings.SERVE_PUBLIC_MEDIA:
    # Only image files are public. Documents and private uploads are never served from MEDIA_ROOT:
    # Wagtail serves documents through its permission-checked view.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>(images|original_images)/.*)$",
            login_not_required(serve),
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)

handler404 = "public_pages.views.page_not_found"
handler500 = "public_pages.views.server_error"
