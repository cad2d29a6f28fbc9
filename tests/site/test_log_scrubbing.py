"""Response links, keys and references never reach the logs (issue 12)."""

import datetime
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from config.log_scrubbing import ScrubbingGunicornLogger, ScrubSecretsFilter, scrub

TOKEN = "R-TJHK-AQWJ-009A:qoKTm3EG2r1viT2eXOFoPrmPlXtz0nw07xQ1w-c4Gvk"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"GET /respond/{TOKEN}/about-you/ HTTP/1.1", "qoKTm3EG2r1viT2eXOFoPrmPlXtz0nw07xQ1w"),
        (f"POST /cy/respond/{TOKEN}/check-answers/ HTTP/1.1", "qoKTm3EG2r1viT2eXOFoPrmPlXtz0nw07xQ1w"),
        ("GET /unsubscribe/Mjk:1uXyZ:abcdefghijk/ HTTP/1.1", "1uXyZ:abcdefghijk"),
        ("GET /organisations/invitations/NDI:1uAb:secretpart/ HTTP/1.1", "secretpart"),
        ("GET /accounts/confirm-email/MTI:1uQw:confirmkey/ HTTP/1.1", "confirmkey"),
        ("GET /accounts/password/reset/key/3j-set-password/ HTTP/1.1", "3j-set-password"),
        ("GET /consultations/x/report/?reference=R-7KX4-M9PT-2HQD HTTP/1.1", "R-7KX4-M9PT-2HQD"),
        ("Not Found: /workspace/consultations/x/responses/R-7KX4-M9PT-2HQD/", "R-7KX4-M9PT-2HQD"),
        (f"GET /accounts/login/?next=/respond/{TOKEN}/ HTTP/1.1", "qoKTm3EG2r1viT2eXOFoPrmPlXtz0nw07xQ1w"),
    ],
)
def test_keys_and_references_are_scrubbed_from_log_lines(line: str, secret: str) -> None:
    assert secret not in scrub(line)
    assert scrub(line).split()[0] == line.split()[0]  # the rest of the line stays readable


def test_ordinary_addresses_are_left_as_they_are() -> None:
    for line in ("GET /consultations/ai-for-benefits/ HTTP/1.1", "GET /api/consultations?limit=20 HTTP/1.1"):
        assert scrub(line) == line


def test_gunicorns_access_log_lines_are_scrubbed() -> None:
    logger = ScrubbingGunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/respond/{TOKEN}/about-you/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/respond/{TOKEN}/about-you/",
        "QUERY_STRING": "reference=R-7KX4-M9PT-2HQD",
        "HTTP_REFERER": f"https://consult.example/respond/{TOKEN}/",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))

    logged = " ".join(str(value) for value in atoms.values())
    assert "qoKTm3EG2r1viT2eXOFoPrmPlXtz0nw07xQ1w" not in logged and "R-7KX4-M9PT-2HQD" not in logged
    assert atoms["r"] == "GET /respond/[key]/about-you/ HTTP/1.1"


def test_djangos_log_records_are_scrubbed_through_the_filter() -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/respond/{TOKEN}/",), None
    )
    assert ScrubSecretsFilter().filter(record)
    assert record.getMessage() == "Not Found: /respond/[key]/"
