import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.portfolio.seed import database_analyze, demo_articles_present, portfolio_seed


class Command(BaseCommand):
    help = (
        "Fill a load-test portfolio that looks like a real one: N client companies with their "
        "own owners and members, several assessments each months apart (use cases included), "
        "scored by the real engine, action plans, reports, review states, consultants with "
        "assigned clients, and the demo news articles; VACUUM and ANALYZE at the end."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=2000)
        parser.add_argument("--assessments", type=int, default=None, help="default: 2.5 per client")
        parser.add_argument(
            "--consultants", type=int, default=None, help="default: one per 400 clients, ≥ 6"
        )
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
        if options["orgs"] < 1 or (options["assessments"] or 0) < 0:
            raise CommandError("--orgs must be at least 1 and --assessments not negative.")
        started = time.monotonic()
        result = portfolio_seed(
            organizations=options["orgs"],
            assessments=options["assessments"],
            consultants=options["consultants"],
            seed=options["seed"],
        )
        articles = demo_articles_present()
        seeded = time.monotonic() - started
        database_analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.organizations} organisations ({result.users} owners and members, "
                f"{result.consultants} consultants), {result.assessments} assessments, "
                f"{result.answers} answers, {result.actions} actions, {result.reports} reports, "
                f"{articles} news articles: seeded in {seeded:.1f} s, VACUUM/ANALYZE "
                f"{elapsed - seeded:.1f} s, {elapsed:.1f} s in all."
            )
        )
