"""Following consultations and departments, notification preferences, and the signed links that
unsubscribe from notification emails without signing in."""

from __future__ import annotations

from django.core import signing
from django.http import Http404

from consult.models import Consultation, Department, Follow, NotificationPreference, User

_UNSUBSCRIBE_SALT = "consult.notifications-unsubscribe"


def follow_consultation(user: User, consultation: Consultation) -> None:
    # get_or_create: a double click, or following twice, is one follow (the unique constraint).
    Follow.objects.get_or_create(user=user, consultation=consultation)


def unfollow_consultation(user: User, consultation: Consultation) -> None:
    Follow.objects.filter(user=user, consultation=consultation).delete()


def follow_department(user: User, department: Department) -> None:
    Follow.objects.get_or_create(user=user, department=department)


def unfollow_department(user: User, department: Department) -> None:
    Follow.objects.filter(user=user, department=department).delete()


def remember_language(user: User, language: str) -> None:
    """Write the person's notification emails in the language they were using when they last
    followed, unfollowed or chose their emails (English or Welsh)."""
    NotificationPreference.objects.update_or_create(user=user, defaults={"language": language})


def save_notification_preference(user: User, *, kinds: list[str], frequency: str) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user,
        defaults={
            "notify_opening": "opening" in kinds,
            "notify_closing": "closing" in kinds,
            "notify_outcome": "outcome" in kinds,
            "frequency": frequency,
        },
    )
    return preference


def unsubscribe(user: User) -> None:
    """Stop every notification email; what the person follows is kept, for their Following page."""
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"frequency": NotificationPreference.Frequency.NEVER}
    )


def unsubscribe_token(user: User) -> str:
    """The secret in every notification email's unsubscribe link.

    The person's id signed with the site's secret key: it cannot be forged for someone else, needs
    no sign-in, and does not expire, because RFC 8058 mail clients may use it long after.
    """
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_for_unsubscribe_token(token: str) -> User:
    """The person an unsubscribe link names, or 404 for a forged, mangled or unknown link."""
    try:
        user_id = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404("No one matches this link.") from None
    user = User.objects.filter(pk=int(user_id), is_active=True).first()
    if user is None:
        raise Http404("No one matches this link.")
    return user
