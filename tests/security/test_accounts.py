"""Sign-up without enumeration, e-mail verification, invitations that cannot relay phishing."""

import re

import pytest
from django.urls import reverse

from portal.models import AuditLog, Invitation, Membership, Organization, User
from portal.services import unlinkable
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Thomas",
    "last_name": "Maier",
    "email": "thomas.maier@schreinerei.example",
    "password1": "Hobelbank-1972!",
    "password2": "Hobelbank-1972!",
    "organization_name": "Schreinerei Maier",
    "industry": "craft",
    "size_band": "micro",
    "accept_privacy": "on",
}


def _signup(client, capture, **changes):
    with capture(execute=True):
        return client.post(reverse("signup"), {**SIGNUP, **changes})


def test_existing_address_gets_the_same_answer_and_an_account_exists_mail(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    new = _signup(client, django_capture_on_commit_callbacks)
    existing = _signup(client, django_capture_on_commit_callbacks, email="ALICE@alpha.example")

    assert (new.status_code, new["Location"]) == (existing.status_code, existing["Location"])
    assert Organization.objects.filter(name="Schreinerei Maier").count() == 1
    assert User.objects.filter(email__iexact="alice@alpha.example").count() == 1
    to_alice = [m for m in mailoutbox if m.to == ["alice@alpha.example"]]
    assert len(to_alice) == 1
    assert "bereits ein Konto" in to_alice[0].body
    assert "/konto/anmelden/" in to_alice[0].body
    assert "_auth_user_id" not in client.session


def _verify_link(outbox) -> str:
    (message,) = [m for m in outbox if m.to == [SIGNUP["email"]]]
    return re.search(r"/konto/bestaetigen/[^/\s]+/", message.body).group(0)


def test_verification_link_confirms_the_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)

    response = client.get(_verify_link(mailoutbox))

    assert response.status_code == 302
    assert User.objects.get().email_verified_at is not None


def test_tampered_verification_link_is_refused(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    link = _verify_link(mailoutbox)

    response = client.get(link[:-3] + "xx/")

    assert response.status_code == 410
    assert User.objects.get().email_verified_at is None


def test_unverified_owner_cannot_invite(client, alice, org_a):
    User.objects.filter(pk=alice.pk).update(email_verified_at=None)
    client.force_login(alice)

    response = client.post(
        reverse("invitation_create", args=[org_a.pk]),
        {"email": "neu@alpha.example", "role": "member"},
    )

    assert response.status_code == 400
    assert "bestätigen Sie zuerst Ihre E-Mail-Adresse" in response.content.decode()
    assert not Invitation.objects.exists()


def test_unverified_member_cannot_submit(client, alice, org_a, questionnaire):
    from assessments import services as assessment_services

    User.objects.filter(pk=alice.pk).update(email_verified_at=None)
    alice.refresh_from_db()
    assessment = assessment_services.assessment_start(organization=org_a, user=alice).assessment
    client.force_login(alice)

    response = client.post(reverse("assessment_submit", args=[assessment.pk]))

    assessment.refresh_from_db()
    assert response.status_code == 303
    assert assessment.is_draft


def test_invitations_are_limited_per_organisation_and_day(client, alice, org_a, settings):
    settings.INVITATIONS_PER_ORGANIZATION_PER_DAY = 3
    client.force_login(alice)
    url = reverse("invitation_create", args=[org_a.pk])

    statuses = [
        client.post(url, {"email": f"p{n}@alpha.example", "role": "member"}).status_code
        for n in range(5)
    ]

    assert statuses == [302, 302, 302, 400, 400]
    assert Invitation.objects.count() == 3
    page = client.post(url, {"email": "p9@alpha.example", "role": "member"}).content.decode()
    assert "höchstens 3 pro Tag" in page


def test_revoked_invitations_still_count_towards_the_limit(client, alice, org_a, settings):
    settings.INVITATIONS_PER_ORGANIZATION_PER_DAY = 1
    client.force_login(alice)
    url = reverse("invitation_create", args=[org_a.pk])
    client.post(url, {"email": "p1@alpha.example", "role": "member"})
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_revoke", args=[org_a.pk, invitation.pk]))

    response = client.post(url, {"email": "p2@alpha.example", "role": "member"})

    assert response.status_code == 400


def test_invitation_mail_has_no_links_from_the_company_name_and_no_inviter_text(
    client, org_a, alice, mailoutbox, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=org_a.pk).update(
        name="Microsoft Konto gesperrt! Jetzt prüfen: https://login.micros0ft.example/reset"
    )
    alice.first_name = "Support www.evil.example"
    alice.save()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitation_create", args=[org_a.pk]),
            {"email": "opfer@example.com", "role": "member"},
        )

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "https://login" not in text
        assert "micros0ft.example" not in text
        assert "evil.example" not in text
        assert "Support" not in text
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith("http://127.0.0.1:8000/einladung/") for link in links)
    assert re.findall(r'href="([^"]+)"', html) == [links[0]]


