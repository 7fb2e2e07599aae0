"""Warnings for places espeak-ng will probably misread and no rule or lexicon entry covers.

Each is a hint for the translator who owns the lexicon: add the acronym, unit or term to
``locales/<ll>/speech.po``, or reword. The caller turns them into ``[speech]`` Issues at the
catalog line of the string. Only what normalize() leaves as written is checked.
"""
from __future__ import annotations

import re

from pipeline.speech_text.engine import normalize
from pipeline.speech_text.lexicon import Lexicon
from pipeline.speech_text.model import Misreading
from pipeline.speech_text.rules import _L, _ROMAN

CODE = "speech"
KINDS = ("roman", "acronym", "unit", "slash")
# Two or more capitals (Latin, Greek, Cyrillic), maybe with digits ("COVID19"), a whole word.
_CAPS = re.compile(r"(?<![\w])(?=\w*[A-ZÀ-ÞΑ-ΩА-ЯЁ]{2})[A-ZÀ-ÞΑ-ΩА-ЯЁ0-9]{2,}(?![\w])")
# A number then a short token that looks like a unit: no vowel ("mg", "wks"), a capital
# after the first letter ("mEq", "dL") or a micro sign ("µg").
_NUMBER_UNIT = re.compile(r"\d[\u00a0\u202f ]?(?P<u>[^\W\d_]{1,5})(?![\w])")
_VOWELS = set("aeiouyAEIOUYаеёиоуыэюяАЕЁИОУЫЭЮЯ")
_ALPHABETIC = re.compile(f"[{_L}µμ]+")
_SLASH = re.compile(r"[^\W\d_]+/[^\W\d_]+")
# Only I, V and X: "MC", "CD" or "DC" are far more often initials or acronyms.
_ROMAN_WORD = re.compile(r"(?<![\w])[IVX]{2,}(?![\w])")


def misreadings(text: str, lang: str, lexicon: Lexicon) -> list[Misreading]:
    """``[(span, message)]`` for ``text`` (a sentence or a whole string) in ``lang``."""
    return [found for _, found in misreadings_by_kind(text, lang, lexicon)]


def misreadings_by_kind(text: str, lang: str, lexicon: Lexicon
                        ) -> list[tuple[str, Misreading]]:
    """``misreadings`` with the kind of each (one of ``KINDS``), in text order: callers
    that must not flood (``[speech]`` warnings) report one of each kind per string."""
    try:
        covered = [c.display for c in normalize(text, lang, lexicon).changes]
    except Exception:  # normalize never raises; this is for belts and braces
        return []
    found: dict[tuple[int, int], tuple[str, str]] = {}

    def note(span: tuple[int, int], message: str, kind: str) -> None:
        if not any(s < span[1] and span[0] < e for s, e in covered) and span not in found:
            found[span] = (kind, message)

    for match in _ROMAN_WORD.finditer(text):
        if _ROMAN.fullmatch(match.group()):
            note(match.span(), f"'{match.group()}' may be read as a Roman numeral; if it is "
                 "one, write the number, or add the word before it to the Roman rule; if "
                 "not, add it to the speech lexicon as an acronym", "roman")
    for match in () if _mostly_capitals(text) else _CAPS.finditer(text):
        if lexicon.get("acronym", match.group()) is None:
            note(match.span(), f"'{match.group()}' (capitals) is not in the speech lexicon: "
                 "the voice may spell it or read it as a word; add it as an acronym",
                 "acronym")
    for match in _NUMBER_UNIT.finditer(text):
        unit = match.group("u")
        if _unit_like(unit) and lexicon.get("unit", unit) is None:
            note(match.span("u"), f"'{unit}' after a number looks like a unit the speech "
                 "lexicon does not know; add it as a unit", "unit")
    for match in _SLASH.finditer(text):
        note(match.span(), f"'{match.group()}': the voice says the slash ('slash', "
             "'barra'); add a term to the speech lexicon or reword", "slash")
    return [(kind, Misreading(span, message))
            for span, (kind, message) in sorted(found.items())]


def _mostly_capitals(text: str) -> bool:
    """A string written in capitals ("TAKE WITH FOOD", a heading in caps): its words are
    words, which espeak-ng reads as such, not acronyms. Without this, the benchmark's corpus
    in capitals gave 47,168 warnings, and replaying them made a rebuild 1 s slower."""
    cased = [c for c in text if c.isupper() or c.islower()]
    upper = sum(c.isupper() for c in cased)
    if len(cased) >= 12 and upper > 0.6 * len(cased):
        return True
    # a short one all in capitals: words ("SKIN CARE", "REFERENCES"), not one acronym
    return bool(cased) and upper == len(cased) and (len(text.split()) > 1 or upper > 6)


def _unit_like(token: str) -> bool:
    """Only in alphabets with vowel letters: an Arabic word or a CJK classifier after a
    number ("10 مرات", "10个") has no Latin vowel and is no unit."""
    if not _ALPHABETIC.fullmatch(token):
        return False
    return ("µ" in token or "μ" in token or not any(c in _VOWELS for c in token)
            or any(c.isupper() for c in token[1:]))
