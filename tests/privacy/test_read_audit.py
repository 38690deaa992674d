"""Every page that shows client data is audited when the consultancy reads it, whatever the headers.

The enumeration walks the URL resolver, so a URL added later fails here until it says whether it
shows client data (``portal.privacy.audit``): ``test_every_url_declares_whether_it_shows_client_
data``. Then every client-data URL is read by an admin who is also a consultant, as a page and as
an htmx request, and must leave an audit entry naming the reader and the client
(``test_every_client_data_read_leaves_an_audit_entry``).

A new URL kwarg needs a sample in ``SAMPLES`` (or, for an admin page, its model in
``ADMIN_SAMPLES``): the failure names what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import ResolverMatch
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.actionplan.evidence import evidence_add
from assessments.actionplan.services import calendar_subscribe
from assessments.demo import questionnaire_ensure_active
from assessments.documents.models import LiteracyMeasure
from assessments.documents.services import document_draft
from assessments.models import Report
from assessments.stress.models import StressJob
from assessments.stress.selectors import scenarios_all, stress_run
from news.models import ClientFollowUp, Tag
from portal.leads.models import Lead
from portal.models import AuditLog, Membership
from portal.privacy.audit import ACTION_PREFIX, UNDECLARED, declaration_for
from tests.documents.conftest import submit_full
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.news.conftest import make_article

pytestmark = pytest.mark.django_db

SCENARIO = "copilot_price_plus_50"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url_patterns(resolver=None, namespaces=(), prefix=""):
    """(route, view name, callback, kwarg names) of every URL the resolver knows."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from url_patterns(pattern, inner, prefix + str(pattern.pattern))
            continue
        match = ResolverMatch(
            pattern.callback, (), {}, url_name=pattern.name, namespaces=list(namespaces)
        )
        kwargs = list(pattern.pattern.regex.groupindex)
        yield prefix + str(pattern.pattern), match.view_name, pattern.callback, kwargs


def client_data_urls():
    for route, view_name, callback, kwargs in url_patterns():
        declaration = declaration_for(callback, view_name)
        if declaration.shows_client_data and declaration is not UNDECLARED:
            yield route, view_name, declaration.what, kwargs


def undeclared_urls() -> list[str]:
    return [
        f"{route} ({view_name})"
        for route, view_name, callback, _kwargs in url_patterns()
        if declaration_for(callback, view_name) is UNDECLARED
    ]


def test_every_url_declares_whether_it_shows_client_data():
    assert undeclared_urls() == [], (
        "Declare with @client_data('what') or @client_data(None) (portal.privacy.audit)"
    )


@pytest.mark.urls("tests.privacy.urls_undeclared")
def test_a_url_without_a_declaration_is_found():
    assert undeclared_urls() == ["neu/ (neu)"]


# --- the sample world every client-data URL is read in ---------------------------------------


@dataclass
class World:
    reader: object
    org: object
    owner: object
    assessment: object
    report: object
    lead: object
    job: object
    article: object
    invitation_token: str
    calendar_token: str
    section_key: str
    action: object
    evidence: object
    document_number: int
    measure: object
    admin_objects: dict = field(default_factory=dict)


