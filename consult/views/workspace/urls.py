"""The workspace's addresses, gathered from each part. Every name starts with `workspace_`."""

from django.urls import path

from consult.views.workspace import analysis, audit, coding, home, manage, moderation, publishing, review
from consult.views.workspace import organisations as organisations_views

urlpatterns = [
    path("", home.workspace_home, name="workspace_home"),
    path("consultations/<slug:slug>/", home.workspace_consultation, name="workspace_consultation"),
    *manage.urlpatterns,
    *analysis.urlpatterns,
    *review.urlpatterns,
    *coding.urlpatterns,
    *moderation.urlpatterns,
    *publishing.urlpatterns,
    *audit.urlpatterns,
    *organisations_views.urlpatterns,
]
