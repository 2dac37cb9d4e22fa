"""The demo partner page that embeds the widget (the widget itself is a static file)."""

from django.urls import path

from jackpot.widget import views

urlpatterns = [
    path("demo/", views.demo, name="widget-demo"),
]
