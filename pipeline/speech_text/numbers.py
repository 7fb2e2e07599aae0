"""Numbers as written in a locale, and as the rules hand them to the voice.

Numbers stay digits wherever the voice reads them right (espeak-ng reads plain numbers in
every language here): a rule rewrites a number only where it must, e.g. thousands grouped
with spaces (espeak reads "1 000" as three numbers), a decimal mark the voice ignores
(Haitian "2,5" -> "de senk"), or a number that must agree with a feminine unit ("1 hora"
-> "una hora"), where the words come from num2words, never from our own spelling.
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

from pipeline.speech_text.langdata import LangRules
from pipeline.speech_text.lexicon import Lexicon

_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break, thin space


def _charclass(chars: str) -> str:
    out = "".join(re.escape(c) for c in chars if c != " ")
    if " " in chars:
        out += _SPACES
    return f"[{out}]" if out else ""


@lru_cache(maxsize=None)
def number_pattern(rules: LangRules) -> str:
    """A regex (no anchors, no groups named) for one number of the locale: digits grouped
    by thousands or not, with an optional decimal fraction."""
    group = _charclass(rules.group_marks if rules.space_groups or " " not in
                       rules.group_marks else rules.group_marks.replace(" ", ""))
    decimal = _charclass(rules.decimal_marks)
    integer = rf"\d{{1,3}}(?:{group}\d{{3}})+(?!\d)|\d+" if group else r"\d+"
    return rf"(?:{integer})(?:{decimal}\d+)?" if decimal else f"(?:{integer})"


def parse(raw: str, rules: LangRules) -> Fraction | None:
    """The value of a number as written in the locale, or None."""
    text = raw
    for mark in _SPACES:
        text = text.replace(mark, "")
    decimal_at = -1
    for mark in rules.decimal_marks:
        pos = text.rfind(mark)
        # "1.000" in a locale whose "." also groups thousands: a group, not a fraction
        if pos > decimal_at and not (mark in rules.group_marks and len(text) - pos - 1 == 3):
            decimal_at = pos
    integer, fraction = (text[:decimal_at], text[decimal_at + 1:]) if decimal_at >= 0 \
        else (text, "")
    integer = "".join(c for c in integer if c.isdigit())
    if not integer or not fraction.isdigit() and fraction:
        return None
    try:
        whole = int(integer)
        return whole + Fraction(int(fraction), 10 ** len(fraction)) if fraction else \
            Fraction(whole)
    except ValueError:
        return None


def say_number(raw: str, rules: LangRules, lexicon: Lexicon) -> str:
    """A number as the voice should get it: space-grouped thousands joined, a decimal mark
    the voice misreads replaced by the locale's word for it (rule word ``decimal X``)."""
    text = raw
    if rules.space_groups and any(c in raw for c in _SPACES):
        for mark in _SPACES:
            text = text.replace(mark, "")
    for mark in rules.decimal_marks:
        word = lexicon.rule_word(f"decimal {mark}")
        pos = text.rfind(mark)
        if word and pos > 0 and text[pos + 1:].isdigit() and not (
                mark in rules.group_marks and len(text) - pos - 1 == 3):
            return f"{text[:pos]} {word} {text[pos + 1:]}"
    return text


def plural_count(value: Fraction, fraction: bool, rules: LangRules) -> int:
    """The integer whose plural form a unit takes after ``value`` (see LangRules);
    ``fraction``: written as one ("1/2"), not as a decimal ("0.5 milligrams")."""
    if value.denominator == 1:
        return int(value)
    if fraction and value < 1:
        return rules.fraction_plural_n
    if rules.decimal_plural_n is None:
        return int(value)
    return rules.decimal_plural_n


def agree(raw: str, value: Fraction | None, feminine: bool, rules: LangRules,
          lexicon: Lexicon, before_noun: bool = True) -> str:
    """``raw`` as words that agree with the unit's gender where the voice's own reading
    would not ("1 hora" -> "una", "21 mg" -> "veintiún"), else as say_number gives it.
    A masculine number shortens only right before its noun: "un miligramo", but "uno a
    dos comprimidos" (``before_noun`` False for the first number of a range)."""
    said = say_number(raw, rules, lexicon)
    subs = rules.feminine if feminine else rules.masculine if before_noun else ()
    if not subs or value is None or value.denominator != 1 or not rules.num2words \
            or value > 10 ** 9:
        return said
    from num2words import num2words  # ~180 ms to import: only when a number must agree

    words = num2words(int(value), lang=rules.num2words)
    agreed = words
    for pattern, replacement in subs:
        agreed = re.sub(pattern, replacement, agreed)
    return agreed if agreed != words else said
