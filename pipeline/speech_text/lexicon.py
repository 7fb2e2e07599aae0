"""The speech lexicon of a locale: how written forms are said, owned by translators.

Format: a gettext PO file (``locales/<ll>/speech.po`` in a project; the built-in defaults in
``pipeline/speech_text/lexicons/<ll>.po``), so translators use the tools they know and GNU
``msgfmt --check`` validates it. Each entry: ``msgctxt`` = kind, ``msgid`` = written form,
``msgstr`` = spoken form.

- ``unit``: after a number ("10 mg"). ``msgid_plural`` + ``msgstr[n]`` give one form per
  plural form of the locale (the rule is the project's, ``pipeline.locales``), so Russian has
  "миллиграмм / миллиграмма / миллиграммов". A form may hold ``{n}`` where the number goes
  ("百分之{n}"). A written form starting with "/" is a denominator ("/day" -> "per day");
  other denominators are said as the "per" rule word and the unit's first form. Flag
  ``feminine``: numbers agree ("1 h" -> "una hora"). A noun may be a unit too, with its
  plural as ``msgid_plural``, so that numbers agree with it ("1 semana" -> "una semana").
- ``abbreviation``: "Dr.", "b.i.d.", "Jan."; flag ``before-number``: only when a number
  follows ("p. 12" -> "page 12", not every "p.").
- ``acronym``: "IV" -> "I V" (spelled) or "intravenous" (expanded); case-sensitive.
- ``term``: any other written form ("1/2" -> "one half", "and/or" -> "and or").
- ``rule``: the words the rules insert: ``range`` ("1-2" -> "1 to 2"), ``ratio``
  ("130/80" -> "130 over 80"), ``per``, ``o'clock`` ("8:00"), ``hours`` ("20:00"),
  ``and`` ("1 1/2 tsp" -> "1 and one half teaspoons"), and
  ``decimal ,`` / ``decimal .`` / ``decimal ٫`` where the voice misreads a decimal mark.

A project entry overrides the built-in entry of the same kind and written form (an entry
whose spoken form equals its written form switches a default off). A file that cannot be
read is reported at its line and disables the locale's normalisation (the raw text is
spoken: better unexpanded than expanded by rules its translators did not agree to); a bad
entry is reported at its line and skipped. Fuzzy entries are not used (as in catalogs).
"""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import polib

from pipeline.model import Issue, Location, Severity
from pipeline.plurals import plural_forms_for
from pipeline.state import fingerprint

KINDS = ("unit", "abbreviation", "acronym", "term", "rule")
RULE_WORDS = ("range", "ratio", "per", "o'clock", "hours", "and", "decimal ,", "decimal .",
              "decimal ٫")
FLAGS = frozenset({"before-number", "feminine"})
_IGNORED_FLAGS = re.compile(r"^(fuzzy|no-wrap|wrap|(no-)?[a-z-]+-format|range:.*)$")
# Spoken forms go to the voice as plain text: tags, entities or SSML would be read out or
# change the voice's mode, and braces are reserved for the "{n}" number placeholder.
_MARKUP = re.compile(r"[<>&\\{}\x00-\x1f\x7f]")
BUILTIN_DIR = Path(__file__).resolve().parent / "lexicons"
CODE = "speech-lexicon"
_DEFAULT_PLURAL = "nplurals=2; plural=(n != 1);"


@dataclass(frozen=True)
class LexEntry:
    """One entry: how a written form of a kind is said; ``location`` is its PO line."""

    kind: str
    written: str
    forms: tuple[str, ...]  # one spoken form, or one per plural form (units)
    flags: frozenset[str]
    location: Location
    # A unit's msgid_plural when it differs ("semana"/"semanas"): also a written form,
    # so a noun after a number agrees too ("1 semana" -> "una semana", not "uno semana").
    written_plural: str = ""

    @property
    def written_forms(self) -> tuple[str, ...]:
        return (self.written, self.written_plural) if self.written_plural else (self.written,)


@dataclass(frozen=True, eq=False)  # compared by identity: compiled rules are cached per object
class Lexicon:
    """A locale's entries (built-in with the project's over them), its plural rule, and
    the problems found loading it (``issues``, Issue objects with file and line)."""

    locale: str
    entries: Mapping[tuple[str, str], LexEntry]  # (kind, written) -> entry
    plural_forms: str = _DEFAULT_PLURAL
    usable: bool = True  # False: the project file is broken; speak the raw text
    issues: tuple[Issue, ...] = ()

    def get(self, kind: str, written: str) -> LexEntry | None:
        return self.entries.get((kind, written))

    def of_kind(self, *kinds: str) -> list[LexEntry]:
        return [e for (k, _), e in self.entries.items() if k in kinds]

    def rule_word(self, name: str) -> str:
        entry = self.entries.get(("rule", name))
        return entry.forms[0] if entry else ""

    def plural_index(self, n: int) -> int:
        return _plural_function(self.plural_forms)(n)

    def form(self, entry: LexEntry, n: int) -> str:
        """The spoken form of ``entry`` for the integer count ``n``."""
        index = self.plural_index(n) if len(entry.forms) > 1 else 0
        return entry.forms[min(max(index, 0), len(entry.forms) - 1)]


