"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser) against the
live server, with axe-core run on every page visited."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Django's live server runs in a thread; Playwright's sync API runs its own event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class AxeChecker:
    """Runs axe-core on a page and fails on any serious or critical violation."""

    def __init__(self):
        self.axe = Axe()
        self.checked: list[str] = []

    def __call__(self, page) -> None:
        results = self._run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        self.checked.append(page.url)
        assert not bad, f"axe-core on {page.url}:\n" + "\n".join(bad)

    def _run(self, page, attempts: int = 3):
        # A click that navigates can return before the next page is parsed: axe then meets a
        # document with no root, or one torn down under it. Wait for the page and try again.
        for attempt in range(attempts):
            page.wait_for_load_state("load")
            try:
                return self.axe.run(page)
            except PlaywrightError as error:
                racing = "documentElement" in str(error) or "context was destroyed" in str(error)
                if not racing or attempt == attempts - 1:
                    raise


@pytest.fixture
def axe():
    return AxeChecker()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    # A Content-Security-Policy violation or a broken script shows as a console error.
    assert not errors, f"browser console errors: {errors}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
