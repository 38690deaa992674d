"""Brute force: wrong passwords lock the account and the address, for a while, with a message."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche"


def _fail(client, email, *, url=None, ip="203.0.113.7"):
    return client.post(
        url or reverse("login"),
        {"username": email, "password": "falsch-geraten"},
        REMOTE_ADDR=ip,
    )


def test_portal_login_locks_after_the_failure_limit_even_with_the_right_password(client, alice):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [_fail(client, alice.email).status_code for _ in range(limit)]

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_account_across_addresses_and_spellings(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, alice.email.upper() if n % 2 else alice.email, ip=f"198.51.100.{n + 1}")

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )

    assert right.status_code == 429


def test_lockout_counts_the_address_across_accounts(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, f"unbekannt{n}@example.com")

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    elsewhere = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )

    assert right.status_code == 429
    assert elsewhere.status_code == 302


def test_admin_login_is_locked_too(client):
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, admin.email, url=url)

    right = client.post(
        url, {"username": admin.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert right.status_code == 429
    assert LOCKED in right.content.decode()


def test_lockout_ends_after_the_cool_off_and_failures_meanwhile_do_not_extend_it(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _fail(client, alice.email)
    # Pretend the cool-off has passed since the lockout began.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(seconds=1)
    )

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert right.status_code == 302


def test_admin_unlocks_by_deleting_the_attempts_in_the_admin(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, alice.email)
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(admin)
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))

    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert changelist.status_code == 200
    assert alice.email in changelist.content.decode()
    assert right.status_code == 302


def test_proxy_count_picks_the_address_our_proxy_saw(rf, settings):
    from portal.security.lockout import attempt_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")

    assert attempt_ip_address(request) == "203.0.113.7"


def test_lockout_page_speaks_english_when_asked(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"),
            {"username": alice.email, "password": "falsch-geraten"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
