from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.catalogue import CatalogueError
from assessments.models import QuestionnaireVersion


class Command(BaseCommand):
    help = "Validate a catalogue YAML file and load it as a new questionnaire version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="publish it (immutable from then on)"
        )
        parser.add_argument(
            "--activate", action="store_true", help="publish and make it the active version"
        )

    def handle(self, *args, path: Path, publish: bool, activate: bool, **options) -> None:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            version = services.questionnaire_load(source=source)
        except CatalogueError as error:
            raise CommandError(
                f"{path} is not a valid catalogue:\n  " + "\n  ".join(error.messages)
            ) from None
        if publish or activate:
            services.questionnaire_publish(version=version)
        if activate:
            services.questionnaire_activate(version=version)
        version = QuestionnaireVersion.objects.get(pk=version.pk)
        questions = sum(len(s["questions"]) for s in version.document["sections"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {version} ({questions} questions, status {version.status}"
                f"{', active' if version.is_active else ''})."
            )
        )
