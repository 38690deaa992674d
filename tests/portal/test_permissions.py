"""Every organisation page: own org works, other org is 404, anonymous goes to login."""

import pytest
from django.urls import reverse

from portal.models import Organization

pytestmark = pytest.mark.django_db

ORG_PAGES = [
    ("organization_detail", "get"),
    ("organization_edit", "get"),
    ("organization_edit", "post"),
    ("invitation_create", "post"),
]


@pytest.mark.parametrize(("name", "method"), ORG_PAGES)
def test_member_of_other_org_gets_404(client, charlie, org_a, name, method):
    client.force_login(charlie)
    response = getattr(client, method)(
        reverse(name, args=[org_a.pk]), {"name": "Übernommen", "email": "x@example.com"}
    )

    assert response.status_code == 404
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Fensterbau GmbH"
    assert not org_a.invitations.exists()


@pytest.mark.parametrize(("name", "method"), ORG_PAGES)
def test_anonymous_is_sent_to_login(client, org_a, name, method):
    response = getattr(client, method)(reverse(name, args=[org_a.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", ["home", "consultant_dashboard", "password_change"])
def test_anonymous_is_sent_to_login_from_private_pages(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_member_sees_own_org(client, bob, org_a):
    client.force_login(bob)
    response = client.get(reverse("organization_detail", args=[org_a.pk]))

    assert response.status_code == 200
    assert "Alpha Fensterbau GmbH" in response.content.decode()
    # A plain member neither edits nor invites.
    assert reverse("organization_edit", args=[org_a.pk]) not in response.content.decode()


def test_member_cannot_edit_org(client, bob, org_a):
    client.force_login(bob)
    assert client.get(reverse("organization_edit", args=[org_a.pk])).status_code == 403
    response = client.post(
        reverse("organization_edit", args=[org_a.pk]),
        {"name": "Bobs Firma", "industry": "craft", "size_band": "small", "language": "de"},
    )
    assert response.status_code == 403
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Fensterbau GmbH"


def test_owner_edits_org(client, alice, org_a):
    client.force_login(alice)
    response = client.post(
        reverse("organization_edit", args=[org_a.pk]),
        {
            "name": "Alpha Fenster & Türen",
            "industry": "craft",
            "size_band": "small",
            "language": "en",
        },
    )

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.name, org_a.language) == ("Alpha Fenster & Türen", "en")


def test_org_edit_with_bad_input_shows_error_and_changes_nothing(client, alice, org_a):
    client.force_login(alice)
    response = client.post(
        reverse("organization_edit", args=[org_a.pk]),
        {"name": "", "industry": "raumfahrt", "size_band": "small", "language": "de"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in body
    assert "raumfahrt ist keine gültige Auswahl" in body
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Fensterbau GmbH"


def test_client_with_one_org_lands_on_it(client, alice, org_a):
    client.force_login(alice)
    response = client.get(reverse("home"))

    assert response["Location"] == reverse("organization_detail", args=[org_a.pk])


def test_consultant_sees_all_organisations(client, consultant, org_a, org_b):
    client.force_login(consultant)

    dashboard = client.get(reverse("consultant_dashboard"))
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert org_a.name in body and org_b.name in body
    for organization in (org_a, org_b):
        assert client.get(reverse("organization_detail", args=[organization.pk])).status_code == 200


def test_consultant_filter_mine(client, consultant, org_a, org_b):
    org_a.consultant = consultant
    org_a.save()
    client.force_login(consultant)

    body = client.get(reverse("consultant_dashboard") + "?mine=1").content.decode()
    assert org_a.name in body
    assert org_b.name not in body


def test_client_gets_404_on_consultant_dashboard(client, alice):
    client.force_login(alice)
    assert client.get(reverse("consultant_dashboard")).status_code == 404


def test_visible_to_never_leaks_other_orgs(alice, charlie, consultant, org_a, org_b):
    assert list(Organization.objects.visible_to(alice)) == [org_a]
    assert list(Organization.objects.visible_to(charlie)) == [org_b]
    assert set(Organization.objects.visible_to(consultant)) == {org_a, org_b}


def test_inactive_user_sees_nothing(alice, org_a):
    alice.is_active = False
    alice.save()
    assert not Organization.objects.visible_to(alice).exists()


@pytest.mark.parametrize("name", ["landing", "imprint", "privacy", "signup", "login"])
def test_public_pages_render(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "Hegau-Bodensee IT-Beratung GmbH" in response.content.decode()


def test_landing_page_is_german_by_default_and_english_on_request(client, db):
    german = client.get(reverse("landing")).content.decode()
    assert "Wie abhängig ist Ihr Unternehmen von Microsoft und OpenAI?" in german

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("landing")).content.decode()
    assert "How dependent is your business on Microsoft and OpenAI?" in english


def test_landing_page_sends_a_signed_in_client_to_their_check_not_to_sign_up(client, alice):
    anonymous = client.get(reverse("landing")).content.decode()
    assert f'href="{reverse("signup")}"' in anonymous

    client.force_login(alice)
    body = client.get(reverse("landing")).content.decode()
    assert "Weiter zu Ihrem Selbstcheck" in body
    assert f'href="{reverse("signup")}"' not in body.split("<main", 1)[1]


def test_no_page_references_another_host(client, alice, org_a):
    client.force_login(alice)
    for url in [reverse("landing"), reverse("organization_detail", args=[org_a.pk])]:
        body = client.get(url).content.decode()
        for marker in ('src="http', 'href="http', "//cdn", "fonts.googleapis"):
            assert marker not in body, (url, marker)


@pytest.mark.parametrize(
    ("name", "method"), [("landing", "post"), ("imprint", "delete"), ("healthz", "post")]
)
def test_wrong_method_is_405(client, db, name, method):
    assert getattr(client, method)(reverse(name)).status_code == 405


def test_not_found_page_is_friendly_and_german(client, alice):
    client.force_login(alice)
    response = client.get("/organisationen/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_forbidden_page_explains(client, bob, org_a):
    client.force_login(bob)
    response = client.get(reverse("organization_edit", args=[org_a.pk]))
    assert response.status_code == 403
    assert "Für diese Aktion fehlen Ihnen die Rechte" in response.content.decode()


def test_favicon_ico_points_to_the_consultancy_logo(client, db, settings):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith(settings.CONSULTANCY["logo"].rsplit("/", 1)[-1])
