"""Capability links and references kept out of logs.

A response's link is its key (`/respond/<token>/`, ADR 0003), as are invitation, unsubscribe,
email-confirmation and password-reset links; a reference (R-XXXX-XXXX-XXXX) names one
respondent's response. Access logs and Django's request warnings ("Not Found: /respond/...")
would keep them for anyone who reads the logs, so both are scrubbed: gunicorn with
`-c config/gunicorn.py` (its access log), Django through the `scrub_secrets` logging filter.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

_SECRET_SEGMENTS = re.compile(
    r"(/(?:cy/)?(?:respond|unsubscribe|organisations/invitations|accounts/confirm-email|accounts/password/reset/key)/)"
    r"[^/?#\s\"]+"
)
_REFERENCE = re.compile(r"\bR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
# Query parameters that carry the same: ?reference=..., ?token=..., ?key=...
_SECRET_PARAMETERS = re.compile(r"((?:^|[?&])(?:reference|token|key|next)=)[^&#\s\"]*", re.IGNORECASE)


def scrub(text: str) -> str:
    """`text` with link keys, references and secret query parameters replaced by placeholders."""
    text = _SECRET_SEGMENTS.sub(r"\1[key]", text)
    text = _SECRET_PARAMETERS.sub(r"\1[hidden]", text)
    return _REFERENCE.sub("[reference]", text)


class ScrubbingGunicornLogger(Logger):
    """gunicorn's logger, every part of its access log lines scrubbed (request line, path, query,
    referrer, and the headers and environment a custom format may name)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: scrub(value) if isinstance(value, str) else value for key, value in atoms.items()}


class ScrubSecretsFilter(logging.Filter):
    """A logging filter that scrubs every record's message and arguments (see `scrub`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
