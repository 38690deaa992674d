"""The name search's trigram indexes keep no pending list (migration portal/0016): a search
reads the merged index only, however many rows were rewritten since the last VACUUM."""

import pytest
from django.db import connection

from portal.models import Organization
from tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL"),
]

INDEXES = ("organization_name_trgm", "summary_name_trgm")


def _options() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [list(INDEXES)]
        )
        return dict(cursor.fetchall())


def test_the_name_search_indexes_merge_each_write_at_once():
    options = _options()
    if not options:
        pytest.skip("pg_trgm could not be created here: the search reads every row")
    assert options == dict.fromkeys(INDEXES, ["fastupdate=off"])


def test_a_renamed_client_is_found_by_its_new_name_at_once():
    organization = OrganizationFactory(name="Bäckerei Alt")
    organization.name = "Konditorei Neu am See"
    organization.save(update_fields=["name"])
    assert list(Organization.objects.filter(name__icontains="neu am see")) == [organization]
