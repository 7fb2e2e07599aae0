"""Locale facts: gettext codes in paths, BCP 47 tags in HTML, direction, names and plurals.

Babel's CLDR data answers most questions; the overrides below keep tags Babel would rewrite
(it maps ``tl`` to Filipino) and describe the test-only pseudo-locale. Plural rules come from
the project's pinned table (plurals.py), Babel's only for a language the table lacks.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

from pipeline.plurals import plural_forms_for

PSEUDO = "en@pseudo"

# Names in the language's own script where Babel's differs from what speakers call it.
_NATIVE_NAMES = {"tl": "Tagalog", PSEUDO: "PSEUDO ENGLISH"}
_ENGLISH_NAMES = {"tl": "Tagalog", PSEUDO: "Pseudo-English (test)"}


@dataclass(frozen=True)
class LocaleInfo:
    code: str  # gettext form, as in locales/<code>/LC_MESSAGES
    tag: str  # BCP 47, as in <html lang> and URLs
    language: str  # primary language subtag
    direction: str  # "ltr" or "rtl"
    native_name: str
    english_name: str
    plural_forms: str

    @property
    def babel_locale(self) -> Locale:
        return _babel_locale(self.code)


def to_tag(code: str) -> str:
    """``zh_Hans`` -> ``zh-Hans``; ``en@pseudo`` -> ``en-x-pseudo``."""
    base, _, modifier = code.partition("@")
    tag = base.replace("_", "-")
    return f"{tag}-x-{modifier}" if modifier else tag


def _babel_locale(code: str) -> Locale:
    base = code.partition("@")[0]
    return Locale.parse(base)


@lru_cache(maxsize=None)
def locale_info(code: str) -> LocaleInfo:
    """Facts about a gettext locale code; raises ValueError for codes CLDR does not know."""
    try:
        loc = _babel_locale(code)
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown locale code '{code}'") from exc
    base = code.partition("@")[0]
    plural = plural_forms_for(code)
    if plural is None:
        try:
            plural = get_plural(base).plural_forms
        except Exception:  # babel knows every CLDR language; keep a safe default otherwise
            plural = "nplurals=2; plural=(n != 1);"
    native = _NATIVE_NAMES.get(code) or loc.get_display_name(loc) or code
    english = _ENGLISH_NAMES.get(code) or loc.get_display_name("en") or code
    return LocaleInfo(
        code=code,
        tag=to_tag(code),
        language=base.split("_")[0],
        direction=loc.text_direction,
        native_name=native[:1].upper() + native[1:],
        english_name=english,
        plural_forms=plural,
    )


def is_valid(code: str) -> bool:
    try:
        locale_info(code)
    except ValueError:
        return False
    return True
