"""Admin catalogue upload: expansion bombs, deep nesting, server paths and oversized bodies."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from assessments.catalogue import CatalogueError, default_catalogue_path, load_document
from assessments.catalogue.guard import MAX_ALIASES, MAX_DEPTH
from assessments.models import QuestionnaireVersion

pytestmark = pytest.mark.django_db

UPLOAD = "admin:assessments_questionnaireversion_upload"


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="admin@example.com", password="x")
    client.force_login(admin)
    return client


def _upload(client, data: bytes, **extra):
    return client.post(
        reverse(UPLOAD),
        {"file": SimpleUploadedFile("katalog.yaml", data, "application/yaml")},
        **extra,
    )


def alias_bomb(fan_out: int = 10, depth: int = 6) -> str:
    """The reviewer's file: each level is a list of ``fan_out`` aliases of the level below."""
    lines = ['key: bomb\nl0: &l0 "' + "x" * 64 + '"']
    for level in range(1, depth + 1):
        refs = ", ".join(f"*l{level - 1}" for _ in range(fan_out))
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly_with_a_clear_message(admin_client):
    _upload(admin_client, b"warm: up\n")  # templates and translations loaded outside the count
    tracemalloc.start()
    started = time.perf_counter()
    response = _upload(admin_client, alias_bomb().encode())
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert response.status_code == 400
    assert "beim Auflösen der Anker" in response.content.decode()
    assert not QuestionnaireVersion.objects.exists()
    assert seconds < 1
    assert peak < 20 * 1024 * 1024


def test_many_aliases_are_refused_even_when_small():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"

    with pytest.raises(CatalogueError, match="Verweise"):
        load_document(text)


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_deep_flow_nesting_is_a_400_not_a_recursion_error(admin_client, opening, closing):
    text = opening * 50_000 + "1" + closing * 50_000

    response = _upload(admin_client, text.encode())

    assert response.status_code == 400
    assert "zu tief verschachtelt" in response.content.decode()


def test_deep_block_nesting_is_refused():
    text = (
        "".join("  " * n + f"k{n}:\n" for n in range(MAX_DEPTH + 2))
        + "  " * (MAX_DEPTH + 2)
        + "1\n"
    )

    with pytest.raises(CatalogueError, match="zu tief verschachtelt"):
        load_document(text)


def test_alias_of_a_deep_anchor_counts_its_depth():
    inner = "[" * (MAX_DEPTH - 2) + "1" + "]" * (MAX_DEPTH - 2)
    text = f"a: &deep {inner}\nb: [[[[*deep]]]]\n"

    with pytest.raises(CatalogueError, match="zu tief verschachtelt"):
        load_document(text)


def test_file_whose_content_is_a_server_path_is_parsed_not_opened(admin_client):
    path = str(default_catalogue_path())

    response = _upload(admin_client, path.encode())

    assert response.status_code == 400
    assert "muss auf oberster Ebene eine Zuordnung" in response.content.decode()
    assert not QuestionnaireVersion.objects.exists()


def test_text_source_is_never_treated_as_a_path():
    with pytest.raises(CatalogueError):
        load_document(str(default_catalogue_path()))


def test_shipped_catalogue_is_within_the_limits():
    assert load_document(default_catalogue_path()).key


def _oversized_request(size: int):
    body = b"a: " + b"x" * size
    return RequestFactory().post(
        "/upload/", {"file": SimpleUploadedFile("gross.yaml", body, "application/yaml")}
    )


def test_oversized_upload_is_not_stored_but_read_to_the_end_for_the_413_page(settings):
    import tracemalloc

    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    request = _oversized_request(50 * 1024 * 1024)
    total = int(request.META["CONTENT_LENGTH"])

    tracemalloc.start()
    files = request.FILES
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    read = request._stream._pos  # bytes taken from the socket

    assert "file" not in files
    assert request.upload_too_large is True
    assert read == total  # the browser, still sending, can read the answer
    assert peak < 5 * 1024 * 1024  # thrown away as it came, never held


def test_a_body_above_the_drain_limit_is_not_read_to_the_end(settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    settings.UPLOAD_DRAIN_MAX_BYTES = 10 * 1024 * 1024
    request = _oversized_request(50 * 1024 * 1024)
    total = int(request.META["CONTENT_LENGTH"])

    files = request.FILES
    read = request._stream._pos

    assert "file" not in files
    assert request.upload_too_large is True
    assert read < 3 * 1024 * 1024 < total


def test_oversized_upload_gets_the_413_page_and_nothing_is_stored(admin_client, settings):
    settings.UPLOAD_MAX_BYTES = 1024

    response = _upload(admin_client, b"a: " + b"x" * 5000)

    assert response.status_code == 413
    assert "Dateien dürfen höchstens 1,0\xa0KB groß sein." in response.content.decode()
    assert not QuestionnaireVersion.objects.exists()
