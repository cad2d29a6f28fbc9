"""Hostile input across forms, API parameters, URLs and imports (issue 12): no server error, and
nothing stored comes back as live markup on any page that shows it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from consult.models import Answer, Organisation
from tests.factories import make_consultation, make_official, make_user
from tests.journey import answer_required, send, start

pytestmark = pytest.mark.django_db

# Strings an attacker or a broken client sends: markup and script, template and format syntax,
# SQL, path tricks, control characters, odd Unicode, very long text, numbers where text goes.
# Thirty strings, each sent to the answer, about-you, organisation and search forms, the API's
# parameters and paths, page addresses and a CSV import: over 60 hostile inputs in all.
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "%s%s%s%n",
    "${7*7}",
    "'; DROP TABLE consult_answer; --",
    "' OR '1'='1",
    "../../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "\x00",
    "text with a \x00 NUL",
    "\u202eRTL override",
    "\ufeffbyte order mark",
    "Zalgo t̸̢̛e̶͖x̷t̴",
    "🙂" * 50,
    "a" * 10_000,
    "\r\n\r\nHeader-Injection: yes",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "[]",
    '{"a": 1}',
    " ",
    "",
    "<!--",
]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg/onload=alert(1)>"]


@override_settings(RESPONSE_RATE_LIMIT="100000/m")  # every input reaches its form, none is rate limited
def test_hostile_answers_and_details_are_refused_or_kept_as_text_never_a_server_error(client: Client) -> None:
    consultation = make_consultation()
    questions = {q.position: q for q in consultation.questions.all()}
    token = start(client, consultation)
    for value in HOSTILE:
        for question in (questions[2], questions[1], questions[3]):
            assert (
                client.post(reverse("answer_question", args=[token, question.pk]), {"answer": value}).status_code < 500
            )
        response = client.post(
            reverse("about_you", args=[token]),
            {"respondent_type": value, "email": value, "is_publication_consented": value},
        )
        assert response.status_code < 500, value
    # Markup saved as an answer is stored as typed and comes back as text, to the respondent on the
    # check-answers page and to officials.
    respondent = Client()
    fresh = start(respondent, consultation, start_key="key-2")
    answer_required(respondent, consultation, fresh, why=MARKUP[1])
    check = respondent.get(reverse("check_answers", args=[fresh])).content.decode()
    assert MARKUP[1] not in check and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in check
    send(respondent, fresh)
    assert Answer.objects.filter(text=MARKUP[1]).exists()
    official = Client()
    official.force_login(make_official(consultation.department, role="lead"))
    for address in (
        reverse("workspace_responses", args=[consultation.slug]),
        reverse("workspace_question_analysis", args=[consultation.slug, questions[2].pk]),
    ):
        page = official.get(address)
        assert page.status_code == 200 and not any(markup in page.content.decode() for markup in MARKUP), address


@override_settings(RESPONSE_RATE_LIMIT="100000/m")
def test_hostile_organisation_details_and_searches_never_fail_or_run(client: Client) -> None:
    client.force_login(make_user())
    for number, value in enumerate(HOSTILE):
        response = client.post(
            reverse("register_organisation"),
            {
                "name": f"{value[:80]} {number}",
                "website": value,
                "charity_number": value,
                "company_number": value,
                "represents": value or "People.",
                "how_views_gathered": value or "A survey.",
            },
        )
        assert response.status_code < 500, value
        assert client.get(reverse("consultation_list"), {"q": value, "phase": value, "page": value}).status_code < 500
    for organisation in Organisation.objects.filter(name__startswith="<"):
        page = client.get(reverse("organisation_detail", args=[organisation.pk]))
        assert not any(markup in page.content.decode() for markup in MARKUP)


@override_settings(API_RATE_LIMIT="100000/m", RESPONSE_RATE_LIMIT="100000/m")
def test_hostile_api_parameters_and_addresses_answer_clearly(client: Client) -> None:
    make_consultation()
    for value in HOSTILE:
        for params in ({"limit": value}, {"offset": value}, {"phase": value}):
            response = client.get("/api/consultations", params)
            assert response.status_code < 500 and response["Content-Type"].startswith("application/json"), value
        safe = value.replace("/", "").replace("\x00", "") or "x"
        for address in (f"/api/consultations/{safe[:200]}", f"/consultations/{safe[:200]}/", f"/respond/{safe[:200]}/"):
            assert client.get(address).status_code < 500, address


def test_hostile_csv_files_are_refused_whole_or_imported_as_text(tmp_path) -> None:
    for number, value in enumerate(HOSTILE):
        path = tmp_path / f"hostile-{number}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([("id", "text"), (value[:100], value), ("2", f"Fine answer {number}.")])
        try:
            call_command(
                "import_responses",
                str(path),
                "--consultation",
                f"hostile-{number}",
                "--text-column",
                "text",
                "--id-column",
                "id",
                stdout=io.StringIO(),
            )
        except CommandError as error:
            assert str(error) and "Traceback" not in str(error)
    stored = list(Answer.objects.values_list("text", flat=True))
    assert stored and not any("\x00" in text for text in stored)
