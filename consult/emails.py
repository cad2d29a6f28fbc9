"""Emails to respondents, rendered from templates/emails/ and sent through Django's backend."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

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


def send_receipt(response_id: int) -> None:
    response = _load(response_id)
    if response.email and response.is_submitted:
        _send("receipt", f"Your response to {response.consultation.title}: {response.reference}", response)


def send_resume_link(response_id: int) -> None:
    response = _load(response_id)
    if response.email and not response.is_withdrawn:
        _send("resume_link", f"Return to your response to {response.consultation.title}", response)


def send_withdrawal_confirmation(response_id: int) -> None:
    response = _load(response_id)
    if response.email and response.is_withdrawn:
        _send("withdrawn", f"You withdrew your response {response.reference}", response)


def send_outcome_published(response: Response, themes: list[tuple[str, list[str]]]) -> None:
    """Tell a respondent the outcome is published, and which published themes their response
    counted towards. `consult.services.publishing` makes sure each response gets it once."""
    consultation = response.consultation
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
