"""URL map: the public API under /v2, static files through whitenoise."""

from django.urls import path

from jackpot.api.routes import api

urlpatterns = [
    path("v2/", api.urls),
]
