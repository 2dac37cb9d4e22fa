"""Pages outside the API and its documentation: the home page."""

from django.conf import settings
from django.shortcuts import render


def home(request):
    return render(
        request,
        "home.html",
        {
            "base": request.build_absolute_uri("/").rstrip("/"),
            "demo": settings.DEMO,
        },
    )
