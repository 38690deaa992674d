import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.portfolio.seed import portfolio_seed


class Command(BaseCommand):
    help = (
        "Fill a load-test portfolio: N client companies sharing M submitted assessments, "
        "answered from the active catalogue and scored by the real engine."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=2000)
        parser.add_argument("--assessments", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--i-know",
            action="store_true",
            help="run although DEBUG is off (the data is fake; never on a production database)",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["i_know"]:
            raise CommandError(
                "seed_load writes thousands of fake clients; with DEBUG off pass --i-know."
            )
        if options["orgs"] < 1 or options["assessments"] < 0:
            raise CommandError("--orgs must be at least 1 and --assessments not negative.")
        started = time.monotonic()
        result = portfolio_seed(
            organizations=options["orgs"], assessments=options["assessments"], seed=options["seed"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.organizations} organisations, {result.assessments} assessments, "
                f"{result.answers} answers in {time.monotonic() - started:.1f} s."
            )
        )
