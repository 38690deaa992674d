"""The news follow-up is a mailing to many clients: List-Unsubscribe, and an opt-out that holds."""

import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse

from news.models import FollowUpOptOut
from news.services import unsubscribe_url
from portal.models import AuditLog
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.news.conftest import make_article, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(questionnaire, tags):
    organization = OrganizationFactory(name="Müller & Söhne GmbH")
    owners = [
        UserFactory(email="chefin@mueller.example"),
        UserFactory(email="chef@mueller.example"),
    ]
    for owner in owners:
        MembershipFactory(user=owner, organization=organization, role="owner")
    submit(organization, owners[0], vendor_exposure={"microsoft": 70}, lock_in=60)
    article = make_article(slug="copilot-preise", vendors=[tags["microsoft"]], days_ago=1)
    return organization, owners, article


def _inform(client, consultant, organization, article, capture):
    client.force_login(consultant)
    with capture(execute=True):
        client.post(
            reverse("news:affected", args=[article.slug]),
            {"organizations": [str(organization.pk)], "action": "send"},
        )
    client.logout()


def _parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_each_person_gets_an_own_mail_with_one_click_unsubscribe(
    client, setting, consultant, django_capture_on_commit_callbacks
):
    organization, owners, article = setting
    _inform(client, consultant, organization, article, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in owners)
    for message in mail.outbox:
        msg = _parsed(message)
        assert len(msg.get_all("To")) == 1
        person = next(o for o in owners if o.email == message.to[0])
        assert str(msg["List-Unsubscribe"]).strip() == f"<{unsubscribe_url(person)}>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Müller & Söhne GmbH" in str(msg["Subject"])
        text = msg.get_body(preferencelist=("plain",)).get_content()
        assert unsubscribe_url(person) in text and "&amp;" not in text


def test_one_click_post_from_a_mail_program_opts_out_and_the_next_mailing_skips_them(
    client, setting, consultant, django_capture_on_commit_callbacks
):
    organization, owners, article = setting
    url = unsubscribe_url(owners[0])
    # RFC 8058: the mail program POSTs this body, without cookie or CSRF token
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(
        url.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert FollowUpOptOut.objects.filter(user=owners[0]).exists()
    assert AuditLog.objects.filter(action="news.followup_opt_out", actor=owners[0]).exists()

    _inform(client, consultant, organization, article, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[owners[1].email]]


def test_get_only_asks_and_the_page_can_undo(client, setting):
    _, owners, _ = setting
    path = unsubscribe_url(owners[0]).removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200 and "Abbestellen" in response.content.decode()
    assert not FollowUpOptOut.objects.exists()
    client.post(path, {"action": "unsubscribe"})
    assert FollowUpOptOut.objects.filter(user=owners[0]).exists()
    response = client.post(path, {"action": "resubscribe"})
    assert "Abbestellen" in response.content.decode()
    assert not FollowUpOptOut.objects.exists()
    assert AuditLog.objects.filter(action="news.followup_opt_in").count() == 1


def test_a_forged_link_changes_nothing(client, setting):
    _, owners, _ = setting
    path = unsubscribe_url(owners[0]).removeprefix("http://127.0.0.1:8000")
    forged = path.replace("/abbestellen/", "/abbestellen/x")
    response = client.post(forged, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert not FollowUpOptOut.objects.exists()
