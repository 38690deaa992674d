import os
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestLog:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def foreign(self, allowed_netloc: str) -> list[str]:
        return [
            url
            for url in self.urls
            if urlparse(url).scheme in {"http", "https", "ws", "wss"}
            and urlparse(url).netloc != allowed_netloc
        ]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log = RequestLog()
    page.on("request", lambda request: log.urls.append(request.url))
    page.request_log = log
    page.live_server_netloc = urlparse(live_server.url).netloc
    yield page
    context.close()
