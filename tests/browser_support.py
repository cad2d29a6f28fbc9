"""Helpers for the browser tests: Debian's Chromium, keyboard-only moves, axe-core and screenshots.

Nothing here talks to Django; the tests in `test_browser.py` bring the live server and the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM_PATH = Path("/usr/bin/chromium")
# No GPU, no network of its own, no first-run chores: a quiet headless browser on a small machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
# WCAG 2.2 AA, as the Public Sector Bodies Accessibility Regulations expect, and everything below it.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
}
TAB_LIMIT = 80

_axe = Axe()

_DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) {
    return {tag: "body", id: "", type: "", name: "", text: "", label: "", href: "", checked: false, visible: false};
  }
  const rect = el.getBoundingClientRect();
  const style = window.getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id || "",
    type: el.getAttribute("type") || "",
    name: el.getAttribute("name") || "",
    text: (el.innerText || "").replace(/\\s+/g, " ").trim(),
    label: el.labels && el.labels.length ? el.labels[0].innerText.replace(/\\s+/g, " ").trim() : "",
    href: el.getAttribute("href") || "",
    checked: Boolean(el.checked),
    visible: rect.width > 0 && rect.height > 0 && style.visibility !== "hidden",
  };
}"""


@dataclass(frozen=True)
class Focus:
    """What has the keyboard focus, as a keyboard user would meet it."""

    tag: str
    id: str
    type: str
    name: str
    text: str
    label: str
    href: str
    checked: bool
    visible: bool

    @property
    def accessible_name(self) -> str:
        """The label of a form control, or the text of a link or button."""
        return self.label or self.text

    def __str__(self) -> str:
        return f"<{self.tag}{' type=' + self.type if self.type else ''}> {self.accessible_name!r}"


def focused(page: Page) -> Focus:
    return Focus(**page.evaluate(_DESCRIBE_FOCUS))


def without_caption(name: str) -> str:
    """A question's accessible name without the "Question 2 of 5" caption inside its label."""
    return re.sub(r"^Question \d+ of \d+( \(optional\))? ", "", name)


def tab_to(page: Page, target: str | Callable[[Focus], bool], *, backwards: bool = False) -> Focus:
    """Press Tab (or Shift+Tab) until the focus is on `target`, an accessible name or a test.

    Every stop on the way must be visible: a keyboard user cannot follow an invisible focus.
    """
    matches = target if callable(target) else (lambda focus: without_caption(focus.accessible_name) == target)
    key = "Shift+Tab" if backwards else "Tab"
    visited: list[str] = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        focus = focused(page)
        visited.append(str(focus))
        assert focus.visible, f"the focus landed on something invisible: {focus} after {visited}"
        if matches(focus):
            return focus
    raise AssertionError(f"{key} never reached {target!r}; it visited: {visited}")


def press_and_wait_for_page(page: Page, key: str) -> None:
    """Press a key that loads another page (Enter on a link or button) and wait for that page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def slug_for_file(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{slug_for_file(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _is_govuk_conditional_reveal_radio(rule: str, node: dict) -> bool:
    """GOV.UK Frontend's known, deliberate axe failure, and nothing wider.

    Its JavaScript sets `aria-expanded` on a radio that reveals more questions. ARIA does not
    allow the attribute on a radio, but screen readers announce it, so the Design System keeps it
    on purpose: https://github.com/alphagov/govuk-frontend/issues/979 lists it as a known issue.
    Only that attribute, on such a radio, is let through; any other failure of the rule still fails.
    """
    if rule != "aria-allowed-attr":
        return False
    html = node.get("html", "")
    is_reveal_radio = 'class="govuk-radios__input"' in html and "aria-controls=" in html
    messages = [check["message"] for key in ("any", "all", "none") for check in node.get(key, [])]
    return is_reveal_radio and bool(messages) and all("aria-expanded" in message for message in messages)


def audit(page: Page, name: str) -> str:
    """Screenshot the page and check it with axe-core; return axe's report, or "" if it found nothing."""
    screenshot(page, name)
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = []
    for violation in results.response["violations"]:
        nodes = [node for node in violation["nodes"] if not _is_govuk_conditional_reveal_radio(violation["id"], node)]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    results.response["violations"] = violations
    if results.violations_count == 0:
        return ""
    return f"--- {name} ({page.url})\n{results.generate_report()}"


def assert_no_violations(reports: list[str]) -> None:
    """Fail with every page's axe report when any page had a violation."""
    failures = [report for report in reports if report]
    assert not failures, f"axe found violations on {len(failures)} page(s):\n\n" + "\n\n".join(failures)


def sign_in_with_session(page: Page, live_server_url: str, user: object) -> None:
    """Sign `user` in to the browser page by a session made as Django's login makes one (what is
    under test is the page, not the sign-in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server_url, "secure": True}])
