from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!k2r#f9q@w3e$z8m^p1c&v6b*n4j(h5g)t0y-u_i+o=l;a.B2%D4",
    "ALLOWED_HOSTS": "support.example.com",
    "SITE_URL": "https://support.example.com",
    "SUPPORT_EMAIL": "support@support.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SITE_URL",
            "SUPPORT_EMAIL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_what_it_cannot_guess() -> None:
    result = _manage("check", env={"DEBUG": "false"})
    partly = _manage(
        "check",
        env={**PRODUCTION_ENV, "SITE_URL": "", "SUPPORT_EMAIL": ""},
    )

    assert result.returncode != 0
    assert "With DEBUG=false these must be set" in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "SUPPORT_EMAIL"):
        assert f"  {name}: " in result.stderr
    assert partly.returncode != 0
    assert "  SITE_URL: " in partly.stderr
    assert "  SECRET_KEY: " not in partly.stderr


def test_defaults_need_no_services() -> None:
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.USE_TZ
    assert settings.LANGUAGE_CODE == "ru"
    assert [code for code, _name in settings.LANGUAGES] == ["ru", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_inline_images_may_come_from_the_object_store_only_when_files_are_there() -> (
    None
):
    """An inline image is a redirect to a signed URL: the pages' img-src must
    name the store, and nothing more with files on the local disk."""
    from helpdesk.settings import _storage_from_url, _storage_origin

    assert _storage_origin(_storage_from_url("")) == ""
    assert (
        _storage_origin(
            _storage_from_url(
                "s3://key:secret@files?endpoint_url=http://127.0.0.1:9000/"
            )
        )
        == "http://127.0.0.1:9000"
    )
