"""Response headers: CSP, Permissions-Policy, no-store for signed-in pages; no inline script."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_csp_forbids_inline_script_foreign_origins_and_framing(client):
    directives = _directives(client.get(reverse("landing")))

    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in " ".join(directives.values())
    assert not any("http" in value for value in directives.values())


def test_permissions_policy_denies_powerful_features(client):
    policy = client.get(reverse("landing"))["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_signed_in_pages_are_not_stored(client, alice, org_a):
    client.force_login(alice)

    response = client.get(reverse("organization_detail", args=[org_a.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_public_pages_may_be_cached(client):
    response = client.get(reverse("landing"))

    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_has_inline_script_or_event_handler(path):
    text = path.read_text(encoding="utf-8")

    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I)
        if "src=" not in tag and "application/json" not in tag and "application/ld+json" not in tag
    ]
    handlers = re.findall(r"\son[a-z]+\s*=", text, flags=re.I)
    assert inline_scripts == []
    assert handlers == []
    assert "javascript:" not in text.lower()
