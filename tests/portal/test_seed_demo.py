import pytest
from django.core.management import call_command

from portal.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_credentials(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    second = (User.objects.count(), Organization.objects.count(), Membership.objects.count())

    assert first == second == (6, 2, 4)
    consultant = User.objects.get(email="berater@demo.example")
    assert consultant.is_consultant
    assert consultant.check_password("KI-Check-2026!")
    assert set(Organization.objects.values_list("consultant__email", flat=True)) == {
        "berater@demo.example"
    }
    out = capsys.readouterr().out
    assert "KI-Check-2026!" in out
    assert "inhaber@schreinerei-hegau.example" in out


@pytest.mark.mfa_real
def test_demo_consultant_signs_in_with_a_demo_recovery_code_and_it_comes_back_next_seed(
    client, settings
):
    settings.DEBUG = True
    call_command("seed_demo")
    client.post(
        "/konto/anmelden/",
        {"username": "berater@demo.example", "password": "KI-Check-2026!"},
    )
    assert client.get("/berater/").status_code == 302  # second factor still missing

    client.post("/konto/zwei-faktor/code/", {"token": "demo0001"})
    assert client.get("/berater/").status_code == 200

    client.logout()
    client.post(
        "/konto/anmelden/",
        {"username": "berater@demo.example", "password": "KI-Check-2026!"},
    )
    assert client.post("/konto/zwei-faktor/code/", {"token": "demo0001"}).status_code == 400  # used

    call_command("seed_demo")
    client.post("/konto/zwei-faktor/code/", {"token": "demo0001"})
    assert client.get("/berater/").status_code == 200
