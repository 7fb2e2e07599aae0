"""Checks of form that Translate Toolkit's ``pofilter`` makes and ours lacked: doubled spaces,
a lower-case start where the source starts upper-case (only in scripts with case), and the
``{placeholders}`` of interface text. Each answers messages for ``checks.Checker``, which gives
them their codes and severities."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# Scripts whose letters have an upper and a lower case that sentences use. Georgian is left
# out on purpose: Unicode gives Mkhedruli capitals (Mtavruli), but sentences never start
# with them, and Python calls every Mkhedruli letter lower-case.
CASED_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek", "Armn", "Adlm", "Cher", "Copt", "Dsrt",
                           "Glag", "Osge"})
# Interface placeholders, as the build fills them (str.format); the same as verdict's.
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A run of two or more spaces between two non-space characters (leading and trailing space is
# the whitespace check's); no-break and thin spaces count, line breaks do not.
_DOUBLED = re.compile(r"(?<=\S)[ \u00a0\u2009\u202f]{2,}(?=\S)")
# What comes before the first word: inline tags (<a1>, </em>, <br/>) and placeholders.
_LEAD = re.compile(r"<[^<>]*>|\{[^{}]*\}")
# After these a doubled space is the typewriter's sentence gap, which some sources keep.
_SENTENCE_END = ".!?:;\u3002\u061f\u0964"


@lru_cache(maxsize=None)
def script_has_case(locale: str) -> bool | None:
    """Whether a locale is written in a script with case (CLDR's likely script: ``sr`` is
    Cyrillic, ``zh_Hans`` Han); None when CLDR does not know the locale."""
    try:
        loc = Locale.parse(locale.partition("@")[0])
    except (UnknownLocaleError, ValueError):
        return None
    script = loc.script
    if not script:
        likely = get_global("likely_subtags").get(loc.language, "")
        parts = likely.split("_")
        script = parts[1] if len(parts) > 2 else ""
    return script in CASED_SCRIPTS if script else None


def doubled_spaces(msgid: str, msgstr: str) -> list[str]:
    """A doubled space the source does not have at that place. "That place" is its kind:
    after a sentence's end (a typewriter gap a source may keep, which the translation may
    keep too) or between words; the translation may have as many of each kind as the source."""
    found = _doubled_kinds(msgstr)
    if not found:
        return []
    allowed = Counter(kind for kind, _ in _doubled_kinds(msgid))
    extra = []
    for kind, word in found:
        if allowed[kind] > 0:
            allowed[kind] -= 1
        else:
            extra.append(word)
    if not extra:
        return []
    places = ", ".join(f"'{word}'" for word in extra)
    return [f"doubled space after {places}; the source has a single space there"]


def _doubled_kinds(text: str) -> list[tuple[str, str]]:
    """(kind, the word before it) of each doubled space."""
    if "  " not in text and "\u00a0" not in text and "\u2009" not in text and \
            "\u202f" not in text:
        return []  # the common case, without a regular expression
    found = []
    for m in _DOUBLED.finditer(text):
        before = text[:m.start()].rsplit(None, 1)[-1][-24:]
        found.append(("sentence" if before[-1] in _SENTENCE_END else "word", before))
    return found


def first_letter(text: str) -> str:
    """The first letter of ``text``, past inline tags, placeholders, digits, punctuation
    and symbols ("¿", "(", "1."); "" when it has none."""
    for char in _LEAD.sub("", text) if "<" in text or "{" in text else text:
        if char.isalpha():
            return char
    return ""


def lower_start(msgid: str, msgstr: str, cased: bool | None) -> list[str]:
    """The translation starts with a lower-case letter where the source starts with a
    capital. ``cased``: whether the locale's script has case (None: judge by the letter,
    which is enough when the locale is unknown). Caseless scripts (Arabic, Han...) never."""
    if cased is False:
        return []
    src, dst = first_letter(msgid), first_letter(msgstr)
    if not src or not dst or not (src.isupper() or src.istitle()) or not dst.islower():
        return []
    if cased is None and "GEORGIAN" in unicodedata.name(dst, ""):
        return []
    return [f"the translation starts with lower-case '{dst}' where the source starts "
            f"with a capital ('{src}')"]


def placeholder_problems(msgid: str, msgstr: str) -> list[str]:
    """Each ``{placeholder}`` of interface text that the translation lost or added: the build
    fills them with str.format, where a changed name fails or shows the braces."""
    expected, found = Counter(PLACEHOLDER.findall(msgid)), Counter(PLACEHOLDER.findall(msgstr))
    if expected == found:
        return []
    return ([f"missing placeholder {p}" for p in sorted((expected - found).elements())]
            + [f"unexpected placeholder {p}" for p in sorted((found - expected).elements())])


def brace_format(msgid: str) -> bool:
    """Whether an interface msgid is a Python brace format string with named fields, so its
    template entry gets the ``python-brace-format`` flag (GNU msgfmt --check, Poedit and
    Weblate then check the translations' placeholders too)."""
    return bool(re.search(r"\{[A-Za-z_]\w*\}", msgid))
