"""Translation checks: each has a code and a default severity that ``[checks]`` can change.

An error-severity problem keeps a segment from being published (it falls back to the source);
a warning is shown to translators. The checks guard what patients rely on: doses and numbers,
links, and the required medical terms of a glossary; and, as Translate Toolkit's pofilter does,
the form (checks_style.py: doubled spaces, start capital, interface placeholders). Consistency
across a locale's catalogs needs them all at once: checks_consistency.py, checks_library.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from pipeline.catalogs import decode_po, parse_po
from pipeline.checks_style import (doubled_spaces, lower_start, placeholder_problems,
                                   script_has_case)
from pipeline.config import Config
from pipeline.inline import markup_problems, to_plain
from pipeline.locales import locale_info
from pipeline.model import Issue, Location, Segment, Severity
from pipeline.numbers import compare as compare_numbers, numbers_in
from pipeline.textsafety import (DIRECTION_CHARS, accepted_digits, bidi_controls, control_chars,
                                 foreign_digits, visible)

DEFAULT_SEVERITY = {
    "markup": "error",
    "numbers": "error",
    "urls": "error",
    "unchanged": "warning",
    "whitespace": "warning",
    "punctuation": "warning",
    "length": "warning",
    "glossary": "error",
    "plural-forms": "warning",  # a catalog header, checked by `check` (commands/check.py)
    # Tokens the voice will probably misread (stages/speech_checks.py): never withholds
    # text, whatever the severity; "error" fails the command.
    "speech": "warning",
    # Text safety (textsafety.py, numbers.py):
    "control-chars": "error",  # always an error, whatever [checks] says: see ENFORCED
    "bidi": "warning",  # direction controls away from numbers; at a number: see ENFORCED
    "digits": "error",  # digits of a script the locale's readers and voice do not read
    "number-order": "warning",  # unit-less numbers in another order (numbers.compare)
    # Form (checks_style.py), as Translate Toolkit's pofilter checks it:
    "doubled-space": "warning",
    "start-capital": "warning",  # lower-case start for a capital, in scripts with case
    "placeholders": "error",  # interface {placeholders}; never published changed, see verdict
    # Across a locale's catalogs (checks_consistency.py): `check`, and the build's pass.
    "consistency": "warning",  # one source sentence, two translations
    "terms": "warning",  # a short term (1-4 words) translated two ways, without a glossary
}
# Problems that are errors at any configured severity, as markup is in the build: a control
# character is written raw into HTML and stops the voice, and a direction control at a number
# makes readers see other digits than the source's. Nothing legitimate needs either, so no
# setting may publish them ("control-chars" = "off" still reports them as errors).
ENFORCED = frozenset({"control-chars", "bidi-at-number"})
# East Asian wide and full-width ranges (Hangul, CJK, kana, full-width forms).
_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
                   "\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\"']+[^\s<>()\"'.,;:!?]|[\w.+-]+@[\w-]+\.[\w.-]+\w")
# End punctuation and what counts as the same mark in other scripts.
_END_MARKS = {
    ".": ".。।۔።",
    "?": "?？؟;",
    "!": "!！",
    ":": ":：",
}


@dataclass(frozen=True)
class GlossaryTerm:
    source: str
    required: str
    line: int


def load_glossary(path: Path) -> tuple[GlossaryTerm, ...]:
    """``locales/<ll>/glossary.po``: msgid = source term, msgstr = required translation."""
    if not path.exists():
        return ()
    po = parse_po(decode_po(path.read_bytes()))
    return tuple(GlossaryTerm(e.msgid, e.msgstr, e.linenum) for e in po
                 if e.msgid and e.msgstr and not e.obsolete and "fuzzy" not in e.flags)


def _plain_for_numbers(text: str) -> str:
    """The words, without direction controls: numbers are compared in logical order, and a
    control in a number is the bidi check's to report, not a changed value."""
    return to_plain(text).translate(_NO_BIDI)


_NO_BIDI = dict.fromkeys(map(ord, DIRECTION_CHARS))


def _width(text: str) -> float:
    """Rough visual length: CJK characters carry about two Latin letters of meaning."""
    return len(text) + (0 if text.isascii() else len(_WIDE.findall(text)))


def checker_for(config: Config, locale: str) -> Checker:
    """A locale's checker: the project's severities and the locale's glossary, if any."""
    path = config.locales_dir / locale / "glossary.po"
    return Checker(config.check_severities, load_glossary(path), config.rel(path), locale,
                   config.source_language, config.digit_systems.get(locale))


