import secrets

import factory
from django.utils import timezone

from portal.models import (
    Industry,
    Invitation,
    Membership,
    Organization,
    SizeBand,
    User,
    invitation_token_hash,
)

PASSWORD = "Sicheres-Passwort-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            obj.save()


class ConsultantFactory(UserFactory):
    is_consultant = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Musterfirma {n} GmbH")
    industry = Industry.CRAFT
    size_band = SizeBand.SMALL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"eingeladen{n}@example.com")
    role = Membership.Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))
    # The link carries raw_token; the database keeps only its hash (portal.models).
    raw_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token = factory.LazyAttribute(lambda o: invitation_token_hash(o.raw_token))

    @classmethod
    def _create(cls, model_class, *args, raw_token: str, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.raw_token = raw_token
        return invitation
