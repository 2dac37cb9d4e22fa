"""URL map: the public API under /v2, its docs, the home page, the partner portal and the
operator admin; static files through whitenoise. A crash answers by `api.failures`' rule (503
while the database is out of reach, else 500)."""

from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import include, path
from django.views.generic import RedirectView

from jackpot.api import docs
from jackpot.api.routes import api
from jackpot.web import health, metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for it on every site; the pages name theirs with <link rel="icon">.
    path(
        "favicon.ico",
        RedirectView.as_view(url=staticfiles_storage.url("jackpot/favicon.ico"), permanent=True),
    ),
    # Operations: liveness and readiness probes, the Prometheus scrape (web/health.py, metrics.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.scrape, name="metrics"),
    path("v2/redoc", docs.redoc, name="redoc"),
    path("v2/redoc.js", docs.redoc_bundle, name="redoc-bundle"),
    path("v2/", api.urls),
    path("portal/", include("jackpot.portal.urls")),
    path("admin/", admin.site.urls),
    path("", include("jackpot.widget.urls")),
]

handler500 = "jackpot.api.failures.server_error"
