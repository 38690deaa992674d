"""The privacy page names the consultancy wherever it speaks of it."""

from django.urls import reverse


def test_privacy_page_names_the_consultancy_as_who_sees_the_data(client, settings):
    settings.CONSULTANCY = {**settings.CONSULTANCY, "name": "Seeblick IT-Beratung GmbH"}

    body = " ".join(client.get(reverse("privacy")).content.decode().split())

    assert "Beraterinnen und Berater von Seeblick IT-Beratung GmbH." in body
    assert " von ." not in body


def test_english_privacy_page_names_it_too(client, settings):
    settings.CONSULTANCY = {**settings.CONSULTANCY, "name": "Seeblick IT-Beratung GmbH"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = " ".join(client.get(reverse("privacy")).content.decode().split())

    assert "consultants at Seeblick IT-Beratung GmbH." in body
