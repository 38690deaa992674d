"""What the erasure does to the audit log: entries about the client are kept, pseudonymised;
entries about others keep what they say."""

import pytest
from django.utils import timezone

from portal.auditlog import audit_record
from portal.models import AuditLog, ErasureRequest, Organization
from portal.privacy.erasure import erasure_request, organization_erase
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(consultant):
    organization = OrganizationFactory(name="Seeblick Bäckerei GmbH", consultant=consultant)
    owner = UserFactory(email="inhaber@seeblick.example")
    MembershipFactory(user=owner, organization=organization, role="owner")
    return organization, owner


def _erase(organization, owner) -> ErasureRequest:
    request = erasure_request(organization=organization, user=owner)
    ErasureRequest.objects.filter(pk=request.pk).update(scheduled_for=timezone.now())
    request.refresh_from_db()
    organization_erase(request=request)
    return request


def test_entries_naming_the_client_are_pseudonymised_and_others_keep_theirs(erased, consultant):
    organization, owner = erased
    other = OrganizationFactory(name="Bäckerei Müller KG")
    about_it = audit_record(action="note.create", actor=consultant, organization=organization)
    by_owner = audit_record(action="assessment.submit", actor=owner, organization=organization)
    search = AuditLog.objects.create(
        action="consultant.read.portfolio",
        actor=consultant,
        data={"path": "/berater/", "query": "q=Seeblick"},
    )
    other_search = AuditLog.objects.create(
        action="consultant.read.portfolio",
        actor=consultant,
        data={"path": "/berater/", "query": "q=M%C3%BCller"},
    )
    not_a_read = audit_record(action="questionnaire.publish", target="Seeblick-Katalog 2027")
    other_client = audit_record(
        action="note.create", actor=consultant, organization=other, target="Bäckerei"
    )

    request = _erase(organization, owner)

    for entry in (about_it, by_owner, search):
        entry.refresh_from_db()
        assert (entry.target, entry.data, entry.organization_id) == (
            request.pseudonym,
            {"pseudonymised": True},
            None,
        )
    by_owner.refresh_from_db()
    assert by_owner.actor_id is None  # the erased account
    about_it.refresh_from_db()
    assert about_it.actor == consultant  # who did it stays known
    for entry, target in (
        (other_search, ""),
        (not_a_read, "Seeblick-Katalog 2027"),
        (other_client, "Bäckerei"),
    ):
        entry.refresh_from_db()
        assert entry.target == target and "pseudonymised" not in entry.data
    assert Organization.objects.filter(pk=other.pk).exists()
