from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load demo users and companies (embedded default only; refused when DEBUG is off)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs in demo mode (DEBUG=1); refusing to touch production."
            )
        accounts = demo_seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/konto/anmelden/")
        )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.role:<10} {account.email}")
