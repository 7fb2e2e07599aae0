"""Numbers in running text, read the way a reader of that language reads them.

"1,000" is a thousand in English and one in Spanish; "2.5" is two and a half in English and
(strictly) a malformed grouping in Spanish, where "2,5" is the form. Each number is parsed with
its locale's own decimal and group marks (Babel's CLDR symbols), so a changed dose cannot hide
behind a separator, and the digits of any script count by their value (٢٫٥ is 2.5).

The unit written right after a number ("mg", "мг", "毫克", "ملغ") is kept with it, so that
doses swapped between two times of day are found even though every value is still present.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Marks that are a decimal or a group mark whatever the locale: Arabic decimal and thousands
# separators, and the spaces CLDR uses for grouping (no-break, narrow no-break, thin).
_ALWAYS_DECIMAL = "\u066b"
_ALWAYS_GROUP = "\u066c\u00a0\u202f\u2009"
_SEPARATORS = ".,'\u2019" + _ALWAYS_DECIMAL + _ALWAYS_GROUP
TOKEN = re.compile(rf"\d+(?:[{re.escape(_SEPARATORS)}]\d+)*")
# Where CLDR groups with a space (ru, fr, ht...), people type an ordinary space: "1 000".
_SPACED_TOKEN = re.compile(rf"\d+(?:[ {re.escape(_SEPARATORS)}]\d+)*")

# Units written the same way, or with a fixed translation, in the project's languages. A unit
# missing here only means its numbers are compared as unit-less ones (see compare()).
UNITS = {
    "mg": ("mg", "мг", "毫克", "ملغ", "مغ", "ملجم", "مجم", "ملليغرام", "مليغرام"),
    "mcg": ("mcg", "µg", "μg", "мкг", "微克", "مكغ", "ميكروغرام"),
    "g": ("g", "г", "克", "غ", "غرام", "جم"),
    "kg": ("kg", "кг", "公斤", "千克", "كغ", "كجم", "كيلوغرام"),
    "ml": ("ml", "mL", "мл", "毫升", "مل", "ملل", "ميليلتر", "مليلتر"),
    "l": ("l", "L", "л", "升", "لتر"),
    "%": ("%", "٪", "％", "pour cent"),
    "IU": ("IU", "UI", "МЕ", "国际单位"),
    "mmol": ("mmol", "ммоль", "毫摩尔", "مليمول"),
    "mmHg": ("mmHg", "мм рт. ст.", "毫米汞柱", "ملم زئبق"),
    "°C": ("°C", "℃", "° C"),
    "°F": ("°F", "℉", "° F"),
    "cm": ("cm", "см", "厘米", "سم"),
    "mm": ("mm", "мм", "毫米", "مم"),
    "kcal": ("kcal", "ккал", "千卡", "سعرة"),
}
_ALIAS = {alias: unit for unit, aliases in UNITS.items() for alias in aliases}


def _alias_pattern(alias: str) -> str:
    # A word-like unit must end at a word boundary ("g" is not the start of "gotas"); CJK
    # units are written without spaces, so any character may follow them.
    cjk = any("\u2e80" <= c <= "\u9fff" for c in alias)
    return re.escape(alias) + ("" if cjk or not alias[-1].isalpha() else r"(?![^\W\d_])")


_UNIT_AFTER = re.compile(r"[ \u00a0\u202f\u2009]?(" + "|".join(
    _alias_pattern(a) for a in sorted(_ALIAS, key=len, reverse=True)) + ")")


@dataclass(frozen=True)
class Number:
    text: str  # as written
    value: str  # canonical decimal, e.g. "2.5", "1000"
    unit: str  # canonical unit ("mg"), or "" when none follows
    start: int
    end: int  # end of the number, before its unit

    def shown(self) -> str:
        """As written, with the value when separators make it ambiguous: "1,000 (= 1)"."""
        plain = _ascii_digits(self.text)
        return self.text if plain.isdigit() or plain == self.value else \
            f"{self.text} (= {self.value})"


@lru_cache(maxsize=None)
def marks(locale: str) -> tuple[str, str]:
    """(decimal, group) marks of a locale's Latin digits in CLDR, e.g. (",", ".") for es."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        loc = Locale.parse(locale.partition("@")[0] or "en")
    except (UnknownLocaleError, ValueError):
        return ".", ","
    return get_decimal_symbol(loc), get_group_symbol(loc)


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def _canonical(value: Decimal) -> str:
    """"2.50" and "2.5" are one value; "1E+3" is written "1000"."""
    return format(value.normalize(), "f")


def _interpret(token: str, decimal: str, group: str) -> str | None:
    """The value of ``token`` when its separators form a valid number with these marks
    (groups of three after the first), else None."""
    parts = re.split(rf"([ {re.escape(_SEPARATORS)}])", token)
    groups, seps = parts[0::2], parts[1::2]
    roles = []
    for sep in seps:
        if sep in decimal + _ALWAYS_DECIMAL:
            roles.append("d")
        elif sep in group + _ALWAYS_GROUP or (sep == " " and group in _ALWAYS_GROUP):
            roles.append("g")
        else:
            return None
    if roles.count("d") > 1 or ("d" in roles and roles[-1] != "d"):
        return None
    whole = groups[: len(groups) - roles.count("d")]
    if len(whole) > 1 and (len(whole[0]) > 3 or any(len(g) != 3 for g in whole[1:])):
        return None
    number = "".join(whole) + ("." + groups[-1] if "d" in roles else "")
    try:
        return _canonical(Decimal(number))
    except InvalidOperation:
        return None


