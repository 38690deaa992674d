"""One demo enquiry, so the consultant workspace shows what a lead looks like."""

from django.utils import timezone

from .models import Lead

DEMO_LEAD = {
    "email": "info@baeckerei-konstanz.example",
    "name": "Petra Hummel",
    "company": "Bäckerei Hummel, Konstanz",
    "phone": "+49 7531 000000",
    "message": (
        "Guten Tag, wir nutzen seit einem Jahr ChatGPT für Produkttexte und überlegen, Copilot "
        "einzuführen. Was müssen wir beim Datenschutz beachten? Ein kurzes Gespräch wäre schön."
    ),
}


def demo_leads_seed() -> None:
    Lead.objects.get_or_create(
        email=DEMO_LEAD["email"],
        defaults={**DEMO_LEAD, "consent_at": timezone.now()},
    )
