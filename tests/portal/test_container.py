"""The container set-up, read as Docker would (no Docker engine in the test environment)."""

import fnmatch
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.heartbeat import heartbeat_write
from tests.portal.test_settings import settings_printed

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for the paths checked here: a pattern matches the path or a parent folder."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
            return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/config",
        "var/db.sqlite3",
        "var/private/reports/bericht.pdf",
        "portal/__pycache__/settings.cpython-311.pyc",
        ".env",
        "locale/en/LC_MESSAGES/django.mo",
    ],
)
def test_dockerignore_keeps_local_data_and_history_out_of_the_image(path):
    assert _ignored(path, _dockerignore())


@pytest.mark.parametrize(
    "path", ["portal/settings.py", "manage.py", "pyproject.toml", "static/css/report.css"]
)
def test_dockerignore_keeps_what_the_image_needs(path):
    assert not _ignored(path, _dockerignore())


def test_every_base_image_is_pinned_to_a_minor_version():
    images = re.findall(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    images += [s["image"] for s in _compose()["services"].values() if "build" not in s]
    assert len(images) >= 3
    for image in images:
        tag = image.split(":", 1)[1]
        assert re.match(r"\d+\.\d+", tag), image


def test_the_app_runs_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert dockerfile.index("USER ") < dockerfile.index("CMD ")
    for name, service in _compose()["services"].items():
        assert service.get("user", "portal") not in ("root", "0"), name


def test_every_service_has_a_health_check_beat_included():
    services = _compose()["services"]
    for name, service in services.items():
        if name in ("web", "worker", "beat"):
            merged = {**_compose()["x-portal-service"], **service}
            assert "healthcheck" in merged, name
        else:
            assert "healthcheck" in service, name
    assert services["beat"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "manage.py",
        "heartbeat_check",
        "beat",
    ]


@pytest.mark.django_db
def test_beat_health_check_passes_only_with_a_fresh_heartbeat_from_this_host(settings):
    with pytest.raises(CommandError):
        call_command("heartbeat_check", "beat")
    heartbeat_write(name="beat:another-host:1", kind="beat")
    with pytest.raises(CommandError):
        call_command("heartbeat_check", "beat")
    heartbeat_write(name=f"beat:{socket.gethostname()}:42", kind="beat")
    call_command("heartbeat_check", "beat")
    from portal.models import Heartbeat

    Heartbeat.objects.update(seen_at=timezone.now() - timezone.timedelta(hours=1))
    with pytest.raises(CommandError):
        call_command("heartbeat_check", "beat")


def _compose_env() -> dict[str, str]:
    """The environment docker compose gives web, worker and beat, with its own defaults."""
    env = {}
    for key, value in _compose()["x-portal-env"].items():
        value = re.sub(r"\$\{SECRET_KEY:\?[^}]*\}", "k" * 60, str(value))
        value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
        env[key] = value
    return env


def test_the_compose_environment_is_a_valid_production_configuration():
    env = _compose_env()
    assert env["DEBUG"] == "0" and env["CACHE_URL"].startswith("redis://")
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SITE_URL, s.CACHES['default']['BACKEND'], s.ADMINS, "
        "repr(s.CONSULTANCY['name']), s.TRUSTED_PROXY_COUNT)"
    )
    printed = settings_printed(code, env=env, drop={*env, "VAR_DIR"})
    assert printed.split(" ", 3) == [
        "False",
        "http://localhost:8000",
        "portal.cache.FaultTolerantRedisCache",  # Django's RedisCache, pages up when Redis is not
        # a variable the operator left empty keeps the settings' default, never an empty name
        "[] 'Hegau-Bodensee IT-Beratung GmbH' 0",
    ]


def test_the_compose_environment_passes_what_operations_needs_and_nothing_unknown():
    """docs/operations.md tells operators to set these; a name the settings never read is a typo
    that would silently do nothing."""
    env = _compose()["x-portal-env"]
    for name in ("ADMINS", "HEALTHZ_TOKEN", "TRUSTED_PROXY_COUNT", "CONSULTANT_SCOPE"):
        assert name in env, name
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    consultancy = set(re.findall(r'env_str\("(CONSULTANCY_[A-Z_]+)"', settings_source))
    assert consultancy - {"CONSULTANCY_PRIMARY_COLOR", "CONSULTANCY_LOGO"} <= set(env)
    for name in env:
        assert f'"{name}"' in settings_source, f"{name} is not read by portal/settings.py"


def test_uploaded_files_live_on_volumes_shared_by_web_and_worker():
    """Report PDFs, evidence and documents (private storage) and news covers (MEDIA_ROOT) survive
    a recreated container, and the worker writes where web reads."""
    volumes = _compose()["x-portal-service"]["volumes"]
    assert "private-files:/app/var/private" in volumes
    assert "media-files:/app/var/media" in volumes
    assert {"private-files", "media-files"} <= set(_compose()["volumes"])
    assert "/app/var/media" in (ROOT / "Dockerfile").read_text()  # created owned by the app user


def _compose_command() -> list[str] | None:
    """``docker compose`` (v2), else the stand-alone ``docker-compose`` (Debian's package)."""
    if shutil.which("docker") and (
        subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="docker compose is not installed here")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        [*_compose_command(), "config", "-q"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "k" * 60},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