@pytest.fixture
def world(private_files, settings) -> World:
    version = questionnaire_ensure_active()
    reader = UserFactory(is_consultant=True, is_staff=True, is_superuser=True)
    org = OrganizationFactory(name="Prüfstand GmbH", consultant=reader)
    owner = UserFactory(email="inhaberin@pruefstand.example")
    membership = MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    submit_full(org, owner)  # an earlier assessment: two to compare
    assessment = submit_full(org, owner)
    action = assessment.actions.order_by("pk").first()
    evidence = evidence_add(
        action=action,
        actor=owner,
        upload=SimpleUploadedFile("AVV.pdf", PDF, "application/pdf"),
    )
    document = document_draft(assessment=assessment, kind="register", actor=reader)
    measure = LiteracyMeasure.objects.create(
        organization=org, held_on=timezone.localdate(), title="KI-Schulung", participants="Alle"
    )
    report = Report.objects.create(assessment=assessment, status=Report.Status.READY)
    report.file.save(f"reports/{report.pk}.pdf", ContentFile(b"%PDF-1.7 Probe"))
    lead = Lead.objects.create(
        name="Petra Probe",
        company="Prüfstand GmbH",
        email="petra@pruefstand.example",
        message="Bitte rufen Sie an.",
        consent_at=timezone.now(),
        state=Lead.State.CONVERTED,
        organization=org,
    )
    result = stress_run(user=reader, scenario=scenarios_all()[SCENARIO])
    job = StressJob.objects.create(
        scenario=SCENARIO,
        created_by=reader,
        status=StressJob.Status.DONE,
        result=result.to_data(),
        total=result.clients,
        done=result.clients,
        finished_at=timezone.now(),
    )
    microsoft = Tag.objects.create(slug="microsoft", name="Microsoft", kind=Tag.Kind.VENDOR)
    article = make_article(slug="copilot-preise", vendors=[microsoft])
    invitation = InvitationFactory(organization=org, email="neu@pruefstand.example")
    followup = ClientFollowUp.objects.create(article=article, organization=org)
    attempt = AccessAttempt.objects.create(
        username=owner.email, ip_address="192.0.2.1", failures_since_start=1
    )
    access = AccessLog.objects.create(username=owner.email, ip_address="192.0.2.1")
    failure = AccessFailureLog.objects.create(username=owner.email, ip_address="192.0.2.1")
    totp = TOTPDevice.objects.create(user=owner, name="App", confirmed=True)
    static = StaticDevice.objects.create(user=owner, name="Codes", confirmed=True)
    entry = AuditLog.objects.create(action="test.entry", organization=org, target="x")
    calendar_token = calendar_subscribe(user=reader, organization=org)
    return World(
        reader=reader,
        org=org,
        owner=owner,
        assessment=assessment,
        report=report,
        lead=lead,
        job=job,
        article=article,
        invitation_token=invitation.raw_token,
        calendar_token=calendar_token,
        action=action,
        evidence=evidence,
        document_number=document.number,
        measure=measure,
        section_key=version.document["sections"][0]["key"],
        admin_objects={
            "portal.user": owner.pk,
            "portal.organization": org.pk,
            "portal.membership": membership.pk,
            "portal.invitation": invitation.pk,
            "portal.auditlog": entry.pk,
            "portal.lead": lead.pk,
            "assessments.assessment": assessment.pk,
            "news.clientfollowup": followup.pk,
            "axes.accessattempt": attempt.pk,
            "axes.accesslog": access.pk,
            "axes.accessfailurelog": failure.pk,
            "otp_totp.totpdevice": totp.pk,
            "otp_static.staticdevice": static.pk,
        },
    )


