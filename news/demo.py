"""Three demo articles for the embedded default, written for this project.

Each body states its legal state ("Stand") and lists its sources; the facts match the active
catalogue's ``facts``. The bodies are the Markdown files in ``demo_articles/``; each ends with the
call to the free self-check.
"""

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.results.exposure import vendor_names

from .models import Article, Tag

TOPICS = {
    "anbieterabhaengigkeit": "Anbieterabhängigkeit",
    "datenschutz": "Datenschutz",
    "eu-ai-act": "EU AI Act",
    "ki-strategie": "KI-Strategie",
}

SELF_CHECK = (
    "**Wie abhängig ist Ihr Unternehmen?** Unser [kostenloser Selbstcheck]({signup}) zeigt in "
    "rund 20 Minuten, wo Sie bei Anbieterabhängigkeit, Datenschutz und EU AI Act stehen – mit "
    "Ampel, Begründung und den nächsten Schritten. Lieber gleich persönlich? "
    "[Schreiben Sie uns]({contact})."
)

ARTICLES = [
    {
        "slug": "microsoft-openai-anthropic-copilot-was-kmu-jetzt-wissen-muessen",
        "title": "Microsoft, OpenAI – und jetzt Anthropic: Was die neue Copilot-Welt für "
        "Ihre Daten und Verträge bedeutet",
        "teaser": "Lange galt: Wer Copilot nutzt, nutzt OpenAI – und OpenAI läuft auf Azure. "
        "Seit 2026 stimmt beides nicht mehr. Was sich geändert hat, was das für die Daten und "
        "Verträge eines mittelständischen Unternehmens heißt und welche drei Fragen Sie Ihrer IT "
        "jetzt stellen sollten.",
        "days_ago": 2,
        "topics": ["anbieterabhaengigkeit", "datenschutz"],
        "vendors": ["microsoft", "openai", "anthropic"],
    },
    {
        "slug": "ai-act-nach-dem-omnibus-diese-termine-zaehlen-fuer-kmu",
        "title": "AI Act nach dem Omnibus: Diese Termine zählen für Ihr Unternehmen",
        "teaser": "Seit dem 27. Juli 2026 ist der „Digital Omnibus“ in Kraft: Er hat den Zeitplan "
        "des EU AI Act verschoben, einige Pflichten entschärft und ein neues Verbot eingeführt. "
        "Welche Fristen für ein kleines oder mittleres Unternehmen, das KI nutzt, jetzt wirklich "
        "gelten – mit allen Terminen auf einen Blick.",
        "days_ago": 9,
        "topics": ["eu-ai-act"],
        "vendors": [],
    },
    {
        "slug": "herstellerunabhaengige-ki-strategie-in-fuenf-schritten",
        "title": "Herstellerunabhängige KI-Strategie in fünf Schritten",
        "teaser": "KI nutzen, ohne sich einem Anbieter auszuliefern: Mit diesen fünf Schritten "
        "behält ein mittelständisches Unternehmen die Wahl – auch wenn sich Preise, Modelle oder "
        "Partnerschaften morgen ändern.",
        "days_ago": 16,
        "topics": ["ki-strategie", "anbieterabhaengigkeit"],
        "vendors": ["microsoft", "openai"],
    },
]


BODIES = Path(__file__).parent / "demo_articles"


def _body(slug: str) -> str:
    return (BODIES / f"{slug}.md").read_text(encoding="utf-8")


def _tags() -> dict[str, Tag]:
    tags = {}
    for slug, name in TOPICS.items():
        tags[slug], _created = Tag.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": Tag.Kind.TOPIC}
        )
    for slug, name in vendor_names(language="de").items():
        tags[slug], _created = Tag.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": Tag.Kind.VENDOR}
        )
    return tags


@transaction.atomic
def demo_articles_seed(*, author) -> list[Article]:
    """Create the demo articles that are missing; running it twice changes nothing."""
    tags = _tags()
    self_check = SELF_CHECK.format(signup=reverse("signup"), contact=reverse("contact"))
    now = timezone.now()
    articles = []
    for spec in ARTICLES:
        article, created = Article.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "teaser": spec["teaser"],
                "body": _body(spec["slug"]).replace("{self_check}", self_check),
                "author": author,
                "state": Article.State.PUBLISHED,
                "published_at": now - timedelta(days=spec["days_ago"]),
            },
        )
        if created:
            article.topics.set([tags[slug] for slug in spec["topics"]])
            article.vendors.set([tags[slug] for slug in spec["vendors"] if slug in tags])
        articles.append(article)
    return articles
