"""Locust users for `python -m bench.web`, one class per kind of target. The runner starts locust
once per target, naming the class, and hands over what the users need in a JSON plan
(BENCH_WEB_PLAN) and the target's name (BENCH_WEB_TARGET). No Django here: locust runs in its own
process, under gevent, and only speaks HTTP to gunicorn.

Every user waits for nothing between requests (a closed loop): the number of users is the number
of requests in flight. Redirects are not followed, so a POST is timed on its own.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["BENCH_WEB_PLAN"]).read_text(encoding="utf-8"))
TARGET = os.environ.get("BENCH_WEB_TARGET", "")
CSRF = PLAN["csrf"]
FORM = "application/x-www-form-urlencoded"

_answer_drafts = itertools.count()
_submit_tokens = iter(PLAN["submit_tokens"])


def _form_headers(session: str | None = None) -> dict[str, str]:
    cookie = f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")
    return {"Cookie": cookie, "Content-Type": FORM}


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def expect(self, method: str, path: str, status: int, name: str, body: str | None = None, **headers: str) -> str:
        """Send one request and count it as failed unless it answered `status`; return Location."""
        with self.client.request(
            method, path, data=body, headers=headers or None, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code} instead of {status}")
                return ""
            return response.headers.get("Location", "") if response.headers else ""


class PageUser(BenchUser):
    """An official reading one workspace page over and over, signed in."""

    @task
    def read_page(self) -> None:
        self.expect("GET", PLAN["pages"][TARGET], 200, TARGET, Cookie=f"sessionid={PLAN['session']}")


class BareUser(BenchUser):
    """The baseline: a view that returns two bytes."""

    @task
    def bare(self) -> None:
        self.expect("GET", PLAN["bare"], 200, TARGET)


def _answer_body(question: dict) -> str:
    """A valid answer to the question, as the respondent's browser would post it."""
    kind = question["kind"]
    if kind == "agreement":
        pairs = [("answer", random.randint(1, 5))]
    elif kind == "free_text":
        pairs = [("answer", random.choice(PLAN["texts"]))]
    elif kind == "single_choice":
        pairs = [("answer", random.choice(question["options"]))]
    else:
        chosen = random.sample(question["options"], k=random.randint(1, min(3, len(question["options"]))))
        pairs = [("answer", option) for option in chosen]
    return urlencode([("csrfmiddlewaretoken", CSRF), *pairs])


class BareWriteUser(BenchUser):
    """The fairer baseline: a CSRF-checked POST that updates one row of its own draft."""

    def on_start(self) -> None:
        drafts = PLAN["answer_drafts"]
        self.draft = drafts[next(_answer_drafts) % len(drafts)]

    @task
    def bare_write(self) -> None:
        path = PLAN["bare_write"].format(response_id=self.draft["id"])
        self.expect("POST", path, 200, TARGET, urlencode({"csrfmiddlewaretoken": CSRF}), **_form_headers())


class AnswerUser(BenchUser):
    """A respondent saving answers to their own draft, question after question, round and round."""

    def on_start(self) -> None:
        drafts = PLAN["answer_drafts"]
        self.token = drafts[next(_answer_drafts) % len(drafts)]["token"]
        self.questions = itertools.cycle(PLAN["questions"])

    @task
    def save_answer(self) -> None:
        question = next(self.questions)
        path = f"/respond/{self.token}/questions/{question['id']}/"
        self.expect("POST", path, 302, TARGET, _answer_body(question), **_form_headers())


class SubmitUser(BenchUser):
    """A respondent pressing "Accept and send" on a complete draft: one draft, one send."""

    @task
    def send(self) -> None:
        token = next(_submit_tokens, None)
        if token is None:
            raise StopUser()
        self.expect(
            "POST",
            f"/respond/{token}/check-answers/",
            302,
            TARGET,
            urlencode({"csrfmiddlewaretoken": CSRF}),
            **_form_headers(),
        )


class JourneyUser(BenchUser):
    """A whole response through the real forms: start, about you, every question, accept and send.
    Each request is its own line in the statistics; the runner counts finished responses."""

    @task
    def respond(self) -> None:
        start = urlencode({"csrfmiddlewaretoken": CSRF, "start_key": secrets.token_urlsafe(24)})
        location = self.expect("POST", PLAN["start"], 302, "journey: start", start, **_form_headers())
        if "/respond/" not in location:
            return
        token = location.split("/respond/", 1)[1].split("/", 1)[0]
        about = urlencode(
            {
                "csrfmiddlewaretoken": CSRF,
                "respondent_type": "individual",
                "email": "",
                "is_publication_consented": "no",
            }
        )
        if not self.expect("POST", f"/respond/{token}/about-you/", 302, "journey: about you", about, **_form_headers()):
            return
        for question in PLAN["questions"]:
            path = f"/respond/{token}/questions/{question['id']}/"
            if not self.expect("POST", path, 302, "journey: answer", _answer_body(question), **_form_headers()):
                return
        send = urlencode({"csrfmiddlewaretoken": CSRF})
        self.expect(
            "POST", f"/respond/{token}/check-answers/", 302, "journey: accept and send", send, **_form_headers()
        )
