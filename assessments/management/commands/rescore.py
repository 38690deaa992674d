import time

from django.core.management.base import BaseCommand, CommandError

from assessments.services import results_rescore_parallel


class Command(BaseCommand):
    help = (
        "Recompute every stored result with the current scoring engine, in bulk. With "
        "--skip-unchanged, results whose catalogue, answers and scoring code are unchanged since "
        "they were computed are left as they are."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--skip-unchanged",
            action="store_true",
            help="leave results whose fingerprint shows unchanged inputs (a hand-edited row is "
            "not noticed: run without it to repair everything)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="processes working on ranges of results at once (PostgreSQL only)",
        )

    def handle(self, *args, batch_size: int, skip_unchanged: bool, jobs: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        started = time.perf_counter()
        try:
            outcome = results_rescore_parallel(
                jobs=jobs, batch_size=batch_size, skip_unchanged=skip_unchanged
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        message = (
            f"Rescored {outcome.rescored} results in {elapsed:.1f} s; {outcome.written} changed "
            f"and written, {outcome.fingerprints} only got a new fingerprint"
        )
        if skip_unchanged:
            message += f"; skipped {outcome.skipped} unchanged since they were computed"
        self.stdout.write(self.style.SUCCESS(message + "."))
