"""The audit trail: every human change in the workspace is recorded through `record`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model

from consult.models import AuditEvent, Consultation, User
from consult.queries.workspace.audit_sentences import ACTIONS


class UnknownAction(ValueError):
    """An action with no plain-English sentence: add it to `queries.workspace.audit_sentences.ACTIONS`."""


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
    record stand or fall together. An action the trail cannot put into words is refused, so that
    officials never read a code name."""
    if action not in ACTIONS:
        raise UnknownAction(f"{action!r} has no sentence in consult.queries.workspace.audit_sentences.ACTIONS")
    return AuditEvent.objects.create(
        consultation=consultation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.model_name if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        before=before or {},
        after=after or {},
    )


def record_trail_download(
    consultation: Consultation, actor: User, entries: int, filters: Mapping[str, str]
) -> AuditEvent:
    """Put a download of the audit trail itself on the trail: who took which entries out, when."""
    return record(
        consultation,
        actor,
        "export.audit_trail",
        after={"format": "csv", "entries": entries, "filters": dict(filters)},
    )
