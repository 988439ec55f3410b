"""Production settings: Django's deployment checklist passes, and the health endpoint answers
the container's own probe whatever Host it sends."""

import subprocess

import pytest
from django.test import Client

from tests.deploy.conftest import PRODUCTION_ENV, ROOT, clean_environ

pytestmark = pytest.mark.django_db


def test_check_deploy_is_clean_under_production_settings(python):
    result = subprocess.run(
        [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environ(**PRODUCTION_ENV),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production_hosts(settings):
    """Only the public name is allowed, HTTPS is enforced: what DJANGO_DEBUG=false gives."""
    settings.ALLOWED_HOSTS = ["admin.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "web:8000", "admin.example.com"])
def test_health_answers_plain_http_whatever_the_host(production_hosts, host):
    response = Client().get("/health/", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_other_pages_still_refuse_an_unknown_host(production_hosts):
    assert Client().get("/admin/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_other_pages_still_redirect_plain_http_to_https(production_hosts):
    response = Client().get("/admin/login/", HTTP_HOST="admin.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://admin.example.com/admin/login/"


def test_behind_the_tls_proxy_the_admin_is_served(production_hosts):
    response = Client().get("/admin/login/", HTTP_HOST="admin.example.com", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
