"""An erasure leaves nothing: a marker planted in every field of a client is found nowhere after it.

A client goes through the whole portal: an enquiry by contact form, turned into a client by a
consultant, the owner accepting the invitation and inviting a colleague, answers submitted, notes,
the action plan, a rendered PDF report, a stress test stored as a background job, a news
follow-up, failed and successful sign-ins, the consultant reading and searching for them (audit
entries), an admin log entry. Then every text field of every row that belongs to the client is
overwritten with the marker as well. After the owner's erasure has run, the marker (as itself,
JSON-escaped and URL-encoded) is searched in a full dump of the database (``iterdump`` on SQLite,
``pg_dump`` on PostgreSQL; every table, also those without a model), in the session data, in the
report storage folder and in every log record written along the way.

Runs on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import subprocess
from urllib.parse import quote, quote_plus

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.actionplan import services as plan_services
from assessments.demo import questionnaire_ensure_active
from assessments.models import Report
from assessments.questionnaire.services import answer_save
from assessments.stress.models import StressJob
from news.models import Tag
from news.services import clients_inform
from portal.leads.models import Lead
from portal.models import AuditLog, ErasureRequest, Membership, Organization, User
from portal.tasks import privacy_daily
from tests.factories import PASSWORD, ConsultantFactory, MembershipFactory, UserFactory
from tests.news.conftest import make_article

MARK = "Zqxmärker7"  # names and texts (a non-ASCII letter: JSON and URLs escape it)
MAIL = "zqxmarker7"  # e-mail addresses (ASCII only)

pytestmark = pytest.mark.django_db(transaction=True)


def needles() -> set[str]:
    found = set()
    for text in (MARK, MAIL):
        found |= {text, json.dumps(text)[1:-1], quote(text), quote_plus(text)}
    return {n.lower() for n in found}


def _hits(text: str) -> list[str]:
    lowered = text.lower()
    hits = []
    for needle in needles():
        for match in re.finditer(re.escape(needle), lowered):
            hits.append(text[max(0, match.start() - 120) : match.end() + 60].replace("\n", " "))
    return hits


def database_dump() -> str:
    """Every table of the database as SQL text, also tables without a Django model."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [
                "/usr/bin/pg_dump",
                "--data-only",
                "--no-owner",
                "-h",
                settings["HOST"] or "127.0.0.1",
                "-p",
                str(settings["PORT"] or 5432),
                "-U",
                settings["USER"] or "postgres",
                settings["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            env={"PGPASSWORD": settings["PASSWORD"] or ""},
        )
        return result.stdout
    connection.ensure_connection()
    return "\n".join(connection.connection.iterdump())


def session_texts() -> str:
    """Session data is signed base64: decoded, so that what it holds is searched too."""
    texts = []
    for session in Session.objects.all():
        try:
            texts.append(json.dumps(session.get_decoded(), default=str, ensure_ascii=False))
        except Exception:  # noqa: BLE001 - an undecodable session is searched raw
            texts.append(base64.b64decode(session.session_data + "==").decode(errors="replace"))
    return "\n".join(texts)


def storage_hits(folder) -> list[str]:
    """Every file's bytes, and a PDF's text (its streams are compressed)."""
    hits = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        texts = [path.read_bytes().decode(errors="replace")]
        if path.suffix == ".pdf":
            texts.append(
                subprocess.run(  # noqa: S603 - fixed arguments
                    ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True
                ).stdout
            )
        hits += [f"{path}: {hit}" for text in texts for hit in _hits(text)]
    return hits


# --- the client's life in the portal ---------------------------------------------------------


def _answers(document) -> dict:
    from assessments.demo import profile_answers

    return profile_answers(
        document,
        0.4,
        {
            "services_used": ["m365_copilot"],
            "use_cases": [
                {
                    "name": f"Angebote {MARK}",
                    "area": "office_text",
                    "purpose": f"Texte für {MARK}",
                    "service": "m365_copilot",
                    "affected": "staff",
                    "personal_data": "regular",
                    "role": "use_product",
                    "output_use": "no_people",
                    "safety_purpose": "no",
                }
            ],
            "comments": f"Anmerkung {MARK}",
        },
    )


