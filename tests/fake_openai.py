"""A small OpenAI-compatible HTTP server, so tests drive the real openai client over real HTTP.

Each test scripts what the server does for each request in turn (reply with JSON content, answer
429 or 500, stall past the client's timeout, reply with text that is not JSON) and reads back the
request bodies it received. Register the fixture with `pytest_plugins = ["tests.fake_openai"]`.

PYTEST_DONT_REWRITE: test modules import the behaviours from here before pytest registers the
plugin, and nothing here relies on assertion rewriting.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class Reply:
    """Answer 200 with a chat completion whose message content is `content` (a dict is JSON-encoded)."""

    content: dict[str, Any] | str
    prompt_tokens: int = 100
    completion_tokens: int = 20


@dataclass(frozen=True)
class Fail:
    """Answer with an error status; retry-after-ms keeps the client's backoff to milliseconds."""

    status: int = 500
    retry_after_ms: int = 5


@dataclass(frozen=True)
class Stall:
    """Hold the request for `seconds` (longer than the client's timeout) before answering."""

    seconds: float = 2.0


@dataclass(frozen=True)
class Respond:
    """Answer 200 with content computed from the request, for callers whose requests are not
    known in advance (a whole analysis run, say)."""

    content_for: Callable[[Recorded], dict[str, Any]]


Behaviour = Reply | Fail | Stall | Respond


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def system(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "system")

    @property
    def user(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")


@dataclass
class FakeOpenAI:
    """The running server: `base_url` for the OpenAI client, `root` for Azure, `requests` received."""

    root: str
    requests: list[Recorded] = field(default_factory=list)
    unscripted: int = 0
    _queue: deque[Behaviour] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        """Queue what the next requests get, one behaviour per request, in order."""
        with self._lock:
            self._queue.extend(behaviours)

    def _next(self, recorded: Recorded) -> Behaviour | None:
        with self._lock:
            self.requests.append(recorded)
            if self._queue:
                return self._queue.popleft()
            self.unscripted += 1
            return None


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            is_chat = url.path == "/v1/chat/completions" or (
                url.path.startswith("/openai/deployments/") and url.path.endswith("/chat/completions")
            )
            if not is_chat:
                self._send(404, {"error": {"message": f"fake_openai has no {url.path}"}})
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            recorded = Recorded(url.path, parse_qs(url.query), {k.lower(): v for k, v in self.headers.items()}, body)
            behaviour = fake._next(recorded)
            if behaviour is None:
                # 400 is not retried, so an unscripted request shows up once, in `unscripted`.
                self._send(400, {"error": {"message": "fake_openai: no behaviour scripted for this request"}})
            elif isinstance(behaviour, Fail):
                headers = {"Retry-After": "0", "retry-after-ms": str(behaviour.retry_after_ms)}
                self._send(behaviour.status, {"error": {"message": f"scripted {behaviour.status}"}}, headers)
            elif isinstance(behaviour, Stall):
                # Waiting on the event, not sleeping, lets the server stop promptly at teardown.
                fake._stopping.wait(behaviour.seconds)
                self._send(500, {"error": {"message": "stalled"}})
            elif isinstance(behaviour, Respond):
                self._send(200, _completion(Reply(behaviour.content_for(recorded)), body.get("model", "")))
            else:
                self._send(200, _completion(behaviour, body.get("model", "")))

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a scripted stall); nothing to tell it

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI server on an ephemeral port; fails the test if a request found nothing scripted."""
    fake = FakeOpenAI(root="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.root = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown (and so each test's teardown) quick.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake._stopping.set()
        server.shutdown()
        server.server_close()
    if fake.unscripted:
        pytest.fail(f"{fake.unscripted} request(s) reached fake_openai with nothing scripted")
