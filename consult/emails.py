"""Emails to respondents, rendered from templates/emails/ and sent through Django's backend."""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consult.access import response_token
from consult.models import Response
from consult.queries import public as queries


def _send(template: str, subject: str, response: Response, **context: object) -> None:
    context = {
        "response": response,
        "consultation": response.consultation,
        "site_name": settings.SITE_NAME,
        "consultation_url": settings.SITE_URL + response.consultation.get_absolute_url(),
        **context,
    }
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [response.email])


def _issue_link(response: Response) -> dict[str, str | datetime]:
    """The links to the response for an email that carries them, noting that one was sent: a link
    works until RESPONSE_LINK_DAYS_AFTER_CLOSE days after the later of the consultation's close
    and the last email that carried it (`Response.link_expires_at`), so the outcome email, sent
    long after closing, carries a link that opens. Every such email says how to get a new one."""
    response.link_issued_at = timezone.now()
    Response.objects.filter(pk=response.pk).update(link_issued_at=response.link_issued_at)
    token = response_token(response)
    return {
        "response_url": settings.SITE_URL + reverse("response_detail", args=[token]),
        "resume_url": settings.SITE_URL + reverse("check_answers", args=[token]),
        "new_link_url": settings.SITE_URL + reverse("new_response_link"),
        "link_expires_at": response.link_expires_at,
    }


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
            # A copy of the answers as sent, in the respondent's language, to their own address only.
            answers = queries.questions_with_answers(response)
            _send("receipt", subject, response, answers=answers, **_issue_link(response))


def send_resume_link(response_id: int) -> None:
    response = _load(response_id)
    if response.email and not response.is_withdrawn:
        with translation.override(response.language):
            subject = _("Return to your response to %(title)s") % {"title": response.consultation.localised("title")}
            _send("resume_link", subject, response, **_issue_link(response))


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
            **_issue_link(response),
        }
        subject = render_to_string("emails/outcome_published_subject.txt", context).strip()
        body = render_to_string("emails/outcome_published.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [response.email])


def send_new_link(response_id: int) -> None:
    response = _load(response_id)
    if response.email:
        with translation.override(response.language):
            subject = _("A new link to your response %(reference)s") % {"reference": response.reference}
            _send("new_link", subject, response, **_issue_link(response))
