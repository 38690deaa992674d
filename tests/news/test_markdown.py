from html.parser import HTMLParser

import pytest

from news import markdown as news_markdown
from news.markdown import is_local_url, markdown_to_html, markdown_to_text


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def real_tags(html: str) -> list[tuple[str, dict]]:
    """The elements a browser would build (escaped text is not an element)."""
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Text <script src='https://evil.example/x.js'></script> mehr",
        "```html\n<script>alert(1)</script>\n```",
    ],
)
def test_script_tags_never_reach_the_page(source):
    assert "script" not in [tag for tag, _ in real_tags(markdown_to_html(source))]


@pytest.mark.parametrize(
    "source",
    [
        "[Klick](javascript:alert(1))",
        "[Klick](JaVaScRiPt:alert(1))",
        "[Klick]( javascript:alert(1))",
        "[Klick](data:text/html;base64,PHNjcmlwdD4=)",
        "[Klick](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">Klick</a>',
    ],
)
def test_dangerous_link_schemes_are_removed(source):
    hrefs = [attrs.get("href") for _, attrs in real_tags(markdown_to_html(source))]
    assert all(href is None or href.startswith(("http", "/", "mailto:")) for href in hrefs)


@pytest.mark.parametrize(
    "source",
    [
        '<a href="/" onclick="steal()">x</a>',
        '<img src="/media/a.png" onerror="steal()">',
        '<p onmouseover="steal()">x</p>',
    ],
)
def test_event_attributes_never_become_attributes(source):
    html = markdown_to_html(source)
    assert not [name for _, attrs in real_tags(html) for name in attrs if name.startswith("on")]
    assert "&lt;" in html  # the raw HTML shows as text, it is not interpreted


def test_images_from_other_hosts_are_dropped_with_their_text_kept():
    html = markdown_to_html(
        "Vorher ![Pixel](https://tracker.example/p.gif) danach "
        "![Schema](//cdn.example/x.png) und ![Logo](/static/img/logo.svg) Ende"
    )
    assert "tracker.example" not in html and "cdn.example" not in html
    assert [attrs["src"] for tag, attrs in real_tags(html) if tag == "img"] == [
        "/static/img/logo.svg"
    ]
    assert "Vorher" in html and "danach" in html and "Ende" in html


def test_images_on_the_own_site_url_are_kept(settings):
    settings.SITE_URL = "https://portal.example.de"
    html = markdown_to_html("![a](https://portal.example.de/media/news/a.png)")
    assert 'src="https://portal.example.de/media/news/a.png"' in html


def test_a_body_is_rendered_once_and_again_when_the_site_moves(settings, monkeypatch):
    """Bodies are kept rendered per process (the list renders each card's body for its reading
    time); the key holds SITE_URL, so a moved portal drops images of its old host at once."""
    calls = []
    render = news_markdown.markdown.markdown
    monkeypatch.setattr(
        news_markdown.markdown,
        "markdown",
        lambda *args, **kwargs: calls.append(args) or render(*args, **kwargs),
    )
    body = "![Logo](https://portal.example.de/media/news/logo.png) Einmal rendern."
    settings.SITE_URL = "https://portal.example.de"

    first = markdown_to_html(body)
    assert markdown_to_html(body) == first and markdown_to_text(body).strip() == "Einmal rendern."
    assert len(calls) == 1
    settings.SITE_URL = "https://ki-check.example.de"
    assert "<img" not in markdown_to_html(body)
    assert len(calls) == 2


def test_ordinary_markdown_renders_headings_lists_tables_and_safe_links():
    html = markdown_to_html(
        "## Titel\n\n- eins\n- zwei\n\n| A | B |\n| - | - |\n| 1 | 2 |\n\n"
        "[Quelle](https://eur-lex.europa.eu/)"
    )
    assert "<h2>Titel</h2>" in html
    assert "<li>eins</li>" in html
    assert "<td>1</td>" in html
    assert '<a href="https://eur-lex.europa.eu/" rel="noopener noreferrer">Quelle</a>' in html


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("/media/x.png", True),
        ("//evil.example/x.png", False),
        ("https://evil.example/x.png", False),
        ("data:image/png;base64,AAAA", False),
        ("", False),
        ("relative.png", False),
    ],
)
def test_is_local_url(url, local):
    assert is_local_url(url) is local
