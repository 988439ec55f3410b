"""Python versions and the installable package: the supported range, the Makefile's venv, the
console entry points, and a wheel that works outside the source tree."""

import importlib
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tests.deploy.conftest import PRODUCTION_ENV, ROOT, clean_environ

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.mark.parametrize(
    ("version", "supported"),
    [("3.10", False), ("3.11", True), ("3.12", True), ("3.13", True), ("3.14", False)],
)
def test_python_3_11_to_3_13_are_supported(version, supported):
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(f"{version}.0") is supported


def test_license_is_an_spdx_expression_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


@pytest.mark.parametrize("name", ["salon-bot", "salon-admin"])
def test_console_entry_points_name_callables(name):
    module, _, attribute = PYPROJECT["project"]["scripts"][name].partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))


# --- The Makefile's venv ------------------------------------------------------------------


def fake_venv(tmp_path: Path, version: str) -> Path:
    """A venv whose python says it is ``version``, already installed (its stamp is fresh)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f"#!/bin/sh\necho {version}\n")
    python.chmod(0o755)
    stamp = venv / ".installed-stamp"
    stamp.touch()
    return venv


def make_dry_run(venv: Path) -> str:
    result = subprocess.run(
        ["make", "-n", "venv", f"VENV={venv}", f"PYTHON={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_make_rebuilds_a_venv_made_with_another_python(tmp_path):
    venv = fake_venv(tmp_path, "3.10")
    planned = make_dry_run(venv)
    assert f"rm -rf {venv}" in planned
    assert f"-m venv {venv}" in planned


def test_make_keeps_a_venv_of_the_same_python(tmp_path):
    venv = fake_venv(tmp_path, f"{sys.version_info.major}.{sys.version_info.minor}")
    planned = make_dry_run(venv)
    assert "rm -rf" not in planned
    assert "-m venv" not in planned


# --- The wheel ----------------------------------------------------------------------------

# What the build must not see: other builds, venvs, runtime files, compiled catalogues.
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "staticfiles",
    "artifacts",
    "*.sqlite3*",
    "*.mo",
    ".env",
)

SERVE_TIMELINE = textwrap.dedent(
    """
    import os
    os.environ["DJANGO_SETTINGS_MODULE"] = "djproject.settings"
    import django, djproject
    from pathlib import Path
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    print("package:", Path(djproject.__file__).parent)
    print("database:", settings.DATABASES["default"]["NAME"])
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.create_superuser("owner", password="pw-for-the-test"))
    for language in ("en", "de"):
        page = client.get("/admin/timeline/", HTTP_ACCEPT_LANGUAGE=language)
        print(language, page.status_code, "Tagesplan" in page.content.decode())
    style = client.get("/static/salon/timeline.css")
    print("static", style.status_code)
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, built offline from a copy of the source (a build in the checkout would leave
    build/ behind, whose stale files end up in later wheels) with the venv's setuptools."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-v",
            "-w",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (built,) = (work / "dist").glob("salon_booking_bot-*.whl")
    return built, result.stdout + result.stderr


@pytest.mark.wheel
def test_wheel_builds_without_deprecation_warnings(wheel):
    _, log = wheel
    assert "deprecat" not in log.lower(), [line for line in log.splitlines() if "eprecat" in line]


@pytest.mark.wheel
def test_wheel_ships_templates_static_files_and_compiled_catalogues(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel[0]).namelist())
    assert "djproject/templates/admin/salon/timeline.html" in names
    assert "djproject/salon/static/salon/timeline.css" in names
    for language, domain in [("de", "django"), ("ru", "django"), ("en", "bot"), ("ru", "bot"), ("de", "bot")]:
        assert f"djproject/locales/{language}/LC_MESSAGES/{domain}.mo" in names
    assert not [name for name in names if name.startswith("tests/")]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel alone installed; the dependencies come from this test's
    environment through a .pth line (offline, and seconds instead of a download)."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site_packages) / "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel[0]),
        ],
        check=True,
        timeout=300,
    )
    return venv


def run_installed(venv: Path, cwd: Path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=clean_environ(
            **{**PRODUCTION_ENV, "DJANGO_ALLOWED_HOSTS": "testserver"},
            PATH=f"{venv / 'bin'}:/usr/bin:/bin",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.wheel
def test_installed_wheel_migrates_and_serves_the_timeline_outside_the_source_tree(installed, tmp_path):
    site = tmp_path / "salon-site"
    site.mkdir()

    migrate = run_installed(installed, site, "salon-admin", "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert (site / "db.sqlite3").exists(), "the database belongs in the working directory"

    served = run_installed(installed, site, str(installed / "bin" / "python"), "-c", SERVE_TIMELINE)
    assert served.returncode == 0, served.stdout + served.stderr
    lines = served.stdout.splitlines()
    assert "site-packages" in lines[0] and str(ROOT) not in lines[0], lines[0]
    assert lines[1] == f"database: {site / 'db.sqlite3'}"
    assert lines[2:] == ["en 200 False", "de 200 True", "static 200"]


@pytest.mark.wheel
def test_installed_salon_bot_answers_without_a_token(installed, tmp_path):
    result = run_installed(installed, tmp_path, "salon-bot", BOT_TOKEN="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BOT_TOKEN" in result.stdout + result.stderr
