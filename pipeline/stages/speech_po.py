"""``locales/<ll>/speech.po``, the speech lexicon translators own, made by ``update``.

A spoken locale without one gets an empty lexicon: the header a new catalog has (the same
fields, in msginit's order, the locale's Plural-Forms) and a translator comment that says
what an entry is. A file that exists is the translator's and is never rewritten: its
entries have no template to merge with, so there is nothing ``update`` could add.
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.catalogs import new_po_fields, revision_date
from pipeline.catalogs import po_writer
from pipeline.config import Config
from pipeline.fsutil import write_bytes_atomic
from pipeline.locales import locale_info
from pipeline.model import Location
from pipeline.report import ContentError
from pipeline.speech_text.lexicon import builtin_path, plural_forms_of
from pipeline.stages.speech_checks import speech_po_path, voiced

_COMMENT = """\
Speech lexicon: {language}. How the voice says written forms; the page text never
changes, only what is sent to the voice does.
Built-in entries for this language ship with the pipeline, in
{builtin};
an entry here with the same msgctxt and msgid overrides the built-in one (a spoken
form equal to the written form switches it off).
Each entry: msgctxt = kind, msgid = written form, msgstr = spoken form. Kinds:
  unit          after a number ("10 mg"); msgid_plural and msgstr[n] give one form per
                plural form of the language; "{{n}}" marks where the number goes; a msgid
                starting with "/" is a denominator ("/day"); flag "feminine": numbers agree
  abbreviation  "Dr.", "b.i.d."; flag "before-number": only when a number follows ("p. 12")
  acronym       capitals, case-sensitive: spelled ("I V") or expanded ("intravenous")
  term          any other written form ("1/2", "and/or")
  rule          the words the rules insert: range ("1-2"), ratio ("130/80"), per, o'clock,
                hours, and, "decimal ," / "decimal ." (only where the voice misreads it)
Spoken forms are plain words, as they are said: no markup. Fuzzy entries are not used.
'pipeline check' warns [speech] where the voice may misread a word; add it here. Example:
  msgctxt "acronym"
  msgid "ICU"
  msgstr "intensive care unit"
"""


def new_speech_po(locale: str, project: str) -> bytes:
    """The bytes of a new, empty speech lexicon for ``locale``: the same for the same
    package and project (dated by the built-in lexicon, not by the clock)."""
    builtin = builtin_path(locale)
    builtin_text = builtin.read_text(encoding="utf-8") if builtin else ""
    dated = re.search(r'"PO-Revision-Date: ([^"\\]+)\\n"', builtin_text)
    revised = dated.group(1) if dated else revision_date(b"")
    comment = _COMMENT.format(
        language=locale_info(locale).english_name,
        builtin=f"pipeline/speech_text/lexicons/{builtin.name}" if builtin else "(none yet)")
    fields = new_po_fields(locale, plural_forms_of(locale), f"{project} speech lexicon",
                           revised)
    lines = po_writer.header_lines(fields, comments=[*comment.splitlines(), ""])
    return ("\n".join(lines) + "\n").encode("utf-8")


def create_speech_po(config: Config, locale: str, write: bool = True) -> Path | None:
    """The path of the speech lexicon ``update`` creates for a spoken locale that has none
    (written unless ``write`` is False), or None: an existing file is left as it is."""
    path = speech_po_path(config, locale)
    if not voiced(config, locale) or path.exists() or path.is_symlink():
        return None
    if write:
        try:
            write_bytes_atomic(path, new_speech_po(locale, config.name))
        except OSError as exc:
            raise ContentError(Location(config.rel(path)), f"cannot write: {exc.strerror}",
                               "unwritable") from exc
    return path
