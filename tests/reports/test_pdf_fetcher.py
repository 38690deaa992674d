import io
import os

import pypdf
import pytest
from django.conf import settings as django_settings

from assessments.reports.pdf import (
    SafeURLFetcher,
    html_to_pdf,
    safe_url_fetcher,
    static_base_url,
    static_dir,
    static_url,
)

STATIC = os.path.realpath(django_settings.STATICFILES_DIRS[0])


def test_file_in_static_is_served_with_its_content_type():
    response = safe_url_fetcher(static_url("css/fonts.css"))

    assert response.content_type == "text/css"
    assert b"@font-face" in response.read()


def test_static_url_points_into_the_static_directory():
    assert static_url("img/logo.svg") == f"file://{STATIC}/img/logo.svg"
    assert static_base_url() == f"file://{STATIC}/"


@pytest.mark.parametrize("path", ["../pyproject.toml", "/etc/passwd", "css/missing.css"])
def test_static_url_refuses_what_is_not_a_static_file(path):
    with pytest.raises(ValueError, match="Not a file in the static directory"):
        static_url(path)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        f"file://{STATIC}/../pyproject.toml",
        f"file://{STATIC}/%2e%2e/pyproject.toml",
        f"file://{STATIC}",
        f"file://{STATIC}/fonts/source-sans-3/OFL.txt",  # inside, but not a stylesheet/font/image
        "file://evil.example/etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:text/css,body{color:red}",
        "/etc/passwd",
    ],
)
def test_everything_else_is_refused(url):
    with pytest.raises(ValueError, match="Refused to fetch"):
        safe_url_fetcher(url)


@pytest.fixture
def temp_static(tmp_path, settings):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "ok.css").write_text("p { color: black }")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.css").write_text("/* secret */")
    settings.STATICFILES_DIRS = [static]
    return static


def test_fetcher_follows_the_static_dirs_setting(temp_static):
    assert static_dir() == temp_static.resolve()
    assert safe_url_fetcher(f"file://{temp_static}/css/ok.css").read() == b"p { color: black }"


def test_symlink_out_of_static_is_refused(temp_static):
    (temp_static / "css" / "link.css").symlink_to(temp_static.parent / "secret" / "secret.css")
    (temp_static / "linked-dir").symlink_to(temp_static.parent / "secret")

    for url in (
        f"file://{temp_static}/css/link.css",
        f"file://{temp_static}/linked-dir/secret.css",
    ):
        with pytest.raises(ValueError, match="outside the static directory"):
            safe_url_fetcher(url)


def test_locked_fetcher_refuses_even_static_files():
    fetcher = SafeURLFetcher()
    url = static_url("css/fonts.css")
    fetcher.fetch(url).close()
    fetcher.lock("attachments are never embedded")

    with pytest.raises(ValueError, match="attachments are never embedded"):
        fetcher.fetch(url)
    assert fetcher.fetched == [url]
    assert fetcher.refused == [url]


HOSTILE_HTML = f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<link rel="stylesheet" href="css/fonts.css">
<link rel="stylesheet" href="http://evil.example/x.css">
<link rel="attachment" href="file:///etc/hostname">
<link rel="attachment" href="css/portal.css">
<style>
  body {{ font-family: "Source Sans 3", sans-serif; background: url(file:///etc/passwd) }}
  h1 {{ background: url("../pyproject.toml") }}
</style></head>
<body>
  <h1>Risikobericht Alpha Fensterbau</h1>
  <p>Anbieterabhängigkeit: hoch</p>
  <img src="http://example.com/x.png" alt="">
  <img src="https://example.com/tracker.gif" alt="">
  <img src="{static_url("img/logo.svg")}" alt="Logo" width="40">
  <a rel="attachment" href="file:///etc/group">Anhang</a>
  <a rel="attachment" href="img/logo.svg">Logo als Anhang</a>
</body></html>"""


@pytest.fixture(scope="module")
def hostile_render():
    return html_to_pdf(HOSTILE_HTML)


def test_hostile_resources_are_refused(hostile_render):
    refused = set(hostile_render.refused)

    assert {
        "http://evil.example/x.css",
        "http://example.com/x.png",
        "https://example.com/tracker.gif",
        "file:///etc/passwd",
        "file:///etc/hostname",
        "file:///etc/group",
        f"file://{STATIC}/css/portal.css",  # attachments are refused even from static
        f"file://{STATIC}/img/logo.svg",
    } <= refused
    assert any(url.endswith("/pyproject.toml") for url in refused)


def test_only_static_files_are_fetched(hostile_render):
    assert hostile_render.fetched
    assert all(url.startswith(f"file://{STATIC}/") for url in hostile_render.fetched)
    assert f"file://{STATIC}/img/logo.svg" in hostile_render.fetched  # the <img>, not the <a>


def test_pdf_shows_the_text_and_embeds_no_files(hostile_render):
    reader = pypdf.PdfReader(io.BytesIO(hostile_render.pdf))
    text = reader.pages[0].extract_text()

    assert hostile_render.pages == len(reader.pages) == 1
    assert "Risikobericht Alpha Fensterbau" in text
    assert "Anbieterabhängigkeit: hoch" in text
    assert not reader.attachments
    assert b"/EmbeddedFile" not in hostile_render.pdf
    assert b"/FileAttachment" not in hostile_render.pdf


def font_names(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            # WeasyPrint names them like "/ABCDEF+Source-Sans-3-Semi-Bold".
            names.add(str(font.get_object()["/BaseFont"]).replace("-", ""))
    return names


def test_source_sans_3_is_embedded(hostile_render):
    assert any("SourceSans" in name for name in font_names(hostile_render.pdf))


def test_charts_render_in_source_sans_3():
    from assessments.results.charts import ChartAxis, bars_svg

    html = '<link rel="stylesheet" href="css/fonts.css">' + bars_svg(
        [ChartAxis("Anbieterabhängigkeit", 70, "high")]
    )
    result = html_to_pdf(html)

    assert not result.refused
    assert any("SourceSans" in name for name in font_names(result.pdf))
