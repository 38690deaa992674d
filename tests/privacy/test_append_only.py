"""The audit log refuses UPDATE and DELETE in the database, except for retention and erasure.

Runs on SQLite and on PostgreSQL (``DATABASE_URL=postgres://…``): the triggers differ per vendor.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from portal.auditlog import audit_record
from portal.models import AuditLog
from portal.privacy import append_only
from portal.privacy.append_only import audit_maintenance
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TABLE = AuditLog._meta.db_table


@pytest.fixture
def entry():
    return audit_record(action="test.entry", target="Zeuge")


def _refused(change) -> bool:
    try:
        with transaction.atomic():
            change()
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


def _sql(*statements: str):
    def run():
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


def test_the_database_refuses_every_update_and_delete(entry):
    changes = {
        "QuerySet.update": lambda: AuditLog.objects.filter(pk=entry.pk).update(target="x"),
        "Model.save": lambda: AuditLog(pk=entry.pk, action="x", created_at=timezone.now()).save(),
        "QuerySet.delete": lambda: AuditLog.objects.filter(pk=entry.pk).delete(),
        "Model.delete": lambda: AuditLog.objects.get(pk=entry.pk).delete(),
        "raw UPDATE": _sql(f"UPDATE {TABLE} SET target = 'x'"),  # noqa: S608 - constant
        "raw DELETE": _sql(f"DELETE FROM {TABLE}"),  # noqa: S608 - constant
    }
    if connection.vendor == "postgresql":
        # (the deferred foreign-key checks of this test's inserts first, or PostgreSQL refuses
        # TRUNCATE for its own reason)
        changes["TRUNCATE"] = _sql("SET CONSTRAINTS ALL IMMEDIATE", f"TRUNCATE {TABLE} CASCADE")

    refused = {name: _refused(change) for name, change in changes.items()}

    assert refused == dict.fromkeys(changes, True)
    entry.refresh_from_db()
    assert entry.target == "Zeuge"


def test_inserts_still_work(entry):
    audit_record(action="test.second")

    assert AuditLog.objects.count() == 2


def test_retention_and_erasure_may_change_it_and_only_inside_their_block(entry):
    with audit_maintenance("erasure"):
        AuditLog.objects.filter(pk=entry.pk).update(target="org-pseudonym")
    inside_the_same_transaction_after_it = _refused(
        lambda: AuditLog.objects.filter(pk=entry.pk).update(target="x")
    )
    with audit_maintenance("retention"):
        AuditLog.objects.filter(pk=entry.pk).delete()

    assert inside_the_same_transaction_after_it
    assert not AuditLog.objects.filter(pk=entry.pk).exists()


def test_a_failing_maintenance_block_leaves_nothing_changed_and_the_lock_closed(entry):
    with pytest.raises(RuntimeError), audit_maintenance("erasure"):
        AuditLog.objects.filter(pk=entry.pk).update(target="halb")
        raise RuntimeError("erasure broke off")

    entry.refresh_from_db()
    assert entry.target == "Zeuge"
    assert _refused(lambda: AuditLog.objects.filter(pk=entry.pk).delete())


def test_only_the_known_jobs_may_open_it():
    with pytest.raises(ValueError, match="not one of"), audit_maintenance("aufräumen"):
        pass


def test_people_and_clients_with_audit_entries_cannot_be_deleted(org_a):
    person = UserFactory()
    audit_record(action="test.entry", actor=person, organization=org_a)

    with pytest.raises(ProtectedError):
        person.delete()
    with pytest.raises(ProtectedError):
        org_a.delete()


def test_missing_trigger_shows_in_healthz_and_migrate_brings_it_back(client, settings):
    """SQLite drops a table's triggers when a migration rebuilds it; a restored dump may lack
    them: /healthz names the gap, and the next migrate (post_migrate) recreates them."""
    name = append_only.expected()[0]
    with connection.cursor() as cursor:
        on = f" ON {TABLE}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER {name}{on}")
    settings.HEALTHZ_TOKEN = "geheim"

    before = client.get("/healthz", headers={"x-health-token": "geheim"})
    call_command("migrate", verbosity=0)
    after = client.get("/healthz", headers={"x-health-token": "geheim"})

    assert before.status_code == 503
    assert before.json()["checks"]["audit_log"] == {
        "ok": False,
        "error": "append-only triggers missing",
        "missing": [name],
    }
    assert after.json()["checks"]["audit_log"] == {"ok": True}
    assert append_only.missing() == []


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_as_the_test_runner_needs():
    audit_record(action="test.entry")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditLog.objects.exists()
    assert append_only.missing() == []
    audit_record(action="test.after")
    assert _refused(lambda: AuditLog.objects.all().delete())
