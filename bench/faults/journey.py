"""Respondents for `python -m bench.faults`: each completes whole responses through the real HTML
forms over HTTP, as a person with a browser would, and keeps going through outages as a person
would, by pressing refresh.

A respondent reads each page it is given and acts on what the page is (the journey's URLs say
which page it is), rather than following a fixed list of requests: after an error a POST may have
gone through or not, and the server's next page, not the respondent's plan, says where the
journey stands. A response counts as confirmed only once its confirmation page, with its
reference, has been seen.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

# The project's own error page (templates/500.html), which it also sends, with status 503 and a
# Retry-After header, while PostgreSQL cannot be reached (consult/views/errors.py).
ERROR_PAGE_HEADING = "Sorry, there is a problem with the service"
REFERENCE = re.compile(r'class="consult-reference">(R-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')
# Which page of the journey a URL is; the order matters (equality lives under about-you/).
PAGES = [
    ("equality", re.compile(r"/respond/[^/]+/about-you/equality/$")),
    ("about_you", re.compile(r"/respond/[^/]+/about-you/$")),
    ("question", re.compile(r"/respond/[^/]+/questions/\d+/$")),
    ("check_answers", re.compile(r"/respond/[^/]+/check-answers/$")),
    ("confirmation", re.compile(r"/respond/[^/]+/confirmation/$")),
    ("response_detail", re.compile(r"/respond/[^/]+/$")),
    ("start", re.compile(r"/consultations/[^/]+/respond/$")),
    ("consultation", re.compile(r"/consultations/[^/]+/$")),
]
# Answers of the benchmark's own writing, put together differently for each response.
OPENINGS = [
    "I would use it if a person checked its answers.",
    "Phone queues are too long, so a quicker answer would help me.",
    "I do not trust a computer to explain my benefits correctly.",
    "It should always say that it is an AI and offer an adviser instead.",
    "My mother cannot use web chat and would be left behind.",
    "It could save staff time for the difficult cases.",
    "Wrong answers about deadlines could cost people money.",
    "I want to know what it does with what I type.",
]
ADDITIONS = [
    "Please test it with disabled people first.",
    "Publish how often it gets things wrong.",
    "Keep a phone line for people who need one.",
    "It must never make the decision about a claim.",
    "Explain the sources it uses for each answer.",
    "Welsh speakers should get the same service.",
    "",
]


@dataclass
class Form:
    """One HTML form as a browser sees it: where it goes and the controls it holds."""

    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)  # text, email and textarea fields
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The page's forms, read with the standard library's HTML parser."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(action=values.get("action", ""), method=values.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "textarea" and values.get("name"):
            self._form.text.append(values["name"])
        elif tag == "input" and values.get("name"):
            kind, name = values.get("type", "text"), values["name"]
            if kind == "hidden":
                self._form.hidden[name] = values.get("value", "")
            elif kind == "radio":
                self._form.radios.setdefault(name, []).append(values.get("value", ""))
            elif kind == "checkbox":
                self._form.checkboxes.setdefault(name, []).append(values.get("value", ""))
            elif kind in ("text", "email"):
                self._form.text.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def page_kind(url: str) -> str:
    path = urlparse(url).path
    return next((kind for kind, pattern in PAGES if pattern.search(path)), "other")


@dataclass
class Failure:
    """A request that did not get a page a person could go on from."""

    at: float  # seconds since the load started
    page: str  # which page of the journey was asked for
    status: int | None  # None: no answer at all (connection refused or reset, timeout)
    kind: str  # "503 page", "500", "other status", "no answer"
    detail: str = ""


class Tally:
    """What every respondent saw, shared between their threads."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.failures: list[Failure] = []
        self.confirmed: dict[str, str] = {}  # email -> reference on the confirmation page
        self.abandoned: dict[str, str] = {}  # email -> why the respondent stopped
        self.double_sends = 0  # sends that came back as "already sent" (a retried POST went through)
        self.requests = 0

    def seen(self, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1

    def failed(self, failure: Failure) -> None:
        with self.lock:
            self.requests += 1
            if failure.status is not None:
                self.statuses[failure.status] += 1
            self.failures.append(failure)

    @property
    def done(self) -> int:
        with self.lock:
            return len(self.confirmed) + len(self.abandoned)


class Abandoned(Exception):
    """The respondent gave up: errors for longer than a person would keep pressing refresh, or a
    page that would not move on."""


class Respondent:
    """One person at a browser, completing responses one after another."""

    def __init__(
        self, base_url: str, slug: str, tally: Tally, *, pause: float = 3.0, give_up_after: float = 600.0
    ) -> None:
        self.base_url = base_url
        self.slug = slug
        self.tally = tally
        self.pause = pause
        self.give_up_after = give_up_after

    # --- One request, retried through outages ----------------------------------------------------

    def _fetch(self, session: requests.Session, method: str, url: str, data: dict | None = None) -> requests.Response:
        """The page a request leads to, trying again after a pause while the service fails, as a
        person would press refresh: the same POST again if it failed itself, or the page it was
        redirected to if only that failed (what a browser's refresh does). Raises Abandoned after
        `give_up_after` seconds of failures."""
        first_failure = None
        while True:
            page = urlparse(url).path
            try:
                reply = session.request(method, url, data=data, timeout=60)
            except requests.RequestException as error:
                failure = Failure(self._now(), page_kind(url), None, "no answer", type(error).__name__)
                reply = None
            else:
                if reply.status_code < 500 and reply.status_code != 429:
                    for earlier in reply.history:
                        self.tally.seen(earlier.status_code)
                    self.tally.seen(reply.status_code)
                    return reply
                failure = self._classify(reply)
                for earlier in reply.history:
                    self.tally.seen(earlier.status_code)
                if reply.history:
                    # The POST went through; only the page after it failed: refresh that page.
                    method, url, data = "GET", reply.url, None
            self.tally.failed(failure)
            first_failure = first_failure or time.monotonic()
            if time.monotonic() - first_failure > self.give_up_after:
                raise Abandoned(f"{failure.kind} on {page_kind(page)} for {self.give_up_after:.0f} s")
            time.sleep(self.pause)

    def _classify(self, reply: requests.Response) -> Failure:
        status = reply.status_code
        is_error_page = ERROR_PAGE_HEADING in reply.text
        if status == 503 and is_error_page and reply.headers.get("Retry-After"):
            kind = "503 page"
        elif status == 500:
            kind = "500"
        else:
            kind = "other status"
        detail = "" if is_error_page else reply.text[:120].replace("\n", " ")
        return Failure(self._now(), page_kind(reply.url), status, kind, detail)

    def _now(self) -> float:
        return time.monotonic() - self.tally.started

    # --- The journey ------------------------------------------------------------------------------

    def respond(self, number: int, rng: random.Random) -> None:
        """Complete one response: start it, answer every page, send it, and read the reference."""
        email = f"respondent-{number}@bench-faults.example"
        session = requests.Session()
        reply = self._fetch(session, "GET", f"{self.base_url}/consultations/{self.slug}/")
        seen: Counter[str] = Counter()
        try:
            for _step in range(60):
                kind = page_kind(reply.url)
                seen[reply.url] += 1
                if seen[reply.url] > 4:
                    raise Abandoned(f"the {kind} page would not move on")
                if kind == "confirmation":
                    found = REFERENCE.search(reply.text)
                    if not found:
                        raise Abandoned("a confirmation page without a reference")
                    with self.tally.lock:
                        self.tally.confirmed[email] = found.group(1)
                    return
                if kind == "response_detail":
                    # A retried "Accept and send" that had gone through the first time: the
                    # service shows the sent response; its confirmation page is one link away.
                    with self.tally.lock:
                        self.tally.double_sends += 1
                    reply = self._fetch(session, "GET", reply.url + "confirmation/")
                    continue
                form = self._journey_form(reply, kind)
                data = self._fill(form, kind, email, rng)
                reply = self._fetch(session, "POST", urljoin(reply.url, form.action), data)
            raise Abandoned("more than 60 pages")
        except Abandoned as why:
            with self.tally.lock:
                self.tally.abandoned[email] = str(why)

    def _journey_form(self, reply: requests.Response, kind: str) -> Form:
        forms = [form for form in forms_of(reply.text) if form.method == "post"]
        if kind == "consultation":
            forms = [form for form in forms if form.action.endswith("/respond/")]
        if kind not in ("consultation", "about_you", "question", "check_answers", "equality") or not forms:
            raise Abandoned(f"no form to go on with on a {kind} page ({urlparse(reply.url).path})")
        return forms[0]

    def _fill(self, form: Form, kind: str, email: str, rng: random.Random) -> dict[str, object]:
        """What this person types and ticks: a unique email address for the receipt, an answer to
        every question (optional ones too), about half of the equality questions."""
        data: dict[str, object] = dict(form.hidden)
        for name, values in form.radios.items():
            if name == "respondent_type":
                data[name] = "individual"
            elif kind == "equality" and rng.random() < 0.5:
                continue  # the equality questions are all optional
            else:
                data[name] = rng.choice(values)
        for name, values in form.checkboxes.items():
            data[name] = rng.sample(values, k=min(len(values), rng.choice([1, 1, 2])))
        for name in form.text:
            if name == "email":
                data[name] = email
            elif name == "answer":
                data[name] = f"{rng.choice(OPENINGS)} {rng.choice(ADDITIONS)}".strip()
            else:
                data[name] = ""
        return data

    def run(self, numbers: NumberSource, seed: int) -> None:
        """Complete responses until the numbers run out (or the harness says stop)."""
        rng = random.Random(seed)
        while (number := numbers.next()) is not None:
            self.respond(number, rng)


class NumberSource:
    """Hands out response numbers to the respondents until the target is reached and `enough` is
    set (every fault has happened: on a fast machine the target alone may come first), or until
    `stop()`; never more than three times the target."""

    def __init__(self, total: int, enough: threading.Event) -> None:
        self.total = total
        self.enough = enough
        self._next = 0
        self._lock = threading.Lock()
        self._stopped = False

    def next(self) -> int | None:
        with self._lock:
            reached = self._next >= self.total and (self.enough.is_set() or self._next >= 3 * self.total)
            if self._stopped or reached:
                return None
            self._next += 1
            return self._next

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
