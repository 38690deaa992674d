"""Demo data for the embedded default: one consultant, one admin, two client companies."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Industry, Membership, Organization, SizeBand, User

DEMO_PASSWORD = "KI-Check-2026!"  # noqa: S105 - demo mode only, refused when DEBUG is off
# Consultants and admins must pass a second factor. So that a visitor of the demo can sign in
# without first pairing an app, the demo staff get a fixed TOTP key (README: add it to any
# authenticator app) and fixed recovery codes, restored on every run of seed_demo.
# In base32, as apps take it: JNES2Q3IMVRWWLKEMVWW6LJSGAZDMIJB
DEMO_TOTP_KEY_HEX = "4b492d436865636b2d44656d6f2d323032362121"
DEMO_RECOVERY_CODES = [f"demo{n:04d}" for n in range(1, 11)]


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


def _demo_second_factor(user: User) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .security.mfa import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME

    totp, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name=TOTP_DEVICE_NAME,
        defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
    )
    recovery, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    for device in (totp, recovery):
        device.throttle_reset()
    recovery.token_set.all().delete()
    StaticToken.objects.bulk_create(
        [StaticToken(device=recovery, token=code) for code in DEMO_RECOVERY_CODES]
    )


@transaction.atomic
def demo_seed() -> list[DemoAccount]:
    """Create what is missing; running it twice changes nothing."""
    consultant = _user(DEMO_CONSULTANT, is_consultant=True)
    admin = _user(DEMO_ADMIN, is_staff=True, is_superuser=True, is_consultant=True)
    for staff in (consultant, admin):
        _demo_second_factor(staff)
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
