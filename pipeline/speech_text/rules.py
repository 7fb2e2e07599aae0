"""The rules: one engine for every language, each rule a pattern and a function that says
what the voice gets for a match (or None: leave it alone). Patterns are built from the
language's structural data (langdata) and its lexicon, once per lexicon.

Rules run in priority order and a later rule never touches text an earlier one claimed:
a phone number is read digit by digit before any range rule sees "800-821"; a blood
pressure "130/80 mm Hg" before the unit rule sees "80 mm Hg"; "Stage IV" before the
acronym "IV". Only clear patterns are expanded; anything else is left to espeak-ng.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Optional

from pipeline.speech_text.langdata import LangRules
from pipeline.speech_text.lexicon import LexEntry, Lexicon
from pipeline.speech_text.numbers import (_SPACES, agree, number_pattern, parse,
                                          plural_count, say_number)


@dataclass(frozen=True)
class Context:
    """What a handler may look at: the sentence, the language data and the lexicon."""

    text: str
    rules: LangRules
    lexicon: Lexicon
    units: dict  # spaceless written form -> unit entry
    words: dict  # spaceless written form -> abbreviation / acronym / term entry


Handler = Callable[[re.Match, Context], Optional[str]]


@dataclass(frozen=True)
class Rule:
    """A pattern, the handler that says a match, and its name (shown on review pages)."""

    name: str
    pattern: re.Pattern
    handler: Handler
    group: str | int = 0  # the part of the match that is replaced


_SP = f"[{_SPACES}]"
_DASH = "[-\u2010\u2011\u2013\u2014]"  # hyphen, non-breaking hyphen, en and em dash
# Letters of alphabets that separate words with spaces (Latin with Vietnamese, Greek,
# Cyrillic) and digits: a number or a Latin unit touching one is part of a word. CJK
# characters are not in it: "服用10mg。" has a number and a unit.
_L = "0-9A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff"
_NOT_BEFORE_NUM = rf"(?<![{_L}\d.,\u066b])(?<!\d/)"  # not inside a word, number, fraction
_NOT_AFTER_NUM = rf"(?![{_L}\d]|[.,\u066b]\d)"
_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
_AMPM_AFTER = re.compile(r"\s?[aApP]\.?\s?[mM]\.?(?!\w)")


def key(written: str) -> str:
    return re.sub(r"\s", "", written)


# Where a written form may start and end: a form ending in a Latin-like letter or digit must
# not run on into another one (a Latin "mg" may touch a Chinese character); one ending in
# another script's letter (Arabic) must not touch any letter; one ending in a mark ("%",
# "ст.") may touch anything. One lookaround after the whole alternation, not one per form:
# that keeps compiling a lexicon's patterns in milliseconds, and the regex engine still
# backtracks to a shorter form when the longer one would run on.
_TAIL = rf"(?:(?<=[{_L}])(?![{_L}])|(?<=[^\W{_L}])(?!\w)|(?<!\w))"
_HEAD = rf"(?:(?=[{_L}])(?<![{_L}])|(?=[^\W{_L}])(?<!\w)|(?=\W))"


def _literal(written: str) -> str:
    """A written form as a pattern: spaces inside may be absent or any space ("mm Hg",
    "mmHg"; "p. ej.", "p.ej.")."""
    return f"{_SP}?".join(re.escape(part) for part in written.split())


def _alternation(forms, head: bool = True) -> str:
    """One pattern for many written forms, longest first ("mmHg" before "mm"), each a
    whole word (or, without ``head``, only ending one: a unit may follow its number
    directly, "10mg")."""
    forms = sorted(set(forms), key=lambda f: (-len(f), f))
    if not forms:
        return r"(?!x)x"
    return f"{_HEAD if head else ''}(?:{'|'.join(map(_literal, forms))}){_TAIL}"


# --- numbers read digit by digit --------------------------------------------------------

_PHONE = re.compile(
    rf"(?<![{_L}\d+])(?:"
    r"\+\d{1,3}(?:[ .-]\(?\d{1,4}\)?){2,5}"  # +33 1 23 45 67 89
    r"|1[-. ]\d{3}[-. ]\d{3}[-. ]\d{4}"  # 1-800-821-2285
    r"|\(\d{3}\)\s?\d{3}[-. ]\d{4}"  # (800) 821-2285
    r"|\d{3}-\d{3}-\d{4}"  # 800-821-2285
    r"|8\s?\(\d{3}\)\s?\d{3}-\d{2}-\d{2}"  # 8 (800) 555-35-35
    rf")(?![{_L}\d]|[-.]\d)")


def _digits(digits: str, rules: LangRules) -> str:
    words = dict(rules.digit_words)
    return " ".join(words.get(d, d) for d in digits)


def phone(m: re.Match, ctx: Context) -> str | None:
    groups = re.findall(r"\d+", m.group())
    if sum(len(g) for g in groups) < 7:
        return None
    said = ", ".join(_digits(g, ctx.rules) for g in groups)
    return ("+" + said) if m.group().startswith("+") else said


def emergency(m: re.Match, ctx: Context) -> str | None:
    rules = ctx.rules
    if m.group() not in rules.emergency and not any(
            cue in ctx.text.lower() for cue in rules.emergency_cues):
        return None  # "112 patients", "共有120名": a number, not a call
    if _unit_after(ctx, m.end()):  # "112 mg" is a dose
        return None
    return _digits(m.group(), rules)


def _unit_after(ctx: Context, pos: int) -> bool:
    return bool(_unit_start(ctx.lexicon).match(ctx.text, pos))


@lru_cache(maxsize=64)
def _unit_start(lexicon: Lexicon) -> re.Pattern:
    units = [w for e in lexicon.of_kind("unit") for w in e.written_forms
             if not w.startswith("/")]
    return re.compile(f"{_SP}?(?:{_alternation(units, head=False)}|%)")


# --- numbers with units, ratios, ranges -------------------------------------------------

_MIXED = re.compile(rf"(\d+){_SP}+(\d+)/(\d+)")


def _number_value(raw: str, ctx: Context) -> tuple[Fraction | None, str | None]:
    """(value, spoken) for a number, a fraction term ("1/2" -> "one half") or a whole
    number and a fraction ("1 1/2" -> "1 and one half", with the rule word "and")."""
    mixed = _MIXED.fullmatch(raw)
    whole, fraction = (mixed.group(1), raw[mixed.start(2):]) if mixed else ("", raw)
    term = ctx.words.get(fraction)
    if term is None or not re.fullmatch(r"\d+/\d+", fraction):
        return parse(raw, ctx.rules), None
    top, bottom = (int(n) for n in fraction.split("/"))
    value = Fraction(top, bottom) if bottom else None
    if not whole:
        return value, term.forms[0]
    word = ctx.lexicon.rule_word("and")
    if not word or value is None:
        return None, None
    return int(whole) + value, f"{whole} {word} {term.forms[0]}"


def _count_words(raw: str, ctx: Context, entry: LexEntry | None, before_noun: bool = True
                 ) -> tuple[str, Fraction | None]:
    """(spoken, value) of a number; with a unit ``entry``, in agreement with its gender."""
    value, spoken = _number_value(raw, ctx)
    if spoken is not None:
        return spoken, value
    if entry is None:
        return say_number(raw, ctx.rules, ctx.lexicon), value
    feminine = "feminine" in entry.flags
    return agree(raw, value, feminine, ctx.rules, ctx.lexicon, before_noun), value


def _numbers(m: re.Match, ctx: Context, entry: LexEntry | None
             ) -> tuple[str, Fraction | None] | None:
    """The spoken number or range of a match with groups ``a`` and optional ``b``, and the
    value that the unit after it agrees with (the last one)."""
    said_a, value = _count_words(m.group("a"), ctx, entry, m.group("b") is None)
    if m.group("b") is None:
        return said_a, value
    first = value
    said_b, value = _count_words(m.group("b"), ctx, entry)
    if first is None or value is None or first >= value:
        return None  # not an ascending range: not sure what it is
    word = ctx.lexicon.rule_word("range")
    return (f"{said_a} {word} {said_b}" if word else f"{said_a}-{said_b}"), value


def with_unit(m: re.Match, ctx: Context) -> str | None:
    entry = ctx.units.get(key(m.group("u")))
    if entry is None:
        return None
    numbers = _numbers(m, ctx, entry)
    if numbers is None or numbers[1] is None:
        return None
    said_number, value = numbers
    fraction = m.group("b") is None and m.group("a") in ctx.words  # "1/2 tsp", not "1 1/2"
    form = ctx.lexicon.form(entry, plural_count(value, fraction, ctx.rules))
    said = form.replace("{n}", said_number) if "{n}" in form else f"{said_number} {form}"
    for denominator in re.findall(r"/\s?([^/]+?)\s*(?=/|$)", m.group("per") or ""):
        per = _per(denominator, ctx)
        if per is None:
            return None
        said += " " + per
    return said


def _per(denominator: str, ctx: Context) -> str | None:
    """ "/day" -> "per day": a denominator entry, else the per word and the unit's first
    form ("/kg" -> "per kilogram")."""
    own = ctx.units.get("/" + key(denominator))
    if own is not None:
        return own.forms[0]
    unit = ctx.units.get(key(denominator))
    word = ctx.lexicon.rule_word("per")
    if unit is None or not word:
        return None
    return f"{word} {unit.forms[0].replace('{n}', '').strip()}"


def ratio(m: re.Match, ctx: Context) -> str | None:
    word = ctx.lexicon.rule_word("ratio")
    high, low = int(m.group("a")), int(m.group("b"))
    if not word:
        return None
    said = f"{m.group('a')} {word} {m.group('b')}"
    if m.group("u"):
        entry = ctx.units.get(key(m.group("u")))
        if entry is None:
            return None
        form = ctx.lexicon.form(entry, low)
        return form.replace("{n}", said) if "{n}" in form else f"{said} {form}"
    # Without a unit only what can only be a blood pressure (not a date, not a score)
    return said if 70 <= high <= 250 and 30 <= low <= 150 and high > low else None


def number_range(m: re.Match, ctx: Context) -> str | None:
    if not ctx.lexicon.rule_word("range"):
        return None
    if re.fullmatch(r"\d{3}", m.group("a")) and re.fullmatch(r"\d{4}", m.group("b")):
        return None  # "555-1234" is a phone number more often than a range
    numbers = _numbers(m, ctx, None)
    return numbers[0] if numbers else None


def clock(m: re.Match, ctx: Context) -> str | None:
    """ "8:00" -> "8 o'clock" (the voice says "eight zero zero"); "8:00 a.m." -> "8 a.m."."""
    hour = int(m.group("h"))
    if hour > 24:
        return None
    if _AMPM_AFTER.match(ctx.text, m.end()):
        return m.group("h")
    lexicon = ctx.lexicon
    word = (lexicon.rule_word("hours") if hour > 12 else "") or lexicon.rule_word("o'clock")
    if word:
        return f"{m.group('h')} {word}"
    unit = ctx.units.get(ctx.rules.clock_unit) if ctx.rules.clock_unit else None
    if unit is not None:
        said = agree(m.group("h"), Fraction(hour), "feminine" in unit.flags, ctx.rules,
                     lexicon)
        return f"{said} {lexicon.form(unit, hour)}"
    return m.group("h") if ctx.rules.bare_hour else None


def spaced_thousands(m: re.Match, ctx: Context) -> str | None:
    return say_number(m.group(), ctx.rules, ctx.lexicon)


def decimal_word(m: re.Match, ctx: Context) -> str | None:
    return say_number(m.group(), ctx.rules, ctx.lexicon)


def roman(m: re.Match, ctx: Context) -> str | None:
    numeral = m.group("r")
    if not _ROMAN.fullmatch(numeral):
        return None
    values = [_ROMAN_VALUES[c] for c in numeral]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v
                for i, v in enumerate(values))
    return str(total)


def word(m: re.Match, ctx: Context) -> str | None:
    entry = ctx.words.get(key(m.group()))
    if entry is None:
        return None
    return entry.forms[0]


# --- the rule list ----------------------------------------------------------------------

def compile_rules(lexicon: Lexicon, rules: LangRules) -> tuple[tuple[Rule, ...], Context]:
    """The rules for a lexicon and language, in priority order, and the lookup tables."""
    unit_forms = [(w, e) for e in lexicon.of_kind("unit") for w in e.written_forms]
    units = {key(written): entry for written, entry in unit_forms}
    forms = _word_forms(lexicon)
    words = {key(written): entry for written, entry in forms}
    context = Context("", rules, lexicon, units, words)
    found = _number_rules(rules, [w for w, _ in unit_forms], forms)
    found += _roman_rules(rules)
    found.append(Rule("lexicon", re.compile(_word_pattern(forms)), word))
    if rules.space_groups:
        found.append(Rule("thousands", re.compile(
            rf"{_NOT_BEFORE_NUM}\d{{1,3}}(?:[{_SPACES}]\d{{3}})+{_NOT_AFTER_NUM}"),
            spaced_thousands))
    marks = "".join(m for m in rules.decimal_marks if lexicon.rule_word(f"decimal {m}"))
    if marks:
        found.append(Rule("decimal", re.compile(
            rf"{_NOT_BEFORE_NUM}\d+[{re.escape(marks)}]\d+{_NOT_AFTER_NUM}"), decimal_word))
    return tuple(found), context


def _number_rules(rules: LangRules, unit_written: list[str],
                  forms: list[tuple[str, LexEntry]]) -> list[Rule]:
    num = number_pattern(rules)
    unit_forms = [w for w in unit_written if not w.startswith("/")]
    per_alt = _alternation(unit_forms + [w[1:] for w in unit_written if w.startswith("/")],
                           False)
    unit_alt = _alternation(unit_forms, False)
    fractions = [w for w, _ in forms if re.fullmatch(r"\d+/\d+", w)]
    first = f"(?:(?:\\d+{_SP})?{_alternation(fractions)}|{num})" if fractions else num
    found = [
        Rule("phone", _PHONE, phone),
        Rule("ratio", re.compile(
            rf"{_NOT_BEFORE_NUM}(?P<a>\d{{2,3}}){_SP}?/{_SP}?(?P<b>\d{{2,3}})"
            rf"(?![\d/]|[.,]\d)(?:{_SP}?(?P<u>{unit_alt}))?"), ratio),
        Rule("unit", re.compile(
            rf"{_NOT_BEFORE_NUM}(?<!\d{_DASH})(?P<a>{first})(?:{_SP}?{_DASH}{_SP}?"
            rf"(?P<b>{num}))?{_SP}?(?P<u>{unit_alt})"
            rf"(?P<per>(?:{_SP}?/{_SP}?(?:{per_alt}))*)"), with_unit),
        Rule("clock", re.compile(
            rf"(?<![{_L}\d.,:])(?P<h>\d{{1,2}}):00(?![\d:])"), clock),
        Rule("range", re.compile(
            rf"{_NOT_BEFORE_NUM}(?<!\d{_DASH})(?P<a>{num}){_SP}?{_DASH}{_SP}?(?P<b>{num})"
            rf"(?![{_L}\d]|[.,]\d|{_SP}?[-–—/:]{_SP}?\d)"), number_range),
    ]
    numbers = rules.emergency + rules.emergency_cued
    if numbers:
        found.insert(1, Rule("emergency", re.compile(
            rf"(?<![{_L}\d.,/+-])(?:{'|'.join(map(re.escape, numbers))})"
            rf"(?![{_L}\d]|[.,:/-]?\d)"), emergency))
    return found


def _word_forms(lexicon: Lexicon) -> list[tuple[str, LexEntry]]:
    """(written form, entry) of abbreviations, acronyms and terms, with the capitalised
    form of a long abbreviation ("Aprox." at a sentence start)."""
    forms = []
    for entry in lexicon.of_kind("abbreviation", "acronym", "term"):
        forms.append((entry.written, entry))
        capital = entry.written[:1].upper() + entry.written[1:]
        if entry.kind == "abbreviation" and capital != entry.written and \
                re.fullmatch(r"\w{3,}\.", entry.written):
            forms.append((capital, entry))
    return forms


def _roman_rules(rules: LangRules) -> list[Rule]:
    """ "Phase II" -> "Phase 2": only after (or, in CJK, before) a listed word, where a
    Roman numeral is certain; a lone "IV" is an acronym far more often."""
    found = []
    spaced = [t for t in rules.roman_after if re.match(f"[{_L}]|[\u0600-\u06ff]", t)]
    tight = [t for t in rules.roman_after if t not in spaced]  # "第II"
    # I, V and X only: "Part D", "Type C" and "Class M" are letters, and stages, types
    # and phases are small numbers.
    numeral = rf"(?P<r>[IVX]+)(?![{_L}])"
    for triggers, gap in ((spaced, _SP), (tight, f"{_SP}?")):
        if triggers:
            alternation = "|".join(re.escape(t) for t in sorted(triggers, key=len,
                                                                 reverse=True))
            found.append(Rule("roman", re.compile(
                rf"(?i:(?<!\w)(?:{alternation})){gap}{numeral}"), roman, "r"))
    if rules.roman_before:
        triggers = "|".join(map(re.escape, rules.roman_before))
        found.append(Rule("roman", re.compile(
            rf"(?<![{_L}])(?P<r>[IVX]+){_SP}?(?={triggers})"), roman, "r"))
    return found


def _word_pattern(forms: list[tuple[str, LexEntry]]) -> str:
    """Abbreviations, acronyms and terms; ``before-number`` entries only where a number
    follows; numeric terms ("1/2") never inside a longer number."""
    numeric = [w for w, _ in forms if re.match(r"\d", w)]
    before_number = [w for w, e in forms if "before-number" in e.flags and w not in numeric]
    plain = [w for w, e in forms if w not in numeric and w not in before_number]
    patterns = []
    if before_number:  # first: "p. 12" is "page 12", but "p. m." (plain) is no number
        patterns.append(rf"{_alternation(before_number)}(?={_SP}?\d)")
    if plain:
        patterns.append(_alternation(plain))
    if numeric:
        numbers = "|".join(map(_literal, sorted(set(numeric), key=lambda f: (-len(f), f))))
        # not after a whole number: "1 1/2" alone is left to the voice (with a unit the
        # unit rule says it: "1 and one half teaspoons")
        patterns.append(rf"(?<![\d.,/])(?<!\d{_SP})(?:{numbers})(?![\d/]|[.,]\d)")
    return "|".join(patterns) or r"(?!x)x"
