"""Every string marked for translation on the Django side has a Russian and a German translation.

The catalogues are ``locales/{ru,de}/LC_MESSAGES/django.po`` (domain "django": models, admin,
validators, admin templates, the timeline view). The bot's texts are another domain
(``bot.po``, managed with Babel) and are not looked at here. After marking, changing or
removing a string, regenerate the catalogues with the ``makemessages`` command written in
their header, translate the new entries, and run this module.

The marked strings are extracted the way ``makemessages`` does it, but in Python (Babel's
extractor with Django's keywords, templates through Django's ``templatize``), so the check
needs neither GNU gettext nor the network. One test runs the real ``makemessages`` (when GNU
gettext is installed) and makes sure both extractions agree.
"""

import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
LANGUAGES = ("ru", "de")
PLURAL_FORMS = {"ru": 3, "de": 2}

# Where the Django side's marked strings live; booking/engine is pure Python without any.
SOURCE_DIRS = ("booking", "djproject")
EXCLUDED_DIRS = ("booking/engine",)
TEMPLATE_SUFFIXES = (".html", ".txt")  # makemessages' other default extensions

# The keywords makemessages passes to xgettext, plus xgettext's own Python defaults.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_noop": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

# printf-style (named or not) and str.format placeholders; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{[^{}]*\}")

Key = tuple[str | None, str | tuple[str, ...]]  # (msgctxt, msgid or (msgid, msgid_plural))


def source_files() -> list[Path]:
    files = []
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if any(relative == d or relative.startswith(f"{d}/") for d in EXCLUDED_DIRS):
                continue
            if any(part.startswith(".") or part == "__pycache__" for part in path.parts):
                continue
            if path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES:
                files.append(path)
    return files


def extract_keys(path: Path) -> set[Key]:
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        # templatize's output is meant for xgettext, which ignores indentation; Python's
        # tokenizer (Babel's) does not, so start every line at column 0.
        source = "\n".join(line.lstrip() for line in templatize(source, origin=str(path)).splitlines())
    keys: set[Key] = set()
    for _lineno, message, _comments, context in extract(
        "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS
    ):
        keys.add((context, message))
    return keys


@pytest.fixture(scope="module")
def marked() -> set[Key]:
    keys: set[Key] = set()
    for path in source_files():
        keys |= extract_keys(path)
    assert len(keys) > 100, "the extraction found suspiciously few marked strings"
    return keys


def load_catalog(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    path = LOCALES / request.param / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return load_catalog(path)


def catalog_keys(catalog: Catalog) -> set[Key]:
    return {(m.context, m.id) for m in catalog if m.id}


def describe(keys: set[Key]) -> str:
    return "\n".join(sorted(f"  {ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in keys))


def test_every_marked_string_is_in_the_catalogue(marked, catalog):
    missing = marked - catalog_keys(catalog)
    assert not missing, (
        f"{len(missing)} marked string(s) missing from the {catalog.locale} catalogue; run the "
        f"makemessages command from the .po header and translate them:\n{describe(missing)}"
    )


def test_catalogue_has_no_stale_entries(marked, catalog):
    stale = catalog_keys(catalog) - marked
    assert not stale, (
        f"{len(stale)} {catalog.locale} entr(y/ies) no longer marked in the code; rerun "
        f"makemessages (it comments them out as obsolete):\n{describe(stale)}"
    )


def test_every_entry_is_translated_and_not_fuzzy(catalog):
    assert not catalog.fuzzy, "the header is marked fuzzy: pybabel compile would skip the catalogue"
    assert catalog.num_plurals == PLURAL_FORMS[str(catalog.locale)]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        forms = message.string if message.pluralizable else (message.string,)
        if message.pluralizable and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms instead of {catalog.num_plurals}: {message.id!r}")
        if not all(forms):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders(catalog):
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        forms = message.string if message.pluralizable else (message.string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for form in forms:
            found = set(PLACEHOLDER.findall(form or ""))
            # A plural form may drop the number ("one visit"), never invent a placeholder.
            if found - expected or (not message.pluralizable and found != expected):
                problems.append(f"{message.id!r}: {sorted(found)} instead of {sorted(expected)}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_extraction_agrees_with_makemessages(marked, tmp_path, settings, monkeypatch):
    """The Python extraction above finds exactly what Django's makemessages finds."""
    src = tmp_path / "src"
    for top in SOURCE_DIRS:
        shutil.copytree(ROOT / top, src / top, ignore=shutil.ignore_patterns("__pycache__"))
    for excluded in EXCLUDED_DIRS:
        shutil.rmtree(src / excluded)
    settings.LOCALE_PATHS = [str(tmp_path / "locales")]
    monkeypatch.chdir(src)  # makemessages reads the current directory; work on a copy

    call_command("makemessages", locale=["de"], domain="django", add_location="file", verbosity=0)

    made = catalog_keys(load_catalog(tmp_path / "locales" / "de" / "LC_MESSAGES" / "django.po"))
    assert made == marked, (
        f"only makemessages:\n{describe(made - marked)}\nonly Babel:\n{describe(marked - made)}"
    )


@pytest.fixture
def compiled_locales(tmp_path, settings):
    """The committed catalogues compiled afresh, so the test needs no `make messages` first."""
    for language in LANGUAGES:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        catalog = load_catalog(LOCALES / language / "LC_MESSAGES" / "django.po")
        with (target / "django.mo").open("wb") as fp:
            write_mo(fp, catalog)
    settings.LOCALE_PATHS = [str(tmp_path)]  # resets Django's translation caches


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("de", ["Termine", "Mitarbeiter", "Leistungen", "Tagesplan"], "Appointments"),
        ("ru", ["Записи", "Мастера", "Услуги", "Расписание дня"], "Appointments"),
        ("en", ["Appointments", "Masters", "Services", "Day timeline"], "Termine"),
    ],
)
def test_admin_index_follows_accept_language(admin_client, compiled_locales, language, expected, absent):
    response = admin_client.get(reverse("admin:index"), headers={"accept-language": language})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    page = response.content.decode()
    for name in expected:
        assert name in page
    assert absent not in page
