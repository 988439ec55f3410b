"""Which catalogue fields are translated (django-modeltranslation registers this module itself).

Each field gets a column per language (``name_en``, ``name_ru``, ``name_de``) on the same row;
reading ``service.name`` gives the active language's value, or English when that one is empty.
The salon services activate the client's language explicitly (``translation.override``), since
they run on the bot's ORM threads where no request has activated one.
"""

from modeltranslation.translator import TranslationOptions, register

from djproject.salon.models import Category, Master, Service


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    # Names are unique per language: an untranslated one is NULL, not "", so that two
    # categories without a Russian name do not collide (and English is shown instead).
    empty_values = {"name": None}
    required_languages = {"en": ("name",), "default": ()}  # English is what the others fall back to


@register(Service)
class ServiceTranslation(TranslationOptions):
    fields = ("name", "description")
    empty_values = {"name": None}  # unique per category and language, as for categories
    required_languages = {"en": ("name",), "default": ()}


@register(Master)
class MasterTranslation(TranslationOptions):
    fields = ("name", "bio")
    required_languages = {"en": ("name",), "default": ()}
