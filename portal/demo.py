"""Demo data for the embedded default: one consultant, one admin, two client companies."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Industry, Membership, Organization, SizeBand, User

DEMO_PASSWORD = "KI-Check-2026!"  # noqa: S105 - demo mode only, refused when DEBUG is off


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str


DEMO_CONSULTANT = DemoAccount("berater@demo.example", "Julia", "Brenner", "consultant")
DEMO_ADMIN = DemoAccount("admin@demo.example", "Andreas", "Admin", "admin")
DEMO_COMPANIES = [
    {
        "name": "Schreinerei Hegau GmbH",
        "industry": Industry.CRAFT,
        "size_band": SizeBand.MICRO,
        "members": [
            DemoAccount("inhaber@schreinerei-hegau.example", "Thomas", "Maier", "owner"),
            DemoAccount("buero@schreinerei-hegau.example", "Sabine", "Maier", "member"),
        ],
    },
    {
        "name": "Seetal Maschinenbau GmbH",
        "industry": Industry.MANUFACTURING,
        "size_band": SizeBand.MEDIUM,
        "members": [
            DemoAccount("gf@seetal-maschinenbau.example", "Claudia", "Wehrle", "owner"),
            DemoAccount("it@seetal-maschinenbau.example", "Markus", "Fischer", "member"),
        ],
    },
]


def _user(account: DemoAccount, **flags) -> User:
    user, created = User.objects.get_or_create(
        email=account.email,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email_verified_at": timezone.now(),
            **flags,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_seed() -> list[DemoAccount]:
    """Create what is missing; running it twice changes nothing."""
    consultant = _user(DEMO_CONSULTANT, is_consultant=True)
    _user(DEMO_ADMIN, is_staff=True, is_superuser=True, is_consultant=True)
    accounts = [DEMO_CONSULTANT, DEMO_ADMIN]
    for company in DEMO_COMPANIES:
        organization, _created = Organization.objects.get_or_create(
            name=company["name"],
            defaults={
                "industry": company["industry"],
                "size_band": company["size_band"],
                "consultant": consultant,
            },
        )
        for account in company["members"]:
            Membership.objects.get_or_create(
                user=_user(account), organization=organization, defaults={"role": account.role}
            )
            accounts.append(account)
    from assessments.demo import demo_assessments_seed

    demo_assessments_seed(consultant=consultant)
    from news.demo import demo_articles_seed

    from .leads.demo import demo_leads_seed

    demo_articles_seed(author=consultant)
    demo_leads_seed()
    return accounts
