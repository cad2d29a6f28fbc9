from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.real_workers import Workers


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are slow tests too, so that `make test-fast` (-m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    """A request to a Welsh page leaves Welsh active in the thread (Django's locale middleware
    activates a language and nothing puts it back), which would turn the next test's `reverse()`
    Welsh: each test starts and ends in the site's language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium per test module (starting it costs more than most tests);
    the module is skipped where it is missing."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM_ARGS, CHROMIUM_PATH

    if not CHROMIUM_PATH.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM_PATH}")
    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
    # from the test itself unless told that this is safe (it is: the loop is Playwright's own).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """A fresh browser context (no cookies) with JavaScript, which axe-core needs, at 1024 by 768.
    A module that needs something else (no JavaScript, a wider window, failing on script errors)
    defines its own `page`."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    yield context.new_page()
    context.close()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    """Real Celery worker processes on the test database (tests/real_workers.py)."""
    from tests.real_workers import running_workers

    yield from running_workers(tmp_path)
