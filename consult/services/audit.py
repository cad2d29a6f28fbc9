"""The audit trail: every human change in the workspace is recorded through `record`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model

from consult.models import AuditEvent, Consultation, User


def record(
    consultation: Consultation | None,
    actor: User | None,
    action: str,
    target: Model | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` (such as "theme.merge") to `target`, with the state before
    and after. Call it inside the transaction that makes the change, so that the change and its
    record stand or fall together."""
    return AuditEvent.objects.create(
        consultation=consultation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.model_name if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        before=before or {},
        after=after or {},
    )
