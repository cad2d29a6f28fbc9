"""How django-allauth fits the service: officials land in their workspace after signing in, and
two-factor secrets are encrypted in the database."""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from consult import two_factor
from consult.access import is_official
from consult.models import User


@dataclass(frozen=True)
class SiteForEmails:
    """What allauth's emails call the site: the service's name and address, not the host the
    request came in on ("Hello from 127.0.0.1:8000!")."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context = {"current_site": SiteForEmails(settings.SITE_NAME, settings.SITE_URL), **context}
        super().send_mail(template_prefix, email, context)

    def login(self, request: HttpRequest, user: User) -> None:
        """Sign in; an official's session lasts OFFICIAL_SESSION_HOURS, not two weeks."""
        super().login(request, user)
        if is_official(user):
            request.session.set_expiry(settings.OFFICIAL_SESSION_HOURS * 3600)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if is_official(request.user):
            return reverse("workspace_home")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP keys and recovery-code seeds are stored encrypted (`consult.two_factor`), never in clear."""

    def encrypt(self, text: str) -> str:
        return two_factor.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return two_factor.decrypt(encrypted_text)
