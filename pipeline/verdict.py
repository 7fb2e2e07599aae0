"""The one publish verdict: may a translator's msgstr be shown to readers?

Pages (localize), interface text (ui), ``stats`` and the review pages all ask here, so they
can never disagree: a string counted as translated is the string the page shows. A msgstr is
published when it is translated, not fuzzy (a fuzzy suggestion can be wrong in meaning), its
markup is valid (always: translated text is untrusted, whatever ``[checks] markup`` says),
interface placeholders match, it has no unsafe character (control characters, and direction
controls at a number: always, see checks.ENFORCED), and no check of error severity fails.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.catalogs import Translation
from pipeline.checks import Checker
from pipeline.checks_style import placeholder_problems
from pipeline.inline import markup_problems
from pipeline.model import Location, Severity, Status
from pipeline.textsafety import bidi_controls, control_chars, visible

# Interface text placeholders ("{size}"), filled in by the build with str.format.
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Verdict:
    status: Status  # TRANSLATED, or why not: UNTRANSLATED, FUZZY, INVALID
    problems: tuple[tuple[str, str], ...] = ()  # (check code, message) that made it INVALID

    @property
    def published(self) -> bool:
        return self.status is Status.TRANSLATED

    @property
    def reason(self) -> str:
        return "; ".join(message for _, message in self.problems)


_UNTRANSLATED = Verdict(Status.UNTRANSLATED)
_FUZZY = Verdict(Status.FUZZY, (("fuzzy", "needs review (fuzzy)"),))
_TRANSLATED = Verdict(Status.TRANSLATED)


def publish_verdict(msgid: str, entry: Translation | None, where: Location,
                    checker: Checker | None, interface: bool = False) -> Verdict:
    """The verdict on one catalog entry for the source text ``msgid``; ``interface`` adds the
    placeholder rule of site chrome (a changed ``{name}`` could fail or leak in format())."""
    if entry is None or not entry.msgstr.strip():
        return _UNTRANSLATED
    if entry.fuzzy:
        return _FUZZY
    markup = markup_problems(msgid, entry.msgstr)
    if interface:  # refused like markup, whatever [checks] says: format() would break
        markup += placeholder_problems(msgid, entry.msgstr)
    problems = [("markup", visible("; ".join(markup)))] if markup else []
    if checker is not None:
        problems += [(issue.code, issue.message) for issue in
                     checker.check(msgid, entry.msgstr, where, markup=False)
                     if issue.severity is Severity.ERROR]
    else:  # no locale to check against: still never publish an unsafe character
        problems += [("control-chars", m) for m in control_chars(entry.msgstr)]
        problems += [("bidi", m) for serious, m in bidi_controls(entry.msgstr) if serious]
    if problems:
        return Verdict(Status.INVALID, tuple(problems))
    return _TRANSLATED
