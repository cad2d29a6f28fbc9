"""What each official has read: the drill-down's "unread" filter reads it back."""

from __future__ import annotations

from consult.models import Response, ResponseRead, User


def mark_read(response: Response, user: User) -> None:
    """Remember that the official has read the response."""
    ResponseRead.objects.get_or_create(user=user, response=response)
