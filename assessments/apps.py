from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Bewertungen")

    def ready(self) -> None:
        from portal.privacy.audit import organization_lookup_register

        from . import signals  # noqa: F401 - registers the receivers
        from .selectors import organization_of

        # The audit of reads names the client whose data a page with these URL kwargs shows.
        for kwarg in ("assessment_id", "report_id", "action_id"):
            organization_lookup_register(kwarg, organization_of(kwarg))