# URL kwarg -> its value in the sample world.
SAMPLES = {
    "organization_id": lambda w: w.org.pk,
    "assessment_id": lambda w: w.assessment.pk,
    "section_key": lambda w: w.section_key,
    "report_id": lambda w: w.report.pk,
    "lead_id": lambda w: w.lead.pk,
    "job_id": lambda w: w.job.pk,
    "slug": lambda w: w.article.slug,
    "token": lambda w: w.invitation_token,
    "id": lambda w: w.owner.pk,  # the admin's password page of a user
    "pk": lambda w: w.admin_objects["otp_totp.totpdevice"],  # a TOTP device's key and QR code
    "action_id": lambda w: w.action.pk,
    "evidence_id": lambda w: w.evidence.pk,
    "kind": lambda w: "register",  # a document drafted from the answers
    "number": lambda w: w.document_number,
    "file_format": lambda w: "docx",
    "measure_id": lambda w: w.measure.pk,
}
# The same kwarg name meaning something else in one view: (view name, kwarg) -> value.
VIEW_SAMPLES = {
    ("calendar_feed", "token"): lambda w: w.calendar_token,  # the subscriber: the reader
}
# Kwargs that name something across clients: their pages name no single client.
PORTFOLIO_KWARGS = {"job_id", "slug"}
# Exports and variants behind a query string, read as well.
QUERIES = {
    "consultant_dashboard": ["", "format=csv", "format=xlsx"],
    "stress_test": ["", f"scenario={SCENARIO}", f"scenario={SCENARIO}&format=csv"],
    "stress_job": ["", "format=csv"],
    # the search behind an autocomplete field: clients by name
    "admin:autocomplete": [
        "app_label=portal&model_name=membership&field_name=organization&term=Pr"
    ],
}
# Client-data pages a consultant (even an admin) may not open: only the client's owner does.
NOT_FOR_CONSULTANTS = {
    "organization_privacy",
    "organization_export",
    "admin:portal_auditlog_delete",  # the audit log is append-only
}


def _url_kwargs(world: World, view_name: str, kwargs: list[str]) -> dict:
    values = {}
    for name in kwargs:
        if name == "object_id":
            label = _admin_model(view_name)
            assert label in world.admin_objects, f"ADMIN_SAMPLES needs an object of {label}"
            values[name] = world.admin_objects[label]
        elif (view_name, name) in VIEW_SAMPLES:
            values[name] = VIEW_SAMPLES[view_name, name](world)
        else:
            assert name in SAMPLES, f"{view_name}: SAMPLES needs a value for the kwarg {name!r}"
            values[name] = SAMPLES[name](world)
    return values


def _admin_model(view_name: str) -> str:
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if view_name.startswith(prefix):
            return model_admin.opts.label_lower
    raise AssertionError(f"no admin model for {view_name}")


def _names_one_client(view_name: str, kwargs: list[str]) -> bool:
    if "object_id" in kwargs:
        label = _admin_model(view_name)
        return label in {
            "portal.organization",
            "portal.membership",
            "portal.invitation",
            "portal.auditlog",
            "portal.lead",
            "assessments.assessment",
            "news.clientfollowup",
        }
    return any(
        (name.endswith("_id") or name == "token") and name not in PORTFOLIO_KWARGS
        for name in kwargs
    )


def test_every_client_data_read_leaves_an_audit_entry(client, world, settings):
    settings.AUDIT_READ_REPEAT_SECONDS = 0  # every request its own entry here
    client.force_login(world.reader)
    failures, audited, pages = [], set(), set()
    for route, view_name, what, kwargs in client_data_urls():
        url = reverse(view_name, kwargs=_url_kwargs(world, view_name, kwargs))
        pages.add(route)
        for query in QUERIES.get(view_name, [""]):
            for headers in ({}, {"HX-Request": "true"}):
                before = AuditLog.objects.count()
                response = client.get(f"{url}?{query}" if query else url, headers=headers)
                if response.streaming:
                    b"".join(response.streaming_content)  # read to the end: closes the file
                label = f"{view_name} {url}?{query} {headers}"
                if view_name in NOT_FOR_CONSULTANTS:
                    if response.status_code not in (403, 404):
                        failures.append(f"{label}: {response.status_code}, expected 403/404")
                    continue
                if response.status_code != 200:
                    failures.append(f"{label}: status {response.status_code}")
                    continue
                new = list(AuditLog.objects.order_by("-pk")[: AuditLog.objects.count() - before])
                reads = [e for e in new if e.action == ACTION_PREFIX + what]
                if len(reads) != 1:
                    failures.append(f"{label}: {len(reads)} audit entries")
                    continue
                entry = reads[0]
                if entry.actor_id != world.reader.pk:
                    failures.append(f"{label}: actor {entry.actor_id}")
                if _names_one_client(view_name, kwargs) and entry.organization_id != world.org.pk:
                    failures.append(f"{label}: organisation {entry.organization_id}")
                if query and entry.data.get("query") != query:
                    failures.append(f"{label}: query {entry.data}")
                audited.add(route)
    assert failures == [], "\n".join(failures)
    consultant_pages = {
        route
        for route, view_name, _w, _k in client_data_urls()
        if view_name not in NOT_FOR_CONSULTANTS
    }
    assert audited == consultant_pages
    print(
        f"\naudited client-data read paths: {len(audited)} of {len(pages)} "
        f"({len(pages) - len(audited)} open only to the client's owner)"
    )


