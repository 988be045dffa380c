"""Real browser tests: Playwright driving Debian's chromium (installed by `make setup`), headless.

Each test gets fresh browser contexts (no shared storage), collects JavaScript errors and dialogs
(an alert means injected script ran), and saves screenshots under .run/results/browser/.
"""
import os
import re
from pathlib import Path
from typing import Dict, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ARTEFACTS = ROOT / ".run" / "results" / "browser"


@pytest.fixture
def browser() -> Browser:
    """One chromium per test: Playwright's sync API keeps an event loop running in this thread for
    as long as it is open, and the async tests that follow need the thread's loop to themselves."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}; `make setup` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page plus what went wrong on it: uncaught errors, console errors and any dialog."""

    def __init__(self, page: Page):
        self.page = page
        self.errors: List[str] = []
        self.dialogs: List[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def new_page(browser: Browser, request):
    """new_page(name) -> Watched page in a context of its own; screenshots of every page at the end."""
    contexts: List[BrowserContext] = []
    pages: Dict[str, Watched] = {}

    def make(name: str, **context_options) -> Watched:
        context = browser.new_context(locale=context_options.pop("locale", "zh-CN"), **context_options)
        contexts.append(context)
        pages[name] = Watched(context.new_page())
        return pages[name]

    yield make
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w-]+", "_", request.node.name)
    for name, watched in pages.items():
        if not watched.page.is_closed():
            watched.page.screenshot(path=str(ARTEFACTS / f"{test_name}-{name}.png"), full_page=True)
    for context in contexts:
        context.close()
