from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditLog, Invitation, Membership, Organization, User
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Thomas",
    "last_name": "Maier",
    "email": "Thomas.Maier@Schreinerei.example",
    "password1": "Hobelbank-1972!",
    "password2": "Hobelbank-1972!",
    "organization_name": "Schreinerei Maier",
    "industry": "craft",
    "size_band": "micro",
    "accept_privacy": "on",
}


def test_signup_creates_user_organisation_and_owner_membership(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), SIGNUP)

    user = User.objects.get()
    organization = Organization.objects.get()
    assert user.email == "thomas.maier@schreinerei.example"
    assert user.email_verified_at is None
    assert organization.name == "Schreinerei Maier"
    assert organization.size_band == "micro"
    membership = Membership.objects.get()
    assert (membership.user, membership.organization, membership.role) == (
        user,
        organization,
        Membership.Role.OWNER,
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_done")
    assert AuditLog.objects.filter(action="user.signup", actor=user).exists()
    (message,) = [m for m in mailoutbox if m.to == [user.email]]
    assert "/konto/bestaetigen/" in message.body


def test_signup_with_mismatched_passwords_keeps_input_and_creates_nothing(client):
    response = client.post(reverse("signup"), {**SIGNUP, "password2": "anders"})

    assert response.status_code == 200
    assert "Die beiden Passwörter stimmen nicht überein." in response.content.decode()
    assert 'value="Schreinerei Maier"' in response.content.decode()
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_login_with_email_and_password(client, alice):
    response = client.post(
        reverse("login"), {"username": "Alice@Alpha.example", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == alice.pk


def test_wrong_password_gives_a_clear_error(client, alice):
    response = client.post(reverse("login"), {"username": alice.email, "password": "falsch"})

    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort stimmen nicht" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_mail_with_a_working_link(client, alice, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": alice.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [alice.email]
    assert mail.subject == "Neues Passwort für das KI-Readiness-Portal"
    link = next(line for line in mail.body.splitlines() if "/konto/passwort/neu/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get("/" + path, follow=True)
    assert confirm.status_code == 200
    assert "Neues Passwort festlegen" in confirm.content.decode()
    assert mail.alternatives and "text/html" in mail.alternatives[0][1]


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "niemand@example.com"})

    assert response.status_code == 302
    assert mailoutbox == []


def test_password_change(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Neues-Passwort-2027",
            "new_password2": "Neues-Passwort-2027",
        },
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Neues-Passwort-2027")


def test_owner_invites_and_invitee_gets_an_email(
    client, alice, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_create", args=[org_a.pk]),
            {"email": "Neu@Alpha.example", "role": "member"},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "neu@alpha.example"
    assert len(mailoutbox) == 1
    assert invitation.token not in mailoutbox[0].body  # only the hash is stored
    assert "Alpha Fensterbau GmbH" in mailoutbox[0].body


def test_member_cannot_invite(client, bob, org_a):
    client.force_login(bob)
    response = client.post(
        reverse("invitation_create", args=[org_a.pk]), {"email": "x@example.com", "role": "member"}
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused_with_a_message(client, alice, bob, org_a):
    client.force_login(alice)
    response = client.post(
        reverse("invitation_create", args=[org_a.pk]), {"email": bob.email, "role": "member"}
    )

    assert response.status_code == 400
    assert "ist bereits Mitglied" in response.content.decode()


def test_accepting_an_invitation_creates_account_and_membership(client, org_a):
    invitation = InvitationFactory(organization=org_a, email="neu@alpha.example")

    response = client.post(
        reverse("invitation_accept", args=[invitation.raw_token]),
        {
            "first_name": "Nina",
            "last_name": "Neu",
            "password1": "Werkbank-Sicher-9",
            "password2": "Werkbank-Sicher-9",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="neu@alpha.example")
    assert user.check_password("Werkbank-Sicher-9")
    assert Membership.objects.filter(user=user, organization=org_a, role="member").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Used once: the link does not work a second time.
    again = client.get(reverse("invitation_accept", args=[invitation.raw_token]))
    assert again.status_code == 410
    assert "bereits angenommen" in again.content.decode()


def test_expired_invitation_is_refused_with_a_clear_message(client, org_a):
    invitation = InvitationFactory(
        organization=org_a, expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.raw_token]),
        {
            "first_name": "Zu",
            "last_name": "Spät",
            "password1": "Werkbank-Sicher-9",
            "password2": "Werkbank-Sicher-9",
        },
    )

    assert response.status_code == 410
    assert "Diese Einladung ist abgelaufen" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_unknown_invitation_token_is_404(client, db):
    assert client.get(reverse("invitation_accept", args=["gibt-es-nicht"])).status_code == 404


def test_existing_account_accepts_after_login(client, org_a, charlie):
    invitation = InvitationFactory(organization=org_a, email=charlie.email)
    url = reverse("invitation_accept", args=[invitation.raw_token])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    client.force_login(charlie)
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=charlie, organization=org_a).exists()


def test_invitation_for_another_address_is_refused_for_logged_in_user(client, org_a, charlie):
    invitation = InvitationFactory(organization=org_a, email="jemand@alpha.example")
    client.force_login(charlie)

    response = client.post(reverse("invitation_accept", args=[invitation.raw_token]))

    assert response.status_code == 403
    assert "gilt für jemand@alpha.example" in response.content.decode()
    assert not Membership.objects.filter(user=charlie, organization=org_a).exists()


def test_user_email_is_unique_case_insensitively(db):
    UserFactory(email="a@example.com")
    assert User.objects.get_by_natural_key("A@EXAMPLE.COM").email == "a@example.com"


def test_a_tampered_sign_up_confirmation_link_is_not_called_an_invitation(client, db):
    response = client.get(reverse("email_verify", args=["eyJ1IjoxfQ:abc:manipuliert"]))
    body = response.content.decode()
    assert response.status_code == 410
    assert "Bestätigungslink nicht gültig" in body and "Einladung" not in body


def test_a_tampered_invitation_link_says_the_invitation_is_not_valid(client, db):
    invitation = InvitationFactory()
    tampered = invitation.raw_token[:-3] + "xyz"
    response = client.get(reverse("invitation_accept", args=[tampered]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Einladung nicht gültig" in body and "neue Einladung" in body
