"""The environment variables: typed, read from a .env file when there is one, and every
mistake told in one line that names the variable."""

import re
import subprocess

import pytest

from djproject.environment import (
    DEVELOPMENT_SECRET_KEY,
    Environment,
    SettingsError,
    read_environment,
    secret_key,
)
from tests.deploy.conftest import PRODUCTION_KEY, ROOT, clean_environ

PROJECT_VARIABLES = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "STAFF_CHAT_ID", "LOG_LEVEL", "WEBHOOK_PORT")


@pytest.fixture
def bare_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """None of the variables under test is set, whatever the developer's shell has."""
    for name in PROJECT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def example_secret_key() -> str:
    """The placeholder key in .env.example, as a salon copying the file would keep it."""
    match = re.search(r"^DJANGO_SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert match, ".env.example names DJANGO_SECRET_KEY"
    return match.group(1).strip()


def test_debug_is_off_unless_asked_for(bare_environ):
    assert read_environment(None).django_debug is False


def test_staff_chat_id_given_as_a_user_name_names_the_variable(bare_environ):
    bare_environ.setenv("STAFF_CHAT_ID", "@salon_staff")
    with pytest.raises(SettingsError) as error:
        read_environment(None)
    assert str(error.value).startswith("STAFF_CHAT_ID must be an integer chat id")
    assert "@salon_staff" in str(error.value)
    assert "\n" not in str(error.value)


def test_staff_chat_id_of_a_group_is_a_negative_integer(bare_environ):
    bare_environ.setenv("STAFF_CHAT_ID", " -1001234567890 ")
    assert read_environment(None).staff_chat_id == -1001234567890


@pytest.mark.parametrize("given", ["debug", "Debug", "DEBUG"])
def test_log_level_is_read_case_insensitively(bare_environ, given):
    bare_environ.setenv("LOG_LEVEL", given)
    assert read_environment(None).log_level == "DEBUG"


def test_unknown_log_level_names_the_variable_and_the_choices(bare_environ):
    bare_environ.setenv("LOG_LEVEL", "loud")
    with pytest.raises(SettingsError, match=r"^LOG_LEVEL must be one of DEBUG, INFO, WARNING"):
        read_environment(None)


def test_a_port_that_is_not_a_number_names_the_variable(bare_environ):
    bare_environ.setenv("WEBHOOK_PORT", "eighty")
    with pytest.raises(SettingsError, match=r"^WEBHOOK_PORT "):
        read_environment(None)


def test_a_dot_env_file_is_read_and_the_process_environment_wins(bare_environ, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("STAFF_CHAT_ID=-100777\nLOG_LEVEL=warning\nBOT_TOKEN=\nUNRELATED=1\n")
    bare_environ.setenv("LOG_LEVEL", "error")

    environment = read_environment(env_file)

    assert environment.staff_chat_id == -100777
    assert environment.log_level == "ERROR"
    assert environment.bot_token == ""


def test_without_debug_a_missing_key_is_refused(bare_environ):
    with pytest.raises(SettingsError, match=r"^DJANGO_SECRET_KEY is not set"):
        secret_key(Environment(django_debug=False, django_secret_key=""))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short-but-random-Zx81", id="short"),
        pytest.param(example_secret_key(), id="the .env.example placeholder"),
        pytest.param(DEVELOPMENT_SECRET_KEY, id="the development key"),
        pytest.param("django-insecure-" + "x7" * 30, id="startproject's insecure key"),
        pytest.param("a" * 64, id="one character repeated"),
    ],
)
def test_without_debug_a_weak_or_placeholder_key_is_refused(bare_environ, key):
    with pytest.raises(SettingsError, match=r"^DJANGO_SECRET_KEY "):
        secret_key(Environment(django_debug=False, django_secret_key=key))


def test_a_strong_key_is_used_as_given():
    assert secret_key(Environment(django_debug=False, django_secret_key=PRODUCTION_KEY)) == PRODUCTION_KEY


def test_debug_without_a_key_runs_on_the_development_key():
    assert secret_key(Environment(django_debug=True, django_secret_key="")) == DEVELOPMENT_SECRET_KEY


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        pytest.param({"DJANGO_DEBUG": "false"}, ["DJANGO_SECRET_KEY is not set"], id="no key"),
        pytest.param(
            {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": example_secret_key()},
            ["DJANGO_SECRET_KEY"],
            id="placeholder key",
        ),
        pytest.param(
            {"DJANGO_DEBUG": "true", "STAFF_CHAT_ID": "@salon_staff"},
            ["STAFF_CHAT_ID must be an integer chat id"],
            id="staff chat by name",
        ),
    ],
)
def test_manage_py_refuses_to_start_with_one_clear_line(python, environ, words):
    result = subprocess.run(
        [python, "manage.py", "check"],
        cwd=ROOT,
        env=clean_environ(**environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0, output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    for word in words:
        assert word in output