# --- how the audit behaves -------------------------------------------------------------------


@pytest.fixture
def results_url(world):
    return reverse("assessment_done", args=[world.assessment.pk])


def test_htmx_fragment_is_audited_like_the_page(client, world):
    client.force_login(world.reader)

    client.get(reverse("reports_panel", args=[world.assessment.pk]), headers={"HX-Request": "true"})

    entry = AuditLog.objects.get(action="consultant.read.reports")
    assert (entry.actor, entry.organization) == (world.reader, world.org)


def test_polled_panel_is_one_read_per_window_and_another_page_is_another_read(
    client, world, settings
):
    settings.AUDIT_READ_REPEAT_SECONDS = 60
    client.force_login(world.reader)
    panel = reverse("reports_panel", args=[world.assessment.pk])

    for _ in range(5):
        client.get(panel, headers={"HX-Request": "true"})
    client.get(reverse("actionplan", args=[world.assessment.pk]))

    assert AuditLog.objects.filter(action="consultant.read.reports").count() == 1
    assert AuditLog.objects.filter(action="consultant.read.actionplan").count() == 1


def test_a_cache_that_fails_never_costs_an_audit_entry(client, world, results_url, monkeypatch):
    from portal.privacy import audit

    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        def set(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(audit, "cache", BrokenCache())
    client.force_login(world.reader)

    client.get(results_url)
    client.get(results_url)

    assert AuditLog.objects.filter(action="consultant.read.results").count() == 2


def test_clients_reading_their_own_company_are_not_audited(client, world, results_url):
    client.force_login(world.owner)

    response = client.get(results_url)

    assert response.status_code == 200
    assert not AuditLog.objects.filter(action__startswith=ACTION_PREFIX).exists()


def test_page_is_not_served_when_its_read_cannot_be_audited(
    client, world, results_url, monkeypatch
):
    def refuse(*args, **kwargs):
        raise DatabaseError("audit table unavailable")

    client.force_login(world.reader)
    monkeypatch.setattr(AuditLog.objects, "create", refuse)

    response = client.get(results_url)

    assert response.status_code == 503
    assert "protokolliert" in response.content.decode()
    assert world.org.name not in response.content.decode()


def test_denied_page_writes_no_read(client, world, results_url):
    stranger = UserFactory(is_consultant=True)
    client.force_login(stranger)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.CONSULTANT_SCOPE", "assigned")
        response = client.get(results_url)

    assert response.status_code == 404
    assert not AuditLog.objects.filter(action__startswith=ACTION_PREFIX).exists()


def test_a_secret_in_the_url_is_not_written_to_the_audit_log(client, world):
    """Invitation and calendar tokens are stored only hashed; the audit of reads keeps it so."""
    client.force_login(world.reader)
    client.get(reverse("invitation_accept", args=[world.invitation_token]))
    client.get(reverse("calendar_feed", args=[world.calendar_token]))

    entries = list(AuditLog.objects.filter(action__startswith=ACTION_PREFIX))
    assert {e.action for e in entries} == {
        "consultant.read.invitation",
        "consultant.read.actionplan",
    }
    for entry in entries:
        text = f"{entry.target} {entry.data}"
        assert world.invitation_token not in text and world.calendar_token not in text
        assert entry.organization == world.org
