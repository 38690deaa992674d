"""``flush`` empties every table, the append-only audit log included (the test runner flushes
between tests that commit): Django's command, run inside ``audit_maintenance("flush")``."""

from django.core.management.commands import flush

from portal.privacy.append_only import audit_maintenance


class Command(flush.Command):
    def handle(self, **options):
        with audit_maintenance("flush", using=options["database"]):
            return super().handle(**options)
