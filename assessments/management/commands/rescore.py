import time

from django.core.management.base import BaseCommand, CommandError

from assessments.results.services import results_rescore_parallel


class Command(BaseCommand):
    help = (
        "Recompute the stale stored results: those computed by other scoring code or from "
        "another state of their catalogue version than now (selected in SQL, without reading "
        "answers). With --all, every result is recomputed and whatever differs is written, "
        "which also repairs hand-edited rows."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--all",
            action="store_true",
            dest="all_results",
            help="recompute every result, not only the stale ones, and write what differs "
            "(repairs hand-edited rows)",
        )
        parser.add_argument(
            "--skip-unchanged",
            action="store_true",
            help="deprecated: skipping unchanged results is the default now",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="processes working on ranges of results at once (PostgreSQL only; default: "
            "one per idle core when there are at least 1,000 results per process to recompute)",
        )

    def handle(
        self,
        *args,
        batch_size: int,
        all_results: bool,
        skip_unchanged: bool,
        jobs: int | None,
        **options,
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        if skip_unchanged and all_results:
            raise CommandError("--skip-unchanged and --all contradict each other.")
        if skip_unchanged:
            self.stderr.write(
                "--skip-unchanged is deprecated: only stale results are recomputed by default."
            )
        started = time.perf_counter()
        try:
            outcome = results_rescore_parallel(
                jobs=jobs, batch_size=batch_size, all_results=all_results
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        scope = "every result" if all_results else "the stale ones"
        processes = f" in {outcome.processes} processes" if outcome.processes > 1 else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.stale} stale results; recomputed {outcome.rescored} ({scope}) in "
                f"{elapsed:.1f} s{processes}; {outcome.written} changed and written, "
                f"{outcome.stamps} only got a new stamp."
            )
        )