def _invitation_link(mailoutbox, email: str) -> str:
    body = next(m.body for m in reversed(mailoutbox) if email in m.to)
    return re.search(r"/einladung/[^/\s]+/", body).group(0)


def client_lifecycle(mailoutbox, settings) -> dict:
    settings.STRESS_TEST_INLINE_MAX_CLIENTS = 0  # the stress test runs as a stored job
    version = questionnaire_ensure_active()
    consultant = ConsultantFactory(first_name="Carla", last_name="Berater")
    # Another client, who must keep everything.
    other = Organization.objects.create(name="Kontrolle KG", industry="craft", size_band="small")
    MembershipFactory(organization=other, user=UserFactory(email="chef@kontrolle.example"))

    visitor = Client()
    visitor.post(
        reverse("contact"),
        {
            "name": f"Petra {MARK}",
            "company": f"{MARK} Bäckerei GmbH",
            "email": f"petra.{MAIL}@baeckerei.example",
            "phone": "+49 7531 424242",
            "message": f"Bitte um Rückruf, {MARK}",
            "consent": "on",
        },
    )
    lead = Lead.objects.get()
    staff = Client(HTTP_USER_AGENT="Beraterbrowser")
    staff.force_login(consultant)
    staff.post(
        reverse("lead_convert", args=[lead.pk]),
        {"name": f"{MARK} Bäckerei GmbH", "industry": "craft", "size_band": "small"},
    )
    organization = Organization.objects.get(name=f"{MARK} Bäckerei GmbH")

    owner_browser = Client(HTTP_USER_AGENT=f"Browser {MARK}")
    link = _invitation_link(mailoutbox, lead.email)
    owner_browser.post(
        link,
        {
            "first_name": f"Petra {MARK}",
            "last_name": MARK,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    owner = User.objects.get(email=lead.email)
    owner_browser.post(
        reverse("invitation_create", args=[organization.pk]),
        {"email": f"kollege.{MAIL}@baeckerei.example", "role": "member"},
    )
    colleague_browser = Client(HTTP_USER_AGENT=f"Kollegenbrowser {MARK}")
    colleague_browser.post(
        _invitation_link(mailoutbox, f"kollege.{MAIL}@baeckerei.example"),
        {"first_name": "Kai", "last_name": MARK, "password1": PASSWORD, "password2": PASSWORD},
    )
    Client().post(
        reverse("login"),
        {"username": f"kollege.{MAIL}@baeckerei.example", "password": "falsch-falsch-falsch"},
    )

    owner_browser.post(reverse("assessment_start", args=[organization.pk]))
    assessment = organization.assessments.get()
    for key, value in _answers(version.document).items():
        answer_save(assessment=assessment, user=owner, question_key=key, value=value)
    owner_browser.post(reverse("assessment_submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert not assessment.is_draft

    assessment_services.consultant_note_create(
        assessment=assessment,
        author=consultant,
        data={"kind": "internal", "title": f"Intern {MARK}", "text": MARK, "priority": 1},
    )
    action = assessment.actions.first()
    plan_services.action_update(
        action=action,
        actor=consultant,
        fields={"title": f"Maßnahme {MARK}", "internal_note": f"nur für uns: {MARK}"},
    )
    staff.post(reverse("report_request", args=[assessment.pk]))
    for name in ("assessment_done", "actionplan", "actionplan_csv", "assessment_review"):
        staff.get(reverse(name, args=[assessment.pk]))
    staff.get(reverse("consultant_dashboard"), {"q": MARK})
    staff.get(reverse("consultant_dashboard"), {"format": "csv"})
    staff.post(reverse("stress_job_start"), {"scenario": "copilot_price_plus_50"})
    job = StressJob.objects.get()
    assert MARK in json.dumps(job.result, ensure_ascii=False)
    microsoft = Tag.objects.create(slug="microsoft", name="Microsoft", kind=Tag.Kind.VENDOR)
    article = make_article(slug="copilot-preise", vendors=[microsoft])
    clients_inform(
        article=article, organization_ids=[organization.pk], actor=consultant, send_email=True
    )
    LogEntry.objects.create(
        user=consultant,
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=str(organization.pk),
        object_repr=organization.name,
        action_flag=CHANGE,
        change_message=f"Name geändert: {MARK}",
    )
    return {
        "consultant": consultant,
        "organization": organization,
        "owner": owner,
        "owner_browser": owner_browser,
        "other": other,
        "report": Report.objects.get(assessment=assessment),
    }


def plant_everywhere(organization, people) -> int:
    """Every free-text field of every row that belongs to the client gets the marker too.

    The portfolio summary row is not typed into but derived from the client's rows (its levels
    and industry also name the stored figures): it is recomputed from them afterwards, as every
    write in the portal does, so a marker it copied would show in the dump like any other."""
    from portal.models import ClientSummary
    from portal.portfolio.summary import client_summaries_refresh

    planted = 0
    for model in apps.get_models():
        if model in (AuditLog, ClientSummary) or model._meta.proxy:
            continue
        rows = _rows_of(model, organization, people)
        if rows is None:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.EmailField)  # an address, once changed, is another one
            and not (f.choices or f.primary_key or f.unique)
            and f.name not in ("password", "key", "token", "session_key", "question_key")
        ]
        if not fields:
            continue
        for pk in rows.values_list("pk", flat=True):
            values = {
                f.attname: f"{MARK} {f.name}"[: f.max_length] if f.max_length else MARK
                for f in fields
            }
            planted += model._base_manager.filter(pk=pk).update(**values)
    client_summaries_refresh(organization_ids=[organization.pk])
    return planted


def _rows_of(model, organization, people):
    if model is Organization:
        return Organization.objects.filter(pk=organization.pk)
    if model is User:
        return User.objects.filter(pk__in=[p.pk for p in people])
    condition = models.Q()
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        if target is Organization:
            condition |= models.Q(**{field.name: organization})
        elif target is User:
            condition |= models.Q(**{f"{field.name}__in": people})
        elif target is not None and any(
            getattr(f, "related_model", None) is Organization for f in target._meta.fields
        ):
            name = next(f.name for f in target._meta.fields if f.related_model is Organization)
            condition |= models.Q(**{f"{field.name}__{name}": organization})
    if not condition:
        return None
    return model._base_manager.filter(condition)


# --- the test --------------------------------------------------------------------------------


def test_erasure_leaves_the_marker_nowhere(mailoutbox, settings, caplog, private_storage):
    caplog.set_level(logging.INFO)
    world = client_lifecycle(mailoutbox, settings)
    organization = world["organization"]
    people = list(User.objects.filter(memberships__organization=organization))
    assert plant_everywhere(organization, people) > 30
    organization.refresh_from_db()
    # Audit entries that name the client only in their text (the dashboard search for part of
    # its name above is another).
    AuditLog.objects.create(action="test.plant", target=organization.name)
    AuditLog.objects.create(action="test.plant", data={"note": f"über {organization.name}"})
    before = _hits(database_dump())
    assert len(before) > 50, "the marker was not planted"
    assert storage_hits(private_storage), "no report file to erase"

    owner_browser = world["owner_browser"]
    owner_browser.post(
        reverse("organization_privacy", args=[organization.pk]),
        {"confirm_name": organization.name},
    )
    ErasureRequest.objects.update(scheduled_for=timezone.now())
    privacy_daily()

    hits = _hits(database_dump()) + _hits(session_texts()) + storage_hits(private_storage)
    hits += [f"log {r.name}: {r.getMessage()}" for r in caplog.records if _hits(r.getMessage())]
    print(f"\nsentinel hits after erasure ({connection.vendor}): {len(hits)}")
    assert hits == []
    # Accountability stays: the entries are there, under the pseudonym.
    request = ErasureRequest.objects.get()
    assert AuditLog.objects.filter(target=request.pseudonym).count() > 10
    assert AuditLog.objects.filter(action="erasure.done").exists()
    # Nobody else lost anything.
    assert Organization.objects.filter(pk=world["other"].pk).exists()
    assert Membership.objects.filter(organization=world["other"]).exists()
    assert User.objects.filter(pk=world["consultant"].pk).exists()
    assert StressJob.objects.get().result["rows"] == []  # the consultant's job stays, without it
    assert owner_browser.get(reverse("home")).status_code == 302  # signed out everywhere
