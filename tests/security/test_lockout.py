"""Brute force: wrong passwords lock the account and the address, for a while, with a message.

Two counters with limits of their own: the account (5 by default) and the client address over all
accounts (30 by default), so that an office behind one NAT address is not locked out together.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche"
ACCOUNT = settings.LOGIN_FAILURE_LIMIT_ACCOUNT
ADDRESS = settings.LOGIN_FAILURE_LIMIT_IP


def _fail(client, email, *, url=None, ip="203.0.113.7"):
    return client.post(
        url or reverse("login"),
        {"username": email, "password": "falsch-geraten"},
        REMOTE_ADDR=ip,
    )


def test_portal_login_locks_after_the_failure_limit_even_with_the_right_password(client, alice):
    limit = ACCOUNT
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
    for n in range(ACCOUNT):
        _fail(client, alice.email.upper() if n % 2 else alice.email, ip=f"198.51.100.{n + 1}")

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )

    assert right.status_code == 429


def test_the_limits_are_separate_and_the_address_limit_is_higher():
    assert (ACCOUNT, ADDRESS) == (5, 30)  # the defaults the README and docs/decisions/0014 state


def test_six_colleagues_behind_one_address_mistyping_once_are_not_locked(client):
    # One office, one NAT address: six accounts, one wrong password each. The address has 6
    # failures (< 30), each account 1 (< 5): nobody is locked out.
    colleagues = [UserFactory(email=f"kollege{n}@kunde.example") for n in range(ACCOUNT + 1)]
    statuses = [_fail(client, person.email).status_code for person in colleagues]

    signed_in = [
        type(client)()
        .post(
            reverse("login"),
            {"username": person.email, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.7",
        )
        .status_code
        for person in colleagues
    ]

    assert statuses == [200] * (ACCOUNT + 1)
    assert signed_in == [302] * (ACCOUNT + 1)


def test_a_locked_account_does_not_lock_the_address(client, alice, bob):
    for _ in range(ACCOUNT):
        _fail(client, alice.email)

    colleague = client.post(
        reverse("login"), {"username": bob.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert colleague.status_code == 302


def test_the_address_locks_after_its_own_limit_across_accounts(client, alice):
    # 29 different unknown accounts from one address: each account has 1 failure, the address 29.
    statuses = [_fail(client, f"unbekannt{n}@example.com").status_code for n in range(ADDRESS - 1)]
    before = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    client.post(reverse("logout"))
    last = _fail(client, "noch-einer@example.com")  # the 30th failure from this address

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    elsewhere = type(client)().post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )

    assert statuses == [200] * (ADDRESS - 1)
    assert before.status_code == 302
    assert last.status_code == 429
    assert right.status_code == 429
    assert "Gesperrt ist deshalb diese Verbindung, nicht Ihr Konto." in right.content.decode()
    assert elsewhere.status_code == 302


def test_signing_in_to_an_own_account_does_not_reset_the_failures_on_others(client, alice, bob):
    # Axes by itself deletes every attempt of the address on a successful sign-in; an attacker
    # with an account of their own could then guess another's password without end.
    for _ in range(ACCOUNT - 1):
        _fail(client, alice.email)
    own = client.post(
        reverse("login"), {"username": bob.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    client.post(reverse("logout"))

    last = _fail(client, alice.email)

    assert own.status_code == 302
    assert last.status_code == 429
    assert "Gesperrt ist das Konto" in last.content.decode()


def test_admin_login_is_locked_too(client):
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(ACCOUNT):
        _fail(client, admin.email, url=url)

    right = client.post(
        url, {"username": admin.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert right.status_code == 429
    assert LOCKED in right.content.decode()


def test_lockout_ends_after_the_cool_off_and_failures_meanwhile_do_not_extend_it(client, alice):
    for _ in range(ACCOUNT + 3):
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
    for _ in range(ACCOUNT):
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
    for _ in range(ACCOUNT):
        response = client.post(
            reverse("login"),
            {"username": alice.email, "password": "falsch-geraten"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_admin_unlocks_an_address_by_deleting_its_attempts(client, alice):
    for n in range(ADDRESS):
        _fail(client, f"unbekannt{n}@example.com")
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(admin)
    ids = list(AccessAttempt.objects.filter(ip_address="203.0.113.7").values_list("pk", flat=True))
    locked = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert locked.status_code == 429
    assert right.status_code == 302


def test_the_address_lockout_also_ends_after_the_cool_off(client, alice):
    for n in range(ADDRESS):
        _fail(client, f"unbekannt{n}@example.com")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timezone.timedelta(seconds=1)
    )

    right = client.post(
        reverse("login"), {"username": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert right.status_code == 302


def test_admin_login_locks_the_address_too(client):
    admin = UserFactory(email="admin@beratung.example", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for n in range(ADDRESS):
        _fail(client, f"unbekannt{n}@example.com", url=url)

    right = client.post(
        url, {"username": admin.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert right.status_code == 429
    assert LOCKED in right.content.decode()