@lru_cache(maxsize=None)
def _plural_function(plural_forms: str) -> Callable[[int], int]:
    """The C expression of a Plural-Forms value as a Python function. ``gettext.c2py``
    tokenises it and accepts only C operators and ``n``: nothing is evaluated as code."""
    match = re.search(r"plural\s*=\s*(.+?)\s*;?\s*$", plural_forms)
    try:
        return gettext.c2py(match.group(1) if match else "n != 1")
    except (ValueError, SyntaxError, RecursionError):
        return gettext.c2py("n != 1")


def nplurals(plural_forms: str) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(match.group(1)) if match else 2


def plural_forms_of(locale: str) -> str:
    """The locale's Plural-Forms as ``pipeline.locales.locale_info`` gives them: the
    project's pinned table first (no Babel import, ~150 ms, for the languages it lists),
    Babel's rule for any other language."""
    pinned = plural_forms_for(locale)
    if pinned:
        return pinned
    from pipeline.locales import locale_info

    try:
        return locale_info(locale).plural_forms
    except ValueError:
        return _DEFAULT_PLURAL


def builtin_path(locale: str) -> Path | None:
    """The built-in lexicon for a locale code: exact code, else its language ("es_MX" ->
    es.po); Chinese without a script is taken as Simplified (what zh voices read)."""
    base = locale.replace("-", "_").partition("@")[0]
    language = base.split("_")[0]
    for name in (base, language, {"zh": "zh_Hans"}.get(language, "")):
        if name and (BUILTIN_DIR / f"{name}.po").is_file():
            return BUILTIN_DIR / f"{name}.po"
    return None


def load_lexicon(locale: str, project_locales_dir: Path | str | None = None) -> Lexicon:
    """The built-in lexicon of ``locale`` with ``<project_locales_dir>/<locale>/speech.po``
    over it. Problems come back as ``Lexicon.issues`` (``path:line ... [speech-lexicon]``)."""
    plural_forms = plural_forms_of(locale)
    builtin, issues = _builtin_entries(locale, plural_forms)
    entries = dict(builtin)
    if project_locales_dir is None:
        return Lexicon(locale, MappingProxyType(entries), plural_forms, True, tuple(issues))
    path = Path(project_locales_dir) / locale / "speech.po"
    if not path.is_file():
        return Lexicon(locale, MappingProxyType(entries), plural_forms, True, tuple(issues))
    shown = f"{Path(project_locales_dir).name}/{locale}/speech.po"
    own, own_issues, readable = read_lexicon_file(path, shown, plural_forms)
    issues = list(issues) + own_issues
    if not readable:
        return Lexicon(locale, MappingProxyType({}), plural_forms, False, tuple(issues))
    entries.update(own)
    return Lexicon(locale, MappingProxyType(entries), plural_forms, True, tuple(issues))


def lexicon_code(lang: str) -> str:
    """The locale code of a BCP 47 tag ("zh-Hans" -> "zh_Hans"): lexicons live under
    ``locales/<code>/``."""
    return lang.replace("-", "_")


def lexicon_for(project_locales_dir: Path | str) -> Callable[[str], Lexicon]:
    """``project_lexicon`` by BCP 47 tag or locale code, each language looked up once by
    the caller (a page's segments ask for theirs one by one)."""
    found: dict[str, Lexicon] = {}

    def get(lang: str) -> Lexicon:
        if lang not in found:
            found[lang] = project_lexicon(lexicon_code(lang), project_locales_dir)
        return found[lang]
    return get


def project_lexicon(locale: str, project_locales_dir: Path | str) -> Lexicon:
    """``load_lexicon`` for a build: loaded once per process for each content of the
    project's file (plans, checks and review pages of one locale share one Lexicon, and its
    compiled rules)."""
    path = Path(project_locales_dir) / locale / "speech.po"
    return _loaded(locale, str(project_locales_dir), _file_bytes(path))


@lru_cache(maxsize=64)
def _loaded(locale: str, project_locales_dir: str, _content: bytes | None) -> Lexicon:
    return load_lexicon(locale, project_locales_dir)


def lexicon_print(locale: str, project_locales_dir: Path | str) -> str:
    """A fingerprint of what the locale's speech text is made from: the built-in file and
    the project's. Speech plans are kept while it is unchanged."""
    builtin = builtin_path(locale)
    return fingerprint(_file_bytes(builtin) if builtin else b"",
                       _file_bytes(Path(project_locales_dir) / locale / "speech.po") or b"")


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@lru_cache(maxsize=None)
def _builtin_entries(locale: str, plural_forms: str):
    """(entries, issues) of the built-in file; parsed once per process."""
    path = builtin_path(locale)
    if path is None:
        return {}, ()
    shown = f"pipeline/speech_text/lexicons/{path.name}"
    entries, issues, _ = read_lexicon_file(path, shown, plural_forms)
    return entries, tuple(issues)