class Checker:
    """Runs every check on one (source segment, msgstr) pair of a locale. Without a locale,
    numbers are read the English way and any digits are accepted."""

    def __init__(self, severities: Mapping[str, str], glossary: tuple[GlossaryTerm, ...] = (),
                 glossary_rel: str = "", locale: str = "", source_locale: str = "en",
                 digits: tuple[str, ...] | None = None):
        self.severity = {**DEFAULT_SEVERITY, **severities}
        self.glossary = glossary
        self.glossary_rel = glossary_rel
        self.locale = locale
        self.source_locale = source_locale
        self.direction = locale_info(locale).direction if locale else "ltr"
        self.digits = accepted_digits(locale, digits) if locale else None
        self.cased = script_has_case(locale) if locale else None
        self._patterns = [(t, re.compile(rf"(?<!\w){re.escape(t.source)}(?!\w)", re.I))
                          for t in glossary]

    def __call__(self, segment: Segment, msgstr: str, where: Location) -> list[Issue]:
        """The build's check: localize enforces markup itself, whatever its configured
        severity (translated text is untrusted), so it is not checked twice."""
        return self.check(segment.text, msgstr, where, markup=False)

    def check(self, msgid: str, msgstr: str, where: Location, markup: bool = True,
              interface: bool = False) -> list[Issue]:
        """Every check; ``interface``: site chrome text, whose {placeholders} must match."""
        found: list[tuple[str, str]] = []
        if markup:
            found.extend(("markup", problem) for problem in markup_problems(msgid, msgstr))
        if interface:
            found.extend(("placeholders", m) for m in placeholder_problems(msgid, msgstr))
        found.extend(self._style(msgid, msgstr))
        found.extend(self._safety(msgid, msgstr))
        src_urls, dst_urls = set(_URL.findall(msgid)), set(_URL.findall(msgstr))
        if src_urls != dst_urls:
            found.append(("urls", "web or e-mail addresses differ from the source: "
                          + ", ".join(sorted(src_urls ^ dst_urls))))
        plain_src, plain_dst = to_plain(msgid), to_plain(msgstr)
        if msgstr == msgid and len(plain_src.split()) >= 4:
            found.append(("unchanged", "the translation is a copy of the source text"))
        if (msgid[:1].isspace(), msgid[-1:].isspace()) != (msgstr[:1].isspace(),
                                                           msgstr[-1:].isspace()):
            found.append(("whitespace", "leading or trailing whitespace differs from the "
                          "source"))
        found.extend(self._punctuation(plain_src, plain_dst))
        if len(plain_src) >= 40 and plain_dst:
            ratio = _width(plain_dst) / _width(plain_src)
            if not 0.33 <= ratio <= 3.0:
                found.append(("length", f"translation is {ratio:.1f}x the source length; "
                              "check nothing is missing or added"))
        for term, pattern in self._patterns:
            if pattern.search(plain_src) and term.required.casefold() not in \
                    plain_dst.casefold():
                found.append(("glossary", f"'{term.source}' must be translated as "
                              f"'{term.required}' ({self.glossary_rel}:{term.line})"))
        return self._issues(found, where)

    def style(self, msgid: str, msgstr: str, where: Location) -> list[Issue]:
        """Only the form checks (doubled spaces, start capital): the build's library pass
        reports them for published text, whose error-severity checks all passed."""
        return self._issues(self._style(msgid, msgstr), where)

    def _style(self, msgid: str, msgstr: str) -> list[tuple[str, str]]:
        found = [("doubled-space", m) for m in doubled_spaces(msgid, msgstr)]
        # Most translations start with a capital (or a caseless letter): nothing to find.
        if self.cased is not False and not msgstr[:1].isupper():
            found += [("start-capital", m) for m in lower_start(msgid, msgstr, self.cased)]
        return found

    def _issues(self, found: list[tuple[str, str]], where: Location) -> list[Issue]:
        issues = []
        for code, message in found:
            level = "error" if code in ENFORCED else self.severity.get(code, "warning")
            if level != "off":
                # Messages quote the msgstr (addresses, terms): never its invisible controls.
                issues.append(Issue(where, Severity(level), visible(message),
                                    "bidi" if code == "bidi-at-number" else code))
        return issues

    def _safety(self, msgid: str, msgstr: str) -> list[tuple[str, str]]:
        """Text safety (textsafety.py) and numbers read in each side's locale (numbers.py)."""
        found = [("control-chars", m) for m in control_chars(msgstr)]
        found += [("bidi-at-number" if serious else "bidi", m)
                  for serious, m in bidi_controls(msgstr, self.direction)]
        if self.digits is not None:
            found += [("digits", m) for m in foreign_digits(msgstr, self.digits, msgid)]
        found += compare_numbers(numbers_in(_plain_for_numbers(msgid), self.source_locale),
                                 numbers_in(_plain_for_numbers(msgstr), self.locale or "en"))
        return found

    @staticmethod
    def _punctuation(src: str, dst: str) -> list[tuple[str, str]]:
        if not src or not dst:
            return []
        src_end = next((k for k, marks in _END_MARKS.items() if src[-1] in marks), None)
        dst_end = next((k for k, marks in _END_MARKS.items() if dst[-1] in marks), None)
        if src_end != dst_end:
            want = f"'{src_end}'" if src_end else "no end punctuation"
            return [("punctuation", f"end punctuation differs: the source has {want}")]
        return []