def values_of(token: str, locale: str) -> list[str]:
    """The number(s) a token stands for in ``locale``: its own marks first; then the other
    convention ("2.5" in a Spanish text is 2.5, not a malformed 25: a group has 3 digits);
    else each run of digits on its own (a date "12.05.2024", a version "1.2.3")."""
    plain = _ascii_digits(token)
    decimal, group = marks(locale)
    other = (",", ".") if decimal == "." else (".", ",")
    for marks_ in ((decimal, group), other):
        value = _interpret(plain, *marks_)
        if value is not None:
            return [value]
    return [_canonical(Decimal(run)) for run in re.findall(r"\d+", plain)]


def numbers_in(plain: str, locale: str) -> list[Number]:
    """Every number of a plain text (no tags), in reading order, with its unit."""
    found = []
    token = _SPACED_TOKEN if marks(locale)[1] in _ALWAYS_GROUP else TOKEN
    for m in token.finditer(plain):
        unit = ""
        if u := _UNIT_AFTER.match(plain, m.end()):
            unit = _ALIAS[u.group(1)]
        values = values_of(m.group(0), locale)
        if len(values) == 1:
            found.append(Number(m.group(0), values[0], unit, m.start(), m.end()))
            continue
        runs = list(re.finditer(r"\d+", m.group(0)))
        for n, (run, value) in enumerate(zip(runs, values)):
            found.append(Number(run.group(0), value, unit if n == len(runs) - 1 else "",
                                m.start() + run.start(), m.start() + run.end()))
    return found


def number_spans(plain: str) -> list[tuple[int, int]]:
    """Where numbers stand, with a sign before them, ranges and ratios between them ("1-2",
    "5/10"), and their unit or percent sign after them: what a bidi control must not touch."""
    spans: list[list[int]] = []
    for m in TOKEN.finditer(plain):
        start, end = m.start(), m.end()
        if start and plain[start - 1] in "-+\u2212\u00b1":
            start -= 1
        if u := _UNIT_AFTER.match(plain, end):
            end = u.end()
        if spans and re.fullmatch(r"\s*[-\u2013\u2014/:\u00d7x~]\s*|",
                                  plain[spans[-1][1]:start]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [(s, e) for s, e in spans]


def compare(source: list[Number], target: list[Number]) -> list[tuple[str, str]]:
    """(code, message) for each way ``target``'s numbers differ from ``source``'s.

    Word order differs between languages ("take 2 tablets 3 times a day" is "每天3次，每次2片"
    in Chinese), so the numbers of a correct translation may come in another order. Decision:
    - a value missing or added is a ``numbers`` error (by value, read in each locale);
    - a number with a unit in the source ("20 mg") is paired with the same value in the
      translation (with the same unit when there is one); the pair is a ``numbers`` error when
      the translation gives it another known unit ("10 mg and 5 ml" -> "10 ml and 5 mg"), or
      when numbers of the same unit change order ("20 mg morning, 10 mg night" ->
      "10 mg ..., 20 mg ..." swaps the doses, though every value is still there). The order
      holds even when the translation writes the unit as a word ("miligramos"). A correct
      sentence that names two doses of one unit the other way round is reported too: a dose
      must never change silently, and the reviewer can reword or accept it;
    - numbers without a unit may change order only with a ``number-order`` warning: the
      translator or reviewer sees it and checks each still goes with its word.
    """
    if sorted(n.value for n in source) != sorted(n.value for n in target):
        return [("numbers", _missing_extra(source, target))]
    pool, pairs = list(target), []
    for number in (n for n in source if n.unit):
        same = [n for n in pool if n.value == number.value]
        match = next((n for n in same if n.unit == number.unit), same[0])
        pool.remove(match)
        pairs.append((number, match))
    problems = []
    moved = [(s, t) for s, t in pairs if t.unit and t.unit != s.unit]
    if moved:
        problems.append(("numbers", "units differ from the source: " + ", ".join(
            f"{s.shown()} {s.unit} is {t.shown()} {t.unit} here" for s, t in moved)))
    for unit in dict.fromkeys(s.unit for s, _ in pairs):
        mine = [(s, t) for s, t in pairs if s.unit == unit]
        after = sorted(mine, key=lambda pair: pair[1].start)
        if [s for s, _ in after] != [s for s, _ in mine]:
            problems.append(("numbers", f"the amounts in {unit} come in another order than "
                             f"in the source (source: {_list([s for s, _ in mine])}; here: "
                             f"{_list([t for _, t in after])})"))
    rest_src = [n.value for n in source if not n.unit]
    rest_dst = [n.value for n in pool]
    if not problems and rest_src != rest_dst:
        problems.append(("number-order", "numbers come in another order than in the source "
                         f"(source: {_list([n for n in source if not n.unit])}; here: "
                         f"{_list(pool)}); check each still goes with the same words"))
    return problems


def _list(numbers: list[Number]) -> str:
    return ", ".join(n.shown() for n in numbers) or "none"


def _missing_extra(source: list[Number], target: list[Number]) -> str:
    missing, extra = list(source), []
    for number in target:
        match = next((n for n in missing if n.value == number.value), None)
        if match is None:
            extra.append(number)
        else:
            missing.remove(match)
    detail = "; ".join(filter(None, [
        f"missing {_list(missing)}" if missing else "",
        f"not in the source {_list(extra)}" if extra else ""]))
    return f"numbers differ from the source ({detail})"
