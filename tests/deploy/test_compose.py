"""docker-compose.yml, read as Docker Compose reads it (Docker itself is not on this machine):
the web healthcheck passes with DJANGO_ALLOWED_HOSTS set, the admin is published on localhost
only, the bot picks polling or the webhook from the environment and does not restart-loop
without a token, and no password is written in the file."""

import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.test import Client

from tests.deploy.conftest import ROOT, clean_environ

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    return compose["services"][name]


def shell_command(command: str | list[str]) -> str:
    """The service's command as the container's shell runs it: Compose turns ``$$`` into ``$``."""
    if isinstance(command, list):
        assert command[:2] == ["sh", "-c"], command
        command = command[2]
    return command.replace("$$", "$")


@pytest.mark.django_db
def test_web_healthcheck_passes_when_allowed_hosts_names_the_public_host(compose, settings):
    settings.ALLOWED_HOSTS = ["admin.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    probe = " ".join(service(compose, "web")["healthcheck"]["test"])
    url = urlsplit(re.search(r"http://[^'\"\s)]+", probe).group(0))

    response = Client().get(url.path, HTTP_HOST=url.netloc)

    assert response.status_code == 200


def test_bot_waits_for_a_healthy_web(compose):
    assert service(compose, "bot")["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["web", "bot"])
def test_published_ports_are_bound_to_localhost_only(compose, name):
    ports = service(compose, name).get("ports", [])
    assert all(str(port).startswith("127.0.0.1:") for port in ports), ports


def test_the_admin_is_published_for_the_tls_proxy(compose):
    assert "127.0.0.1:8000:8000" in service(compose, "web")["ports"]


def test_no_password_is_written_in_the_compose_file(compose):
    text = COMPOSE.read_text()
    assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", text), "a password inside a URL"
    for name, spec in compose["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            if "PASSWORD" in key:
                assert re.fullmatch(r"\$\{\w+(:[?-][^}]*)?\}", str(value)), f"{name}.{key}={value}"
    for key, value in compose["x-app"]["environment"].items():
        if "PASSWORD" in key:
            assert re.fullmatch(r"\$\{\w+(:[?-][^}]*)?\}", str(value)), f"x-app.{key}={value}"


def test_the_database_password_is_taken_from_one_variable(compose):
    app = compose["x-app"]["environment"]
    postgres = service(compose, "postgres")["environment"]
    assert app["PGPASSWORD"] == postgres["POSTGRES_PASSWORD"]


def test_bot_does_not_restart_after_a_clean_exit(compose):
    assert service(compose, "bot")["restart"] == "on-failure"


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    """A ``python`` first on PATH that writes down its arguments instead of running the bot."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "python"
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "args"}\n')
    script.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(
    ("webhook_url", "expected"),
    [("", "-m bot"), ("https://bot.example.com/webhook", "-m bot --webhook")],
    ids=["no WEBHOOK_URL: polling", "WEBHOOK_URL: webhook"],
)
def test_bot_service_picks_its_mode_from_the_environment(compose, fake_python, webhook_url, expected):
    command = shell_command(service(compose, "bot")["command"])
    env = {"PATH": f"{fake_python / 'bin'}:{os.environ['PATH']}", "WEBHOOK_URL": webhook_url}

    subprocess.run(["sh", "-c", command], env=env, check=True, timeout=10)

    assert (fake_python / "args").read_text().strip() == expected


def test_bot_without_a_token_exits_cleanly_with_one_line(python):
    """With ``restart: on-failure`` a clean exit is final: the bot stays down, and its log says
    why, instead of a restart loop."""
    result = subprocess.run(
        [python, "-m", "bot"],
        cwd=ROOT,
        env=clean_environ(DJANGO_DEBUG="true", BOT_TOKEN=""),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    assert len(output.splitlines()) == 1, output
    assert "BOT_TOKEN" in output
    assert "Traceback" not in output
