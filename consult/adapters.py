"""How django-allauth fits the service: officials land in their workspace after signing in."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from consult.access import is_official


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if is_official(request.user):
            return reverse("workspace_home")
        return super().get_login_redirect_url(request)
