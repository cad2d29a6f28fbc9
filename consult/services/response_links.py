"""Replacing a response's link (docs/decisions/0015-response-links-expire-and-can-be-reissued.md):
the way back to a response whose link was lost, forwarded, or has expired."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from consult import task_names
from consult.models import Response
from consult.services import outbox


def reissue_link(reference: str, email: str) -> bool:
    """Give the response `reference` a new link and email it there, if `email` is the address its
    links go to. Every earlier link stops working at once, and the new one works until
    RESPONSE_LINK_DAYS_AFTER_CLOSE days after the later of now and the consultation's close.

    Returns whether they matched a response; the page never says so, since that would tell a
    stranger which references exist and whose address goes with one."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .filter(reference=reference, email__iexact=email, consultation__is_published=True)
            .exclude(email="")
            .first()
        )
        if response is None:
            return False
        response.link_generation += 1
        response.link_issued_at = timezone.now()
        response.save(update_fields=["link_generation", "link_issued_at"])
        # One email per new link, however often its message is sent again.
        outbox.enqueue(
            task_names.SEND_NEW_LINK_EMAIL, response.pk, key=f"new-link:{response.pk}:{response.link_generation}"
        )
    return True
