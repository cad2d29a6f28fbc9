"""The project's own addresses, plus the baseline views under /bench/ (only in bench settings)."""

from django.urls import path

from bench.web import views
from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/bare-write/<int:response_id>/", views.bare_write, name="bench_bare_write"),
    *project_urlpatterns,
]
