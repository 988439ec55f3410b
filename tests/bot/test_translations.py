"""Every text the bot shows exists in en, ru and de: adding a text without translating it
fails here. The msgids are extracted from the code the way ``pybabel extract`` does."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
KEYWORDS = {"T": (1,), "_": (1,), "N_": (1,)}


def used_msgids() -> set[str]:
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(BOT_DIR), method_map=[("**.py", "python")], keywords=KEYWORDS
        )
    }


def catalogue(language: str):
    with (Path(LOCALES_DIR) / language / "LC_MESSAGES" / "bot.po").open("rb") as po:
        return read_po(po, locale=language)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_bot_has_texts_to_translate():
    assert len(used_msgids()) > 50


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_text_is_translated(language):
    catalog = catalogue(language)
    missing = sorted(m for m in used_msgids() if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"{language}: untranslated {missing}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_translations_keep_the_placeholders(language):
    catalog = catalogue(language)
    broken = [m.id for m in catalog if m.id and m.string and fields(m.id) != fields(m.string)]
    assert not broken, f"{language}: placeholders differ in {broken}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_no_catalogue_keeps_texts_the_bot_no_longer_shows(language):
    """A stale entry is dead weight a translator keeps polishing (and a msgid someone may
    reuse by accident, like the old "✖ Cancel" beside "❌ Cancel visit")."""
    used = used_msgids()
    stale = sorted(m.id for m in catalogue(language) if m.id and m.id not in used)
    assert not stale, f"{language}: unused entries {stale}"
