"""axe-core in the browser suite: a crawl of every page a role reaches by links, each checked at
the widths people use.

axe-core comes from the npm registry (``package.json``, installed by ``make test`` into
``node_modules/``); it is put into each page as an init script of the browser context, which the
page's Content-Security-Policy does not govern (nothing is loaded from the network). One browser
context per role; its one page is checked at every width before it moves on, so a crawl costs one
navigation per page and one axe run per page and width.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlparse

from playwright.sync_api import Error as PlaywrightError

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {1366: 900, 390: 844}
SERIOUS = ("serious", "critical")

# Not pages (skipped without a request; other downloads are recognised by their answer):
# downloads, feeds, images, sign-out, the language switch, Django's own admin (it
# brings its own styles and is not part of the portal's design), the health endpoint.
SKIP = re.compile(
    r"^/(admin|static|media|i18n)/|^/healthz|/abmelden/|/feed/|/bilder/|/pdf/$|\.(csv|ics|xlsx|pdf)"
    r"|/(export|csv|ics|kalender)/?$|[?&]format="
)
SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+")
PER_SHAPE = 2  # pages of one kind (same path with other ids) checked at most

_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, targets: v.nodes.slice(0, 12).map(n => n.target.join(" ")),
  }));
}"""


@dataclass
class Finding:
    url: str
    width: int
    rule: str
    impact: str
    help: str
    nodes: int
    targets: list[str]

    def __str__(self) -> str:
        where = ", ".join(self.targets)
        rule = f"{self.impact} {self.rule} ×{self.nodes} ({self.help})"
        return f"{self.url} @{self.width}px: {rule} {where}"


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def serious(self) -> list[Finding]:
        return [f for f in self.findings if f.impact in SERIOUS]

    def rules(self) -> dict[str, int]:
        """Failing nodes per "impact rule" over all pages and widths."""
        counter = Counter()
        for finding in self.findings:
            counter[f"{finding.impact} {finding.rule}"] += finding.nodes
        return dict(counter.most_common())

    def counts(self) -> dict[int, dict[str, int]]:
        """Per width: failing nodes of serious/critical rules, and of all rules."""
        counts = {width: Counter() for width in WIDTHS}
        for finding in self.findings:
            counts[finding.width]["all"] += finding.nodes
            if finding.impact in SERIOUS:
                counts[finding.width]["serious"] += finding.nodes
        return {width: dict(counter) for width, counter in counts.items()}


def axe_context(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1366, "height": 900})
    context.add_init_script(path=str(AXE_SOURCE))
    return context


def axe_check(page, url: str, crawl: Crawl) -> None:
    """axe at every width on the page as it is now (the viewport ends at the first width)."""
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for violation in page.evaluate(_RUN):
            crawl.findings.append(
                Finding(
                    url=url,
                    width=width,
                    **{
                        "rule": violation["id"],
                        "impact": violation["impact"] or "minor",
                        "help": violation["help"],
                        "nodes": violation["nodes"],
                        "targets": violation["targets"],
                    },
                )
            )
    page.set_viewport_size({"width": 1366, "height": 900})


def crawl(page, base_url: str, seeds: list[str], *, limit: int = 80) -> Crawl:
    """Visit every same-site page reachable by links from ``seeds`` (breadth first, at most
    ``PER_SHAPE`` pages per path shape and ``limit`` pages) and check each with axe."""
    netloc = urlparse(base_url).netloc
    result = Crawl()
    queue = deque(seeds)
    seen: set[str] = set()
    shapes: Counter = Counter()
    while queue and len(result.pages) < limit:
        path = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        shape = SHAPE.sub("#", urlparse(path).path)
        if shapes[shape] >= PER_SHAPE:
            continue
        try:
            response = page.goto(base_url + path)
        except PlaywrightError:  # a download (a file, not a page) aborts the navigation
            continue
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        landed = urlparse(page.url)
        if landed.netloc != netloc:
            continue
        shapes[shape] += 1
        result.pages.append(path)
        axe_check(page, path, result)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href, _fragment = urldefrag(href)
            parsed = urlparse(href)
            if parsed.netloc != netloc or parsed.scheme not in ("http", "https"):
                continue
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if target not in seen:
                queue.append(target)
    return result
