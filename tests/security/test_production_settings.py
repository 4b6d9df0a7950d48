"""Production settings: the public development key can't be served, and `check --deploy` is clean.

Each check starts Django in a subprocess with a clean environment: pytest's own exemption doesn't
apply there, and every key a developer's `.env` could supply is pinned (python-dotenv never
overrides a variable that is set, even to "", and settings read "" as unset).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
REAL_KEY = "k3y-for-the-deploy-check-" + "x9Q" * 20
HTTPS_SETTINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}
HSTS_SETTINGS = {"security.W005", "security.W021"}


def run_django(code_or_args: list[str], **env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "irctc.settings",
        "SECRET_KEY": "",
        "DEBUG": "",
        "HTTPS": "",
        "HSTS_SECONDS": "",
        "HSTS_INCLUDE_SUBDOMAINS": "",
        "HSTS_PRELOAD": "",
        "NUM_PROXIES": "",
        "DB_ENGINE": "sqlite",
        "DB_NAME": "deploy-check.sqlite3",
        "MONGO_URI": "mongomock://",
        "REDIS_URL": "",
        **env,
    }
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120
    )


def setup_django(**env) -> subprocess.CompletedProcess:
    return run_django(["-c", "import django; django.setup()"], **env)


def deploy_warnings(**env) -> set[str]:
    result = run_django(["manage.py", "check", "--deploy", "--fail-level", "ERROR"], **env)
    assert result.returncode == 0, result.stderr
    return {word.strip(":()") for word in (result.stdout + result.stderr).split() if word.startswith("(security.")}


def test_with_debug_off_the_development_key_refuses_to_start():
    # SECRET_KEY is pinned to "" here, which counts as unset: the development key.
    result = setup_django()

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is the public development key" in result.stderr


def test_no_variable_lets_the_development_key_through():
    result = setup_django(ALLOW_DEV_SECRET_KEY="1", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr


@pytest.mark.parametrize("env", [{"SECRET_KEY": REAL_KEY}, {"DEBUG": "true"}], ids=["real key", "debug"])
def test_a_real_key_or_debug_mode_starts(env):
    result = setup_django(**env)

    assert result.returncode == 0, result.stderr


def test_check_deploy_over_https_warns_at_most_about_hsts():
    warnings = deploy_warnings(SECRET_KEY=REAL_KEY, HTTPS="true")

    assert warnings <= HSTS_SETTINGS, warnings


def test_check_deploy_over_https_with_full_hsts_is_clean():
    warnings = deploy_warnings(
        SECRET_KEY=REAL_KEY, HTTPS="true", HSTS_SECONDS="31536000", HSTS_INCLUDE_SUBDOMAINS="true", HSTS_PRELOAD="true"
    )

    assert warnings == set(), warnings


def test_check_deploy_without_https_names_only_the_https_settings():
    warnings = deploy_warnings(SECRET_KEY=REAL_KEY)

    assert warnings <= HTTPS_SETTINGS, warnings
    assert {"security.W008", "security.W012", "security.W016"} <= warnings
