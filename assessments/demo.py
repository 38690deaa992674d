"""Demo assessments for the embedded default: realistic answers, results and a released report.

The answers are derived from the catalogue itself (a "care" profile picks options from best to
worst), with a few answers set by hand so each demo company tells its own story.
"""

from django.db import transaction
from django.utils import timezone

from portal.models import Organization, User

from . import services
from .catalogue import default_catalogue_path, load_document
from .models import Assessment, ConsultantNote, QuestionnaireVersion, Report
from .questionnaire.services import answer_save
from .results import services as result_services


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


def questionnaire_ensure_active() -> QuestionnaireVersion:
    """Load, publish and activate the newest shipped catalogue, unless the active version is of
    the same family and at least as new (an admin may have activated a newer upload).

    Assessments stay bound to their version; a re-assessment starts on the newest and carries the
    answers over that still fit.
    """
    path = default_catalogue_path()
    source = path.read_text(encoding="utf-8")
    shipped = load_document(source)
    active = QuestionnaireVersion.objects.active()
    if active and (
        active.key != shipped.key or _version_key(active.version) >= _version_key(shipped.version)
    ):
        return active
    existing = QuestionnaireVersion.objects.filter(key=shipped.key, version=shipped.version).first()
    version = existing or services.questionnaire_load(source=source)
    services.questionnaire_publish(version=version)
    services.questionnaire_activate(version=version)
    return version


def profile_answers(document: dict, care: float, overrides: dict) -> dict:
    """One answer per question: care 0.0 picks the best option, 1.0 the worst."""
    answers: dict = {}
    for section in document["sections"]:
        for question in section["questions"]:
            key = question["key"]
            if key in overrides:
                answers[key] = overrides[key]
                continue
            kind = question["type"]
            options = [o["key"] for o in question.get("options", ())]
            if kind == "single_choice":
                answers[key] = options[round(care * (len(options) - 1))]
            elif kind == "yes_no":
                risk = {
                    b: sum((question.get(b) or {}).get("scores", {}).values())
                    for b in ("yes", "no")
                }
                safer, riskier = sorted(("yes", "no"), key=lambda b: (risk[b], b))
                answers[key] = safer if care < 0.5 else riskier
            elif kind == "scale":
                low, high = question.get("min", 1), question.get("max", 5)
                answers[key] = round(high - care * (high - low))
            elif kind == "number":
                answers[key] = question["min"] + round((question["max"] - question["min"]) * 0.001)
    return answers


DEMO_STORIES = {
    "Schreinerei Hegau GmbH": {
        "care": 0.75,
        "overrides": {
            "services_used": ["chatgpt_free", "copilot_chat"],
            # a carpenter's workshop: no professional secrecy, no own apps or products with AI
            "professional_secrecy": "no",
            "own_apps": "none",
            "role": "off_the_shelf",
            "ai_in_products": "none",
            "personal_data": "regular",
            "public_interest_text": "none_published",
            "deepfakes": "none_published",
            "works_council": "na",
            "no_fallback": "some_without",  # quotes are slower by hand, nothing stops
            "proprietary_features": "none",
            "monthly_spend": 40,
            "use_cases": [
                {
                    "name": "Angebotstexte formulieren",
                    "area": "customer_letters",
                    "role": "use_product",
                    "affected": "customers",
                    "output_use": "no_people",
                    "safety_purpose": "no",
                    "service": "openai",
                    "personal_data": "regular",
                },
                {
                    "name": "Texte für Website und Instagram",
                    "area": "marketing_text",
                    "role": "use_product",
                    "affected": "public",
                    "output_use": "no_people",
                    "safety_purpose": "no",
                    "service": "openai",
                    "personal_data": "none",
                },
            ],
            "comments": "Wir nutzen ChatGPT vor allem im Büro, meist mit privaten Konten.",
        },
        "previous_care": None,
    },
    "Seetal Maschinenbau GmbH": {
        "care": 0.25,
        "overrides": {
            "services_used": ["m365_copilot", "azure_openai", "github_copilot"],
            "professional_secrecy": "no",
            "ai_in_products": "in_progress",  # vision inspection in the next machine generation
            "monthly_spend": 4800,
            "use_cases": [
                {
                    # a general model set up for a high-risk purpose: Art. 25(1)(c)
                    "name": "Bewerbungen vorsortieren",
                    "area": "hr_screening",
                    "role": "changed",
                    "affected": "applicants_employees",
                    "output_use": "assesses_people",
                    "safety_purpose": "no",
                    "service": "azure_openai",
                    "personal_data": "regular",
                },
                {
                    "name": "Service-Chatbot für Ersatzteile",
                    "area": "customer_chatbot",
                    "role": "built_own",
                    "affected": "customers",
                    "output_use": "no_people",
                    "safety_purpose": "no",
                    "service": "azure_openai",
                    "personal_data": "regular",
                },
                {
                    "name": "Steuerungssoftware programmieren",
                    "area": "code",
                    "role": "use_product",
                    "affected": "staff",
                    "output_use": "no_people",
                    "safety_purpose": "no",
                    "service": "github_copilot",
                    "personal_data": "none",
                },
                {
                    "name": "Kamera-Schutzfunktion der nächsten Maschinengeneration",
                    "area": "product_machine",
                    "role": "sell_own",
                    "affected": "staff",
                    "output_use": "no_people",
                    "safety_purpose": "safety",
                    "service": "other_service",
                    "personal_data": "none",
                },
            ],
        },
        "previous_care": 0.7,
    },
}


