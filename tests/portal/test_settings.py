"""The settings module: typed helpers fail loudly, production passes ``check --deploy``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import settings as portal_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7!kq2-production-secret-for-the-deploy-check-0123456789abcdefghij",
    "ALLOWED_HOSTS": "portal.example.de",
    "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CONSULTANCY_NAME": "Untersee Digital GmbH",
    "CONSULTANCY_STREET": "Seestraße 3",
    "CONSULTANCY_CITY": "78315 Radolfzell",
    "CONSULTANCY_PHONE": "+49 7732 123456",
    "CONSULTANCY_EMAIL": "info@untersee-digital.example",
    "CONSULTANCY_MANAGING_DIRECTOR": "Vera Kessler",
    "CONSULTANCY_REGISTER": "Amtsgericht Freiburg i. Br., HRB 712345",
    "CONSULTANCY_VAT_ID": "DE812345678",
    "CONSULTANCY_PRIVACY_CONTACT": "datenschutz@untersee-digital.example",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # The test runner's own switches (DJANGO_ALLOW_ASYNC_UNSAFE for Playwright) are not production.
    ignored = {*PRODUCTION_ENV, "VAR_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_while_the_impressum_shows_the_demo_consultancy():
    """Unset or empty (docker compose passes ``${VAR:-}``): both leave the demo details."""
    env = {**PRODUCTION_ENV, "CONSULTANCY_VAT_ID": ""}
    del env["CONSULTANCY_NAME"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "portal.W001" in output
    assert "CONSULTANCY_NAME, CONSULTANCY_VAT_ID still have their demo values" in output
    assert "CONSULTANCY_STREET" not in output


def test_production_device_cookie_is_secure_and_host_only_and_limits_are_separate():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEVICE_COOKIE_NAME, s.DEVICE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, "
        "s.LOGIN_FAILURE_LIMIT_ACCOUNT, s.LOGIN_FAILURE_LIMIT_IP)"
    )
    result = _manage("shell", "--verbosity", "0", "-c", code, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["__Host-portal_device", "True", "True", "5", "30"]


def test_an_address_limit_below_the_account_limit_refuses_to_start():
    result = _manage("check", env={**PRODUCTION_ENV, "LOGIN_FAILURE_LIMIT_IP": "3"})

    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT_ACCOUNT must be at least 1" in result.stderr


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "Environment variable SECRET_KEY is required." in result.stderr


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "vielleicht")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='vielleicht' is not a boolean"):
        portal_settings.env_bool("DEBUG", True)


def test_bad_integer_names_the_variable(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "lange")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='lange' is not an integer"):
        portal_settings.env_int("CONN_MAX_AGE", 60)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example, b.example ,,")
    assert portal_settings.env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_database_follows_database_url(settings):
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"


def test_seed_demo_is_refused_in_production():
    result = _manage("seed_demo", env=PRODUCTION_ENV)

    assert result.returncode != 0
    assert "seed_demo only runs in demo mode" in result.stderr


def test_embedded_default_migrates_where_var_dir_does_not_exist_yet(tmp_path):
    var_dir = tmp_path / "never-created" / "var"
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "PRIVATE_STORAGE_ROOT", "DEBUG"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env={**clean, "VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (var_dir / "db.sqlite3").is_file()
    assert (var_dir / "private").is_dir()


def test_the_portal_hashes_passwords_with_a_slow_hasher():
    """The test suite swaps in MD5 for speed (tests/conftest.py); the portal module itself must
    not: it keeps Django's default list, PBKDF2 first."""
    from django.conf import global_settings

    hashers = getattr(portal_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert hashers[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert not any("MD5" in name for name in hashers)


def settings_printed(code: str, *, env: dict, drop: set[str]) -> str:
    """What ``code`` prints in a fresh process whose environment is ours less ``drop``, plus
    ``env``."""
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _site_url(env: dict) -> str:
    code = "from django.conf import settings as s; print(s.SITE_URL)"
    return settings_printed(code, env=env, drop={"HOST", "PORT", "SITE_URL"})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8210"}, "http://127.0.0.1:8210"),
        ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://127.0.0.1:8080"),  # noqa: S104
        ({"HOST": "::1", "PORT": "8081"}, "http://[::1]:8081"),
        (
            {"HOST": "localhost", "PORT": "8210", "SITE_URL": "https://portal.example.de/"},
            "https://portal.example.de",
        ),
    ],
)
def test_site_url_follows_where_make_run_serves_unless_set(env, expected):
    assert _site_url(env) == expected


def test_make_run_hands_host_and_port_to_the_settings():
    result = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", "PORT=8210", "HOST=127.0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [
        line for line in result.stdout.splitlines() if "seed_demo" in line or "runserver" in line
    ]
    assert len(lines) == 2
    assert all("PORT=8210" in line for line in lines)
    assert lines[1].endswith("runserver 127.0.0.1:8210")
