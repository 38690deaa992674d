"""An upload above UPLOAD_MAX_BYTES gets a 413 page, not a broken connection; nothing is stored.

Through a real gunicorn: the browser keeps sending the body while the server answers, so what
matters is whether the server reads (and discards) the rest before it replies.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest

from tests.servers import Server, database_url

MB = 1024 * 1024


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": "memory://",
        "VAR_DIR": str(tmp_path / "var"),
        "UPLOAD_MAX_BYTES": str(2 * MB),
        "LOG_LEVEL": "WARNING",
    }
    server = Server(env, tmp_path / "gunicorn.log")
    try:
        server.wait()
        yield server
    finally:
        server.stop()


def _multipart(token: str, size: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="gross.yaml"\r\nContent-Type: application/yaml\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b"a" * size + tail, f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db(transaction=True)
def test_a_50_mb_upload_gets_the_413_page(server):
    _status, headers, body = server.request("GET", "/kontakt/")
    cookie = next(v for k, v in headers if k.lower() == "set-cookie" and "csrftoken=" in v)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    payload, content_type = _multipart(token, 50 * MB)

    status, _headers, page = server.request(
        "POST",
        "/kontakt/",
        body=payload,
        headers={"Content-Type": content_type, "Cookie": cookie.split(";", 1)[0]},
    )

    assert status == 413
    assert "Dateien dürfen höchstens 2,0\xa0MB groß sein." in page
    assert "Es wurde nichts gespeichert" in page
