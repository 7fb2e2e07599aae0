"""Translation checks: each has a code and a default severity that ``[checks]`` can change.

An error-severity problem keeps a segment from being published (it falls back to the source);
a warning is shown to translators. The checks guard what patients rely on: doses and numbers,
links, and the required medical terms of a glossary.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import polib

from pipeline.catalogs import decode_po
from pipeline.config import Config
from pipeline.inline import markup_problems, to_plain
from pipeline.model import Issue, Location, Segment, Severity

DEFAULT_SEVERITY = {
    "markup": "error",
    "numbers": "error",
    "urls": "error",
    "unchanged": "warning",
    "whitespace": "warning",
    "punctuation": "warning",
    "length": "warning",
    "glossary": "error",
    "plural-forms": "warning",  # a catalog header, checked by `check` (quality.py)
}

_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# East Asian wide and full-width ranges (Hangul, CJK, kana, full-width forms).
_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
                   "\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
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
    po = polib.pofile(decode_po(path.read_bytes()))
    return tuple(GlossaryTerm(e.msgid, e.msgstr, e.linenum) for e in po
                 if e.msgid and e.msgstr and not e.obsolete and "fuzzy" not in e.flags)


_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ","})  # Arabic decimal, thousands


def _digits(text: str) -> str:
    """Arabic-Indic, Persian, full-width... digits as ASCII, so ٣ equals 3 and ٢٫٥ is 2.5."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c
                   for c in text.translate(_SEPARATORS))


def _numbers(text: str) -> Counter:
    return Counter(n.replace(",", ".") for n in _NUMBER.findall(_digits(to_plain(text))))


def _width(text: str) -> float:
    """Rough visual length: CJK characters carry about two Latin letters of meaning."""
    return len(text) + (0 if text.isascii() else len(_WIDE.findall(text)))


def checker_for(config: Config, locale: str) -> Checker:
    """A locale's checker: the project's severities and the locale's glossary, if any."""
    path = config.locales_dir / locale / "glossary.po"
    return Checker(config.check_severities, load_glossary(path), config.rel(path))


class Checker:
    """Runs every check on one (source segment, msgstr) pair."""

    def __init__(self, severities: Mapping[str, str], glossary: tuple[GlossaryTerm, ...] = (),
                 glossary_rel: str = ""):
        self.severity = {**DEFAULT_SEVERITY, **severities}
        self.glossary = glossary
        self.glossary_rel = glossary_rel
        self._patterns = [(t, re.compile(rf"(?<!\w){re.escape(t.source)}(?!\w)", re.I))
                          for t in glossary]

    def __call__(self, segment: Segment, msgstr: str, where: Location) -> list[Issue]:
        """The build's check: localize enforces markup itself, whatever its configured
        severity (translated text is untrusted), so it is not checked twice."""
        return self.check(segment.text, msgstr, where, markup=False)

    def check(self, msgid: str, msgstr: str, where: Location,
              markup: bool = True) -> list[Issue]:
        found: list[tuple[str, str]] = []
        if markup:
            found.extend(("markup", problem) for problem in markup_problems(msgid, msgstr))
        src_numbers, dst_numbers = _numbers(msgid), _numbers(msgstr)
        if src_numbers != dst_numbers:
            missing = sorted((src_numbers - dst_numbers).elements())
            extra = sorted((dst_numbers - src_numbers).elements())
            detail = "; ".join(filter(None, [
                f"missing {', '.join(missing)}" if missing else "",
                f"not in the source {', '.join(extra)}" if extra else ""]))
            found.append(("numbers", f"numbers differ from the source ({detail})"))
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
        issues = []
        for code, message in found:
            level = self.severity.get(code, "warning")
            if level != "off":
                issues.append(Issue(where, Severity(level), message, code))
        return issues

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