def _clean(document: dict, answers: dict) -> dict:
    """Keep only keys the catalogue has (demo stories may name questions a version dropped)."""
    keys = {q["key"] for s in document["sections"] for q in s["questions"]}
    return {key: value for key, value in answers.items() if key in keys}


def _submit(organization: Organization, user: User, answers: dict, when) -> Assessment:
    assessment = services.assessment_start(organization=organization, user=user).assessment
    for key, value in answers.items():
        answer_save(assessment=assessment, user=user, question_key=key, value=value)
    assessment = services.assessment_submit(assessment=assessment, user=user)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when, submitted_at=when)
    assessment.result.computed_at = when
    assessment.result.save(update_fields=["computed_at"])
    result_services.latest_results_refresh(organization_ids=[organization.pk])
    return assessment


@transaction.atomic
def demo_assessments_seed(*, consultant: User) -> int:
    """Assessments with results for the demo companies; skipped where some already exist."""
    from .reports import services as report_services

    version = questionnaire_ensure_active()
    document = version.document
    created = 0
    for name, story in DEMO_STORIES.items():
        organization = Organization.objects.filter(name=name).first()
        if organization is None or organization.assessments.exists():
            continue
        owner = organization.memberships.filter(role="owner").select_related("user").first().user
        answers = profile_answers(document, story["care"], story["overrides"])
        now = timezone.now()
        if story["previous_care"] is not None:
            earlier = profile_answers(document, story["previous_care"], story["overrides"])
            _submit(
                organization, owner, _clean(document, earlier), now - timezone.timedelta(days=180)
            )
            created += 1
        assessment = _submit(organization, owner, _clean(document, answers), now)
        created += 1
        if story["previous_care"] is not None:
            ConsultantNote.objects.create(
                assessment=assessment,
                author=consultant,
                kind=ConsultantNote.Kind.RECOMMENDATION,
                title="Bewerber-Vorauswahl bis Jahresende auf menschliche Prüfung umstellen",
                text=(
                    "Bis die Pflichten nach Art. 26 umgesetzt sind, entscheidet bei jeder "
                    "Bewerbung ein Mensch. Wir stimmen das mit dem Betriebsrat ab."
                ),
                priority=1,
            )
            report = report_services.report_request(assessment=assessment, user=consultant)
            transaction.on_commit(
                lambda report=report: Report.objects.filter(pk=report.pk, status="ready").update(
                    released=True, released_at=timezone.now(), released_by=consultant
                )
            )
    return created
