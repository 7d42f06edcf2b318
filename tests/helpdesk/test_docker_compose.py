"""docker-compose.yml can't be started here (no Docker engine), so check that every
command it runs is one this project really has, and run them outside Docker."""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from tests.requirements import require_redis

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [
    name
    for name, service in SERVICES.items()
    if service.get("build") or "command" in service
]


def test_the_stack_has_every_part() -> None:
    assert SERVICES["db"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    assert {"web", "worker", "beat", "mail"} <= SERVICES.keys()
    assert {"pgdata", "media"} <= COMPOSE["volumes"].keys()
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert "media:/data/media" in SERVICES["web"]["volumes"]
    for name in ("db", "redis", "web", "worker", "mail"):
        assert "healthcheck" in SERVICES[name], name


def test_web_and_worker_can_be_scaled_out() -> None:
    """`docker compose up --scale web=2 --scale worker=2` (README, "Running several web hosts")."""
    for name in ("web", "worker"):
        service = SERVICES[name]
        assert "container_name" not in service, name
        for published in service.get("ports", []):
            # A range of host ports, e.g. "${WEB_PORTS:-8000-8001}:8000".
            assert re.search(r"\d+-\d+\}?:\d+$", str(published)), (
                f"{name} publishes one fixed host port: {published}"
            )
        environment = service["environment"]
        assert environment["RELEASE"].startswith("${RELEASE")
        # Uploads are shared: the same volume, or object storage.
        assert "media:/data/media" in service["volumes"]
        assert environment["STORAGE_URL"].startswith("${STORAGE_URL")
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_container_reads_env_and_needs_what_production_cannot_guess(
    name: str,
) -> None:
    service = SERVICES[name]
    assert {"path": ".env", "required": False} in service["env_file"]
    for variable in settings.PRODUCTION_NEEDS:
        assert service["environment"][variable].startswith(f"${{{variable}:?"), (
            f"{name} starts without {variable}"
        )


def test_env_example_lists_every_setting() -> None:
    names = set(
        re.findall(
            r'env(?:\.\w+)?\(\s*"([A-Z_]+)"',
            (ROOT / "helpdesk" / "settings.py").read_text(),
        )
    )
    example = (ROOT / ".env.example").read_text()

    assert names
    assert {
        name for name in names if not re.search(rf"^#? ?{name}=", example, re.M)
    } == set()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_command_is_one_the_project_has(name: str) -> None:
    command = SERVICES[name]["command"]
    program = command[0]
    assert program == "python" or (BIN / program).exists(), (
        f"{program} is not installed by the project"
    )
    if program == "python":
        assert command[1] == "manage.py"
        assert command[2] in get_commands(), f"no management command {command[2]}"
    elif program == "gunicorn":
        module, attribute = command[1].split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    elif program == "celery":
        from celery.bin.celery import celery as celery_cli

        assert command[1:3] == ["-A", "helpdesk"]
        assert importlib.import_module("helpdesk").celery_app.main == "helpdesk"
        assert command[3] in celery_cli.commands
    else:
        pytest.fail(f"unexpected command {command}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "CELERY_", "CACHE_URL"))
    }
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": "compose-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "SUPPORT_EMAIL": "support@helpdesk.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'compose.sqlite3'}",
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        **extra,
    }


def test_the_web_command_serves_healthz(tmp_path: Path) -> None:
    command = list(SERVICES["web"]["command"])
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=_production_env(tmp_path), stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print(log_path.read_text())
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.redis
def test_the_worker_command_answers_a_ping(tmp_path: Path) -> None:
    broker = require_redis().rsplit("/", 1)[0] + "/14"  # a database of its own
    env = _production_env(tmp_path, CELERY_BROKER_URL=broker)
    name = f"compose-test-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [*SERVICES["worker"]["command"], "--hostname", name, "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while True:
            ping = subprocess.run(
                [
                    BIN / "celery",
                    "-A",
                    "helpdesk",
                    "inspect",
                    "ping",
                    "-d",
                    name,
                    "--timeout",
                    "2",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if "pong" in ping.stdout or time.monotonic() > deadline:
                break
        assert "pong" in ping.stdout, ping.stdout + ping.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_the_web_health_check_passes_against_a_real_server(tmp_path: Path) -> None:
    """The health check's own command, run against gunicorn with a foreign ALLOWED_HOSTS."""
    command = list(SERVICES["web"]["command"])
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    env = _production_env(tmp_path, ALLOWED_HOSTS="support.example.com,127.0.0.1")
    check = [
        sys.executable if part == "python" else part
        for part in SERVICES["web"]["healthcheck"]["test"][1:]
    ]
    check[-1] = check[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    with (tmp_path / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run(check, env=env, capture_output=True, text=True)
            if result.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert result.returncode == 0, result.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_secrets_and_local_state_stay_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".env", ".venv", "*.sqlite3", "media"} <= set(ignored)
