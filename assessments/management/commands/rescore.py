import time

from django.core.management.base import BaseCommand

from assessments.services import results_rescore


class Command(BaseCommand):
    help = "Recompute every stored result with the current scoring engine, in bulk."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options) -> None:
        started = time.perf_counter()
        count = results_rescore(batch_size=batch_size)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Rescored {count} results in {elapsed:.1f} s."))
