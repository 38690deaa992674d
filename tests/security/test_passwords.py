"""Password policy and the password-reset link."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Thomas",
    "last_name": "Maier",
    "email": "thomas.maier@schreinerei.example",
    "organization_name": "Schreinerei Maier",
    "industry": "craft",
    "size_band": "micro",
    "accept_privacy": "on",
}


def _signup(client, password):
    return client.post(reverse("signup"), {**SIGNUP, "password1": password, "password2": password})


def test_password_shorter_than_twelve_characters_is_refused_in_german(client):
    response = _signup(client, "Kurz-2026!x")

    assert response.status_code == 200
    assert "mindestens 12 Zeichen" in response.content.decode()


def test_common_password_is_refused_in_german(client):
    response = _signup(client, "QwertyQwerty")

    assert "Dieses Passwort ist zu üblich." in response.content.decode()


def test_password_like_the_email_address_is_refused_in_german(client):
    response = _signup(client, "thomas.maier@schreinerei")

    assert "zu ähnlich" in response.content.decode()


def test_long_uncommon_password_is_accepted(client):
    response = _signup(client, "Hobelbank-und-Leim-1972")

    assert response.status_code == 302


def test_reset_link_uses_site_url_not_the_request_host(client, settings):
    settings.SITE_URL = "https://portal.beratung.example"
    settings.ALLOWED_HOSTS = ["*"]
    UserFactory(email="anna@kunde.example")

    client.post(
        reverse("password_reset"),
        {"email": "anna@kunde.example"},
        HTTP_HOST="evil.example",
    )

    (message,) = mail.outbox
    assert "https://portal.beratung.example/konto/passwort/neu/" in message.body
    assert "evil.example" not in message.body
    assert "evil.example" not in message.alternatives[0][0]
