"""PO and POT files: charset detection (once, for every reader), reading a catalog into the
model with lines counted as msgfmt counts them, and writing templates in GNU gettext's exact
form (po_writer.py)."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import MappingProxyType

import polib

import pipeline.catalogs.po_writer as po_writer
from pipeline.catalogs.model import Catalog, TemplateEntry, Translation
from pipeline.model import Location
from pipeline.report import ContentError

WRAP = po_writer.PAGE_WIDTH  # so that msgmerge and our writer agree and files never churn
_POT_DATE = re.compile(r'^"POT-Creation-Date: [^"\\]*\\n"$', re.M)


def render_pot(entries: list[TemplateEntry], project: str, creation_date: str) -> str:
    fields = [("Project-Id-Version", project), ("Report-Msgid-Bugs-To", ""),
              ("POT-Creation-Date", creation_date),
              ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
              ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
              ("Language-Team", "LANGUAGE <LL@li.org>"), ("Language", ""),
              ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8"),
              ("Content-Transfer-Encoding", "8bit")]
    if not po_writer.EXACT:
        return _render_pot_polib(entries, fields)
    blocks = [po_writer.header_lines(fields, comments=[""], fuzzy=True)]
    for entry in entries:
        comments = [line for c in entry.comments for line in _comment_lines(c)]
        blocks.append(po_writer.entry_lines(entry.msgid, entry.occurrences, comments,
                                            entry.flags))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _comment_lines(comment: str) -> list[str]:
    """An extracted comment, wrapped to the page as polib (our earlier writer) did, without
    the "#. " that po_writer adds."""
    lines = []
    for line in comment.split("\n"):
        if len(line) + 3 > WRAP:
            lines += [w[3:] for w in textwrap.wrap(line, WRAP, initial_indent="#. ",
                                                   subsequent_indent="#. ",
                                                   break_long_words=False)]
        else:
            lines.append(line)
    return lines


def _render_pot_polib(entries: list[TemplateEntry], fields: list[tuple[str, str]]) -> str:
    """Templates where libunistring is missing: valid, but wrapped a little unlike GNU, so
    new catalogs are then made by msgmerge (see stages/update.py)."""
    pot = polib.POFile(wrapwidth=WRAP)
    pot.metadata = dict(fields)
    pot.metadata_is_fuzzy = ["fuzzy"]
    for entry in entries:
        pot.append(polib.POEntry(msgid=entry.msgid, msgstr="",
                                 occurrences=[(p, str(n) if n else "")
                                              for p, n in entry.occurrences],
                                 comment="\n".join(entry.comments), flags=list(entry.flags)))
    return str(pot) + "\n"


def pot_creation_date(text: str) -> str | None:
    m = re.search(r'"POT-Creation-Date: ([^"\\]*)\\n"', text)
    return m.group(1) if m else None


def same_except_date(old: str, new: str) -> bool:
    return _POT_DATE.sub("", old) == _POT_DATE.sub("", new)


def read_catalog(path: Path, rel: str) -> Catalog:
    """Read a PO file for the build; raises ContentError naming the file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError(Location(rel), f"cannot read: {exc.strerror}", "unreadable") from exc
    text = _decode(raw, rel)  # bad bytes or an unknown charset: an error with its line
    try:
        po = parse_po(text)
    except (OSError, ValueError, LookupError, UnicodeDecodeError) as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        message = re.sub(r"\s*\(line \d+\)", "", str(exc)) or "cannot be parsed"
        raise ContentError(Location(rel, line), f"PO syntax: {message}", "po-syntax") from exc
    lines = po_lines(text)
    entries = {}
    for entry in po:
        # Sources are looked up without a context: an entry with a msgctxt (Weblate and
        # Lokalize keep them) is another message, even when its msgid is the same.
        if entry.obsolete or not entry.msgid or entry.msgctxt is not None:
            continue
        entries[entry.msgid] = Translation(entry.msgstr, "fuzzy" in entry.flags,
                                           _msgstr_line(lines, entry.linenum),
                                           entry.previous_msgid or "")
    plural_line = next((n for n, line in enumerate(lines, 1)
                        if line.startswith('"Plural-Forms:')), 0)
    return Catalog(path, rel, po.metadata.get("Language", ""), MappingProxyType(entries),
                   po.metadata.get("Plural-Forms", ""), plural_line)


def _msgstr_line(lines: list[str], start: int) -> int:
    """The line of an entry's msgstr, which is what msgfmt and editors point at; polib
    numbers an entry by its first line (often a comment)."""
    for number in range(max(start, 1), len(lines) + 1):
        if lines[number - 1].startswith("msgstr"):
            return number
    return start


class _PoText(str):
    """A catalog's text that polib splits into lines as msgfmt does.

    polib splits text with ``str.splitlines()``, which also breaks lines at U+2028, U+2029,
    U+0085, form feed, vertical tab and U+001C-U+001E. msgfmt reads those as characters of
    a string, so a msgstr holding one lost a character ("Dosis de" + "prueba" became "Dosis
    dprueba"), or the whole catalog was rejected, and the lines of later entries shifted.
    The text-safety check then reports such a msgstr at its line [control-chars].
    """

    def splitlines(self, keepends: bool = False) -> list[str]:  # polib calls it so
        return po_lines(self)


def po_lines(text: str) -> list[str]:
    """A PO file's lines as GNU gettext counts them: split at LF only (a CRLF leaves a CR that
    polib strips); a file with only CR line ends (which msgfmt accepts) at CR."""
    return text.split("\n" if "\n" in text or "\r" not in text else "\r")


def parse_po(text: str) -> polib.POFile:
    """polib's reading of a catalog's text, with lines split as msgfmt splits them."""
    return polib.pofile(_PoText(text))


def decode_po(raw: bytes) -> str:
    return raw.decode(_charset(raw)).lstrip("\ufeff")


def to_utf8(raw: bytes, rel: str) -> bytes:
    """A translator's PO as UTF-8 with LF line ends, for merging: BOMs (some Windows editors),
    CRLF (Poedit on Windows) and legacy charsets (CP1251, ISO-8859-1...) are converted without
    loss, since UTF-8 holds every character they can."""
    charset = _charset(raw)
    text = _decode(raw, rel).replace("\r\n", "\n")
    if charset.lower() not in ("utf-8", "utf-8-sig"):
        text = re.sub(r"charset=[A-Za-z0-9_-]+", "charset=UTF-8", text, count=1)
    return text.encode("utf-8")


def _decode(raw: bytes, rel: str) -> str:
    """``decode_po``, with a ContentError at the line of the bad byte or of the charset."""
    try:
        return decode_po(raw)
    except LookupError:
        m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
        line = raw[: m.start()].count(b"\n") + 1 if m else 0
        raise ContentError(Location(rel, line), f"unknown charset '{_declared(raw)}' in the "
                           "header", "po-charset") from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(Location(rel, line), f"not valid {_declared(raw)}: {exc.reason}",
                           "po-charset") from None


def _declared(raw: bytes) -> str:
    """The charset as the header names it (UTF-8 when it names none)."""
    m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
    name = m.group(1).decode() if m else "UTF-8"
    return "UTF-8" if name.lower() == "charset" else name


def _charset(raw: bytes) -> str:
    m = re.search(rb"charset=([A-Za-z0-9_-]+)", raw[:4000])
    name = m.group(1).decode() if m else "utf-8"
    return "utf-8-sig" if name.lower() in ("utf-8", "charset") else name
