"""Admin language: a switcher in the header (Django's ``set_language``), and one term per
concept in each language, the same in the admin (django.po) as in the bot (bot.po)."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from tests import factories as f

LOCALES = Path(__file__).resolve().parents[2] / "locales"

# One word per concept and language, and the words the catalogues must not use for it.
TERMS = {
    "master": {
        "pattern": r"\bmasters?\b",
        "de": ("Mitarbeiter", ("Stylist", "Friseur")),
        # "сотрудник" is the staff (salon staff, a staff login), another concept.
        "ru": ("мастер", ("парикмахер", "стилист")),
    },
    "client": {
        "pattern": r"\bclients?\b",
        "de": ("Kunde", ("Klient",)),
        "ru": ("клиент", ("посетител",)),
    },
    "service": {
        "pattern": r"\bservices?\b",
        "de": ("Leistung", ("Dienstleistung", "Service")),
        "ru": ("услуг", ("сервис",)),
    },
}
# Entries that name the concept without needing the word (a pronoun does the work).
NO_WORD_NEEDED = {
    "The master performs every active service of these categories.",
}


PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([^)]*\)[sd]")


def catalogue(language: str, domain: str):
    with (LOCALES / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle)


def translated(language: str):
    """(domain, English, translation) of every translated entry of both catalogues."""
    for domain in ("django", "bot"):
        for message in catalogue(language, domain):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            # Placeholders ("{services}", "%(master)s") are names for code, not words.
            yield domain, ids[0], PLACEHOLDER.sub("", " ".join(strings))


@pytest.mark.parametrize("language", ["de", "ru"])
@pytest.mark.parametrize("concept", sorted(TERMS))
def test_the_admin_and_the_bot_use_one_term_per_concept(language, concept):
    term, avoided = TERMS[concept][language]
    pattern = re.compile(TERMS[concept]["pattern"], re.IGNORECASE)

    wrong = [
        (domain, english, text)
        for domain, english, text in translated(language)
        if any(word.lower() in text.lower() for word in avoided)
    ]

    assert wrong == []
    # Where the English says "master", the translation says the concept's one word.
    missing = [
        (domain, english, text)
        for domain, english, text in translated(language)
        if pattern.search(PLACEHOLDER.sub("", english))
        and english not in NO_WORD_NEEDED
        and concept == "master"
        and term.lower() not in text.lower()
    ]
    assert missing == []


@pytest.mark.parametrize("language", ["de", "ru"])
def test_model_names_are_capitalised_headings(language):
    names = ("Master", "Masters", "Client", "Clients", "Service", "Services", "Appointments", "Category")
    django = {m.id: m.string for m in catalogue(language, "django") if m.id in names}

    assert all(text[:1].isupper() for text in django.values()), django
    assert django["Master"].lower().startswith(TERMS["master"][language][0].lower())


@pytest.fixture
def staff(admin_client, salon):
    """Two masters, so that the appointment list offers its master filter."""
    f.master(name="Anna", categories=[salon])
    f.master(name="Boris", categories=[salon])
    return admin_client


def test_the_admin_header_offers_every_language(staff):
    html = staff.get(reverse("admin:index")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    for code, _name in settings.LANGUAGES:
        assert f'value="{code}"' in html


def test_switching_to_german_speaks_of_mitarbeiter_in_the_filters(staff):
    response = staff.post(reverse("set_language"), {"language": "de", "next": "/admin/salon/appointment/"})
    assert response.status_code == 302

    html = staff.get(reverse("admin:salon_appointment_changelist")).content.decode()

    assert 'data-filter-title="Mitarbeiter"' in html
    assert "Stylist" not in html


def test_the_russian_filter_heading_is_capitalised(staff):
    staff.post(reverse("set_language"), {"language": "ru", "next": "/admin/"})

    html = staff.get(reverse("admin:salon_appointment_changelist")).content.decode()

    assert 'data-filter-title="Мастер"' in html
