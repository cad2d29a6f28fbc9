"""Emails to respondents, rendered from templates/emails/ and sent through Django's backend."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from consult.access import response_token
from consult.models import Response


def _send(template: str, subject: str, response: Response) -> None:
    token = response_token(response)
    context = {
        "response": response,
        "consultation": response.consultation,
        "site_name": settings.SITE_NAME,
        "response_url": settings.SITE_URL + reverse("response_detail", args=[token]),
        "resume_url": settings.SITE_URL + reverse("check_answers", args=[token]),
        "consultation_url": settings.SITE_URL + response.consultation.get_absolute_url(),
    }
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [response.email])


def _load(response_id: int) -> Response:
    return Response.objects.select_related("consultation", "consultation__department").get(pk=response_id)


# Emails go out from workers, where no request sets the language: each is written in the
# language the respondent used (`Response.language`), links to the pages in it included.


def send_receipt(response_id: int) -> None:
    response = _load(response_id)
    if response.email and response.is_submitted:
        with translation.override(response.language):
            subject = _("Your response to %(title)s: %(reference)s") % {
                "title": response.consultation.localised("title"),
                "reference": response.reference,
            }
            _send("receipt", subject, response)


def send_resume_link(response_id: int) -> None:
    response = _load(response_id)
    if response.email and not response.is_withdrawn:
        with translation.override(response.language):
            subject = _("Return to your response to %(title)s") % {"title": response.consultation.localised("title")}
            _send("resume_link", subject, response)


def send_withdrawal_confirmation(response_id: int) -> None:
    response = _load(response_id)
    if response.email and response.is_withdrawn:
        with translation.override(response.language):
            subject = _("You withdrew your response %(reference)s") % {"reference": response.reference}
            _send("withdrawn", subject, response)


def send_outcome_published(response: Response, themes: list[tuple[str, list[str]]]) -> None:
    """Tell a respondent the outcome is published, and which published themes their response
    counted towards. `consult.services.publishing` makes sure each response gets it once."""
    consultation = response.consultation
    with translation.override(response.language):
        context = {
            "response": response,
            "consultation": consultation,
            "themes": themes,
            "site_name": settings.SITE_NAME,
            "outcome_url": settings.SITE_URL + reverse("consultation_outcome", args=[consultation.slug]),
            "response_url": settings.SITE_URL + reverse("response_detail", args=[response_token(response)]),
        }
        subject = render_to_string("emails/outcome_published_subject.txt", context).strip()
        body = render_to_string("emails/outcome_published.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [response.email])
