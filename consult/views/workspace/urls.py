"""The workspace's addresses, gathered from each part. Every name starts with `workspace_`."""

from django.urls import path

from consult.views.workspace import analysis, coding, home, manage, moderation, publishing, review
from consult.views.workspace import organisations as organisations_views

urlpatterns = [
    path("", home.workspace_home, name="workspace_home"),
    path("consultations/<slug:slug>/", home.workspace_consultation, name="workspace_consultation"),
    path("consultations/<slug:slug>/audit/", home.workspace_audit, name="workspace_audit"),
    *manage.urlpatterns,
    *analysis.urlpatterns,
    *review.urlpatterns,
    *coding.urlpatterns,
    *moderation.urlpatterns,
    *publishing.urlpatterns,
    *organisations_views.urlpatterns,
]
