"""Extracting messages into the catalogs and compiling them: `marketplace i18n update|compile`."""

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from i18n.catalogs import DOMAIN, LOCALES_DIR
from i18n.locales import SUPPORTED_LOCALES

__all__ = ["extract_and_update", "compile_catalogs", "untranslated_messages"]

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("i18n", "search", "tourism", "marketplace")
# Errors whose first argument is a message a person reads (the error page translates it when shown).
ERROR_KEYWORDS = ("AppError", "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable",
                  "TooManyRequests", "Unavailable", "InvalidInput", "InvalidSearch", "SearchUnavailable",
                  "ImageRejected", "OrderNotFound", "OutOfStock", "CartEmpty", "PaymentNotFound", "PaymentConflict",
                  "PaymentForbidden", "PaymentUnavailable", "RefundInvalid", "ProviderError", "BuyerLimitReached",
                  "OrderPaid", "IdempotencyKeyReused", "InvisibleCharacters")
TEMPLATE_FILE = LOCALES_DIR / f"{DOMAIN}.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract_and_update() -> None:
    """Extract every `_()`/`gettext`/`ngettext` string of every package and merge it into each locale's .po."""
    _pybabel("extract", "-F", str(Path(__file__).parent / "babel.cfg"), "-k", "_", "-k", "gettext",
             "-k", "ngettext:1,2", "-k", "N_", *(arg for name in ERROR_KEYWORDS for arg in ("-k", f"{name}:1")),
             "--no-location", "--sort-output", "--project", "ninh-thuan-marketplace",
             "-o", str(TEMPLATE_FILE), *(str(ROOT / package) for package in PACKAGES))
    for locale in SUPPORTED_LOCALES:
        po_file = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_file.exists():
            _pybabel("update", "-i", str(TEMPLATE_FILE), "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", locale,
                     "--no-fuzzy-matching")
        else:
            _pybabel("init", "-i", str(TEMPLATE_FILE), "-d", str(LOCALES_DIR), "-D", DOMAIN, "-l", locale)


def compile_catalogs() -> None:
    """Compile every .po into its .mo (the service also compiles in memory when a .mo is missing)."""
    _pybabel("compile", "-d", str(LOCALES_DIR), "-D", DOMAIN, "--statistics")


def untranslated_messages() -> list[tuple[str, str]]:
    """(locale, msgid) of every message without a translation, or marked fuzzy, outside the English source."""
    missing: list[tuple[str, str]] = []
    for locale in SUPPORTED_LOCALES:
        if locale == "en":
            continue  # the English catalog is the source: its msgstr stay empty
        with open(LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po_file:
            catalog = read_po(po_file)
        for message in catalog:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and (message.fuzzy or not all(strings)):
                missing.append((locale, str(message.id if isinstance(message.id, str) else message.id[0])))
    return missing
