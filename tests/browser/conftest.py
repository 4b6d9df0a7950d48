"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

`scripts/test.sh` runs them wherever Chromium is installed (`BROWSER_TESTS=1 scripts/test.sh
tests/browser` insists, as CI's own step does; `BROWSER_TESTS=0` leaves them out, see
tests/conftest.py). Every page a test opens through `visit` is
screenshotted into tests/browser/screenshots/, checked with axe-core for serious or critical
violations and, at 375 px wide, for horizontal scroll; any console error fails the test.
"""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop on the test's thread, which Django's ORM takes for
# an async context; the tests only use the ORM between browser calls, never inside a coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.analytics.logs import installed, new_store  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# A full-page screenshot is the evidence of a page, not a check on it: on a busy 2-core machine
# Chromium once took over the default 10 s to paint the long seat map at 375 px in CI.
SCREENSHOT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """One browser page plus what the checks collected on it."""

    page: Page
    base_url: str
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    # Documents the test asked for knowing they answer 4xx: Chromium logs each as a console error.
    expected_error_documents: set[str] = field(default_factory=set)

    def visit(self, path: str, name: str, *, expect_status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response.status == expect_status, f"{path}: {response.status}"
        if expect_status >= 400:
            self.expected_error_documents.add(response.url)
        self.check(name)
        return response

    def check(self, name: str) -> None:
        """Screenshot at desktop width and at 375 px; no horizontal scroll on the phone; axe clean."""
        page = self.page
        page.wait_for_load_state("load")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
        page.set_viewport_size(PHONE)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: {overflow}px of horizontal scroll at 375 px"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-375.png"), full_page=True, timeout=SCREENSHOT_TIMEOUT_MS)
        page.set_viewport_size(DESKTOP)
        assert_accessible(page, name)

    def submitted(self, name: str, expect_status: int = 200):
        """Run a click that submits a form: `with tab.submitted("name"): page.click(...)`."""
        return _Submission(self, name, expect_status)


class _Submission:
    def __init__(self, tab: Tab, name: str, expect_status: int):
        self.tab, self.name, self.expect_status = tab, name, expect_status

    def __enter__(self):
        self.waiting = self.tab.page.expect_navigation()
        self.navigation = self.waiting.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.waiting.__exit__(*exc_info)
        if exc_info[0] is not None:
            return False
        response = self.navigation.value
        assert response.status == self.expect_status, f"{self.name}: {response.status} at {response.url}"
        if self.expect_status >= 400:
            self.tab.expected_error_documents.add(response.url)
        self.tab.check(self.name)
        return False


def assert_accessible(page: Page, name: str) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert not serious, f"{name}: axe found\n" + "\n".join(serious)


FAILED_RESOURCE = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


@pytest.fixture
def search_log_store():
    """A search-log database of the test's own, so the log browser shows only its searches."""
    with installed(new_store()) as store:
        yield store


@pytest.fixture
def tab(browser, live_server, transactional_db, search_log_store):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page=page, base_url=live_server.url)

    def on_console(message):
        if message.type == "error":
            tab.console_errors.append((message.text, message.location.get("url", "")))

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.console_errors.append((f"uncaught: {error}", "")))
    yield tab
    context.close()
    unexpected = [
        f"{text} ({url})"
        for text, url in tab.console_errors
        if not (FAILED_RESOURCE.search(text) and url in tab.expected_error_documents)
    ]
    assert not unexpected, "console errors:\n" + "\n".join(unexpected)
