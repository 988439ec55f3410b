"""The one build step pyproject.toml cannot declare: compile the gettext catalogues.

``locales/<lang>/LC_MESSAGES/<domain>.po`` (the source, edited by hand) become
``djproject/locales/<lang>/LC_MESSAGES/<domain>.mo`` inside the wheel, so an installed package
speaks every language without a compile step of its own (djproject.paths finds them there).
Compiling at build time rather than at first use keeps site-packages read-only at run time.
In a source checkout ``make messages`` compiles them in place instead; .mo files are build
products and never committed.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALES = Path("locales")


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the checkout and its own locales/
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib, "djproject", po.with_suffix(".mo"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[1])
            with target.open("wb") as compiled:
                write_mo(compiled, catalog)  # fuzzy entries left out, as `pybabel compile` does


setup(cmdclass={"build_py": BuildPyWithCatalogues})
