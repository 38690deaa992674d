import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from news.models import Article
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (11, 92, 122)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_cover_is_stored_by_the_project_and_served_with_the_article(client, settings):
    settings.SITE_URL = "https://portal.example.de"
    article = make_article(slug="mit-bild")
    article.cover = SimpleUploadedFile("foto.png", _png(), content_type="image/png")
    article.cover_alt = "Ein Schaubild"
    article.save()

    assert article.cover.name.startswith("news/covers/") and "foto" not in article.cover.name
    body = client.get(article.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="https://portal.example.de{article.cover_url}">' in (
        body
    )
    assert f'src="{article.cover_url}"' in body
    response = client.get(article.cover_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _png()


def test_cover_of_a_draft_is_404_for_the_public(client):
    article = make_article(slug="entwurf", state=Article.State.DRAFT, published_at=None)
    article.cover = SimpleUploadedFile("x.png", _png(), content_type="image/png")
    article.save()
    assert client.get(article.cover_url).status_code == 404


@pytest.mark.parametrize("name", ["nicht-da.png", "..%2F..%2Fsettings.py", ""])
def test_unknown_cover_names_are_404(client, name):
    make_article(slug="ohne-bild")
    url = reverse("news:cover", args=["x.png"]).replace("x.png", name)
    assert client.get(url).status_code == 404


def test_only_raster_images_are_accepted_as_cover():
    article = Article(title="t", slug="t", teaser="t", body="t", state=Article.State.DRAFT)
    article.cover = SimpleUploadedFile(
        "bild.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml"
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "cover" in error.value.message_dict
