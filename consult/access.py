"""Every "load an object named in a URL and check who may see it" goes through here."""

from django.core import signing
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from consult.models import Consultation, Response

_RESPONSE_LINK_SALT = "consult.response-link"


def get_public_consultation(slug: str) -> Consultation:
    """A consultation the public may see (any phase but draft); 404 otherwise."""
    return get_object_or_404(Consultation.objects.published().select_related("department", "ai_tool"), slug=slug)


def response_token(response: Response) -> str:
    """The secret that opens a response: it goes in resume links and receipts.

    It is the response's reference signed with the site's secret key, so it cannot be guessed
    from the reference alone, and it needs no cookie: whoever has the link can return to the
    response until the consultation closes.
    """
    return signing.Signer(salt=_RESPONSE_LINK_SALT).sign(response.reference)


def get_response_for_token(request: HttpRequest, token: str) -> Response:
    """The response a token opens, or 404 for a forged, mangled or unknown token."""
    try:
        reference = signing.Signer(salt=_RESPONSE_LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404("No response matches this link.") from None
    return get_object_or_404(
        Response.objects.select_related("consultation", "consultation__department", "user"),
        reference=reference,
        consultation__is_published=True,
    )
