import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_private_areas_out_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for private in ("/berater/", "/bewertungen/", "/berichte/", "/admin/", "/kalender/", "/konto/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /" not in lines and "Disallow: /aktuelles/" not in lines
    assert f"Sitemap: http://127.0.0.1:8000{reverse('news:sitemap')}" in lines
