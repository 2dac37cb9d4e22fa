"""Pages outside the API: the home page and ReDoc."""

from django.conf import settings
from django.shortcuts import render
from ninja.openapi.docs import Redoc

from jackpot.api.routes import api


def home(request):
    return render(
        request,
        "home.html",
        {
            "base": request.build_absolute_uri("/").rstrip("/"),
            "demo": settings.DEMO,
        },
    )


def redoc(request):
    return Redoc().render_page(request, api)