def read_lexicon_file(path: Path, shown: str, plural_forms: str
                      ) -> tuple[dict[tuple[str, str], LexEntry], list[Issue], bool]:
    """(entries, issues, readable) of one lexicon PO file; ``shown`` is the path messages
    name. A syntax error makes the file unreadable; a bad entry is skipped."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return {}, [_error(shown, line, "not UTF-8 text (save the file as UTF-8)")], False
    except OSError as exc:
        return {}, [_error(shown, 0, f"cannot read the file ({exc.strerror})")], False
    bad_line = _syntax_error(text)
    if bad_line:
        line, message = bad_line
        return {}, [_error(shown, line, f"not a valid PO file ({message}); the speech text "
                           "of this locale is not normalised until it is fixed")], False
    try:
        po = polib.pofile(text if text.strip() else "\n", wrapwidth=0)
    except (OSError, ValueError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        message = str(exc).split(": ", 1)[1] if ": " in str(exc) else ""
        return {}, [_error(shown, int(found.group(1)) if found else 0,
                           f"not a valid PO file ({message or 'syntax error'}); the speech "
                           "text of this locale is not normalised until it is fixed")], False
    entries: dict[tuple[str, str], LexEntry] = {}
    issues: list[Issue] = []
    for item in po:
        if item.obsolete or not item.msgid or "fuzzy" in item.flags:
            continue
        where = Location(shown, item.linenum or 0)
        entry, problem = _entry(item, where, nplurals(plural_forms))
        if problem:
            issues.append(Issue(where, Severity.ERROR, problem, CODE))
        elif entry is not None:
            key = (entry.kind, entry.written)
            if key in entries:
                issues.append(Issue(where, Severity.ERROR, f"{entry.kind} '{entry.written}' "
                                    f"is already defined at line {entries[key].location.line}",
                                    CODE))
                continue
            unknown = entry.flags - FLAGS
            if unknown:
                issues.append(Issue(where, Severity.WARNING, "unknown flag(s) "
                                    f"{', '.join(sorted(unknown))} (known: before-number, "
                                    "feminine)", CODE))
            entries[key] = entry
    return entries, issues, True


_STRING = r'"(?:[^"\\]|\\.)*"'
_LINE = re.compile(rf'\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_STRING}'
                   rf'|{_STRING})?\s*')


def _syntax_error(text: str) -> tuple[int, str] | None:
    """(line, problem) of the first line that is no PO line at all: polib reads on past an
    unterminated string or a stray word, which GNU msgfmt rejects."""
    for number, line in enumerate(text.splitlines(), 1):
        if not _LINE.fullmatch(line):
            quotes = line.count('"') - line.count('\\"')
            problem = "unterminated string" if quotes % 2 else "not a PO keyword or string"
            return number, f"{problem}: {line.strip()[:40]!r}"
    return None


def _entry(item: polib.POEntry, where: Location, expected_forms: int
           ) -> tuple[LexEntry | None, str]:
    """An entry, or the reason it is rejected."""
    kind, written = item.msgctxt, item.msgid.strip()
    if kind not in KINDS:
        what = f"kind '{kind}'" if kind else "no msgctxt"
        return None, (f"'{item.msgid}': {what}; msgctxt must say what the entry is: "
                      f"{', '.join(KINDS)}")
    if item.msgid_plural:
        if kind != "unit":
            return None, f"'{written}': only a unit has plural forms"
        forms = tuple(item.msgstr_plural[i] for i in sorted(item.msgstr_plural))
    else:
        forms = (item.msgstr,)
    if not written or written != item.msgid:
        return None, f"'{item.msgid}': the written form is empty or has outer spaces"
    if kind == "rule" and written not in RULE_WORDS:
        return None, f"'{written}': unknown rule word (known: {', '.join(RULE_WORDS)})"
    for index, form in enumerate(forms):
        name = f"msgstr[{index}]" if item.msgid_plural else "msgstr"
        if not form.strip():
            return None, (f"'{written}': the spoken form ({name}) is empty; write how "
                          "it is said, or delete the entry")
        bad = _MARKUP.search(form.replace("{n}", ""))
        if bad:
            return None, (f"'{written}': the spoken form ({name}) contains markup or a "
                          f"control character ({bad.group()!r}); write plain words as "
                          "they are said")
    if item.msgid_plural and len(forms) != expected_forms:
        return None, (f"'{written}': {len(forms)} plural forms, but the locale's plural "
                      f"rule has {expected_forms}")
    if written.startswith("/") and len(forms) > 1:
        return None, f"'{written}': a denominator ('/...') has one form, without plurals"
    flags = frozenset(f for f in item.flags if not _IGNORED_FLAGS.match(f))
    plural = item.msgid_plural.strip() if item.msgid_plural != item.msgid else ""
    return LexEntry(kind, written, tuple(f.strip() for f in forms), flags, where, plural), ""


def _error(path: str, line: int, message: str) -> Issue:
    return Issue(Location(path, line), Severity.ERROR, message, CODE)
