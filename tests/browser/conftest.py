import os
from urllib.parse import urlparse

import pytest
from django.core.management import call_command

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
        _watch_csp(browser)
        yield browser
        browser.close()


# Every Content-Security-Policy violation any browser test causes, on any page of any context.
CSP_VIOLATIONS: list[str] = []
_CSP_PROBE = """document.addEventListener('securitypolicyviolation', e => console.error(
  'CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' +
  e.lineNumber))"""


def _watch_csp(browser) -> None:
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(_CSP_PROBE)
        context.on(
            "console",
            lambda message: (
                CSP_VIOLATIONS.append(message.text)
                if "CSP-VIOLATION" in message.text or "Content Security Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = watched_new_context


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fails any browser test during which a page broke the Content-Security-Policy."""
    CSP_VIOLATIONS.clear()
    yield CSP_VIOLATIONS
    assert CSP_VIOLATIONS == []


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


DEMO_PASSWORD = "KI-Check-2026!"


@pytest.fixture
def seeded_demo(db, settings):
    """The demo data of ``make run`` (consultant, two client companies with results, articles)."""
    settings.DEBUG = True  # seed_demo refuses to run outside demo mode
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


@pytest.fixture
def draft(questionnaire, org_a, alice):
    """Alice's open assessment of Org A on the small test catalogue."""
    from assessments import services

    return services.assessment_start(organization=org_a, user=alice).assessment
