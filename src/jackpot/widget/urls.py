"""The demo partner page that embeds the widget."""

urlpatterns: list = []