def test_unlinkable_keeps_ordinary_names():
    assert unlinkable("Müller & Co. KG") == "Müller & Co. KG"
    assert "." not in unlinkable("evil.example")
    assert "@" not in unlinkable("a@b.example")


def test_invitation_token_is_stored_hashed(
    client, alice, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitation_create", args=[org_a.pk]),
            {"email": "neu@alpha.example", "role": "member"},
        )
    raw = re.search(r"/einladung/([^/\s]+)/", mailoutbox[0].body).group(1)
    invitation = Invitation.objects.get()
    client.logout()

    assert invitation.token != raw
    assert client.get(reverse("invitation_accept", args=[raw])).status_code == 200
    assert client.get(reverse("invitation_accept", args=[invitation.token])).status_code == 404


def test_owner_changes_a_role_and_removes_a_member(client, alice, bob, org_a):
    client.force_login(alice)
    bob_membership = Membership.objects.get(user=bob)
    url = reverse("membership_update", args=[org_a.pk, bob_membership.pk])

    client.post(url, {"role": "owner"})
    bob_membership.refresh_from_db()
    role = bob_membership.role
    client.post(url, {"remove": "1"})

    assert role == "owner"
    assert not Membership.objects.filter(pk=bob_membership.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert AuditLog.objects.filter(action="membership.remove", target=bob.email).exists()


def test_last_owner_cannot_be_demoted_or_removed(client, alice, org_a):
    client.force_login(alice)
    membership = Membership.objects.get(user=alice)
    url = reverse("membership_update", args=[org_a.pk, membership.pk])

    client.post(url, {"role": "member"})
    response = client.post(url, {"remove": "1"}, follow=True)

    membership.refresh_from_db()
    assert membership.role == "owner"
    assert "mindestens eine Inhaberin" in response.content.decode()


def test_member_cannot_manage_members(client, alice, bob, org_a):
    client.force_login(bob)
    membership = Membership.objects.get(user=alice)

    response = client.post(
        reverse("membership_update", args=[org_a.pk, membership.pk]), {"remove": "1"}
    )

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_owner_of_another_organisation_gets_404(client, alice, charlie, org_a, org_b):
    client.force_login(charlie)
    membership = Membership.objects.get(user=alice)
    invitation = InvitationFactory(organization=org_a)

    remove = client.post(
        reverse("membership_update", args=[org_a.pk, membership.pk]), {"remove": "1"}
    )
    foreign_member = client.post(
        reverse("membership_update", args=[org_b.pk, membership.pk]), {"remove": "1"}
    )
    revoke = client.post(reverse("invitation_revoke", args=[org_b.pk, invitation.pk]))

    assert (remove.status_code, foreign_member.status_code, revoke.status_code) == (404, 404, 404)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_owner_revokes_an_invitation(client, alice, org_a):
    invitation = InvitationFactory(organization=org_a)
    client.force_login(alice)

    response = client.post(reverse("invitation_revoke", args=[org_a.pk, invitation.pk]))

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert client.get(reverse("invitation_accept", args=[invitation.raw_token])).status_code == 404


def test_consultant_is_not_limited(client, consultant, org_a, settings):
    settings.INVITATIONS_PER_ORGANIZATION_PER_DAY = 1
    MembershipFactory(organization=org_a, user=UserFactory(), role="owner")
    client.force_login(consultant)
    url = reverse("invitation_create", args=[org_a.pk])

    statuses = [
        client.post(url, {"email": f"k{n}@alpha.example", "role": "member"}).status_code
        for n in range(3)
    ]

    assert statuses == [302, 302, 302]
