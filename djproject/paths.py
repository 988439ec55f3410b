"""Where things are: the code's own files (templates, compiled catalogues) beside the package,
the runtime files (the SQLite database, collected static files) in a data directory.

From a source checkout the data directory is the checkout, as it always was; an installed
package must not write into site-packages, so there it is the working directory, and
``SALON_DATA_DIR`` names another one in either case.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def from_source_checkout() -> bool:
    """True when the code runs from the repository (pyproject.toml beside the package)."""
    return (SOURCE_ROOT / "pyproject.toml").is_file()


def locales_dir() -> Path:
    """The gettext catalogues: ``locales/`` of the checkout (``make messages`` compiles it),
    else the copy the wheel ships inside the package (compiled by the build, see setup.py)."""
    shipped = PACKAGE_DIR / "locales"
    if from_source_checkout() or not shipped.is_dir():
        return SOURCE_ROOT / "locales"
    return shipped


def data_dir(configured: Path | None) -> Path:
    """Where runtime files go: SALON_DATA_DIR, else the checkout, else the working directory."""
    if configured is not None:
        return configured.expanduser().resolve()
    return SOURCE_ROOT if from_source_checkout() else Path.cwd()


LOCALES_DIR = locales_dir()
