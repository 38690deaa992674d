"""System checks of the portal's own settings (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# What the Impressum, the privacy notice, e-mails and reports print about the consultancy.
LEGAL_DETAILS = (
    "name",
    "street",
    "city",
    "phone",
    "email",
    "managing_director",
    "register",
    "vat_id",
    "privacy_contact",
)


@register(Tags.security, deploy=True)
def consultancy_details_set(app_configs=None, **kwargs) -> list[Warning]:
    """In production the consultancy's legal details must be its own: an empty
    ``CONSULTANCY_*`` variable counts as unset (docker compose passes ``${VAR:-}``), so a
    deployment that never sets them would publish the demo Impressum with a made-up address,
    register number and VAT ID."""
    demo = [
        key for key in LEGAL_DETAILS if settings.CONSULTANCY[key] == settings.CONSULTANCY_DEMO[key]
    ]
    if not demo:
        return []
    names = ", ".join(f"CONSULTANCY_{key.upper()}" for key in demo)
    return [
        Warning(
            f"The Impressum, privacy notice, e-mails and reports show the demo consultancy's "
            f"details: {names} still have their demo values.",
            hint="Set these environment variables to your consultancy's details "
            "(README, 'Environment variables').",
            id="portal.W001",
        )
    ]
